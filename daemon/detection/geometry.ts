/** Box helpers shared by the detectors. */
import type { Face } from '../protocol';

/** Clips a face to the image; null when nothing of it is left inside. */
export function clipToImage(face: Face, width: number, height: number): Face | null {
  const x1 = Math.max(0, face.x);
  const y1 = Math.max(0, face.y);
  const x2 = Math.min(width, face.x + face.w);
  const y2 = Math.min(height, face.y + face.h);
  if (x2 <= x1 || y2 <= y1) return null;
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1, score: face.score };
}

/** Clips every face to the image and drops the ones entirely outside it, best score first. */
export function clipAllToImage(faces: readonly Face[], width: number, height: number): Face[] {
  return faces
    .map((face) => clipToImage(face, width, height))
    .filter((face): face is Face => face !== null)
    .sort((a, b) => b.score - a.score);
}

/** Maps a box from a scaled copy of the image back to image pixels. */
export function unscale(face: Face, scaleX: number, scaleY: number, offsetX = 0, offsetY = 0): Face {
  return { x: (face.x + offsetX) / scaleX, y: (face.y + offsetY) / scaleY, w: face.w / scaleX, h: face.h / scaleY, score: face.score };
}
