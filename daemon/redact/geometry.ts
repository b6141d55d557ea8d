/**
 * Where a face is redacted: its box grown by the margin, clipped to the image. The region keeps the size of the face
 * it came from, because how strongly it is redacted (pixelateCell, blurSigma in ../protocol) follows the face, not
 * the margin or the clipping: a fixed kernel leaves large faces recognizable, a fine one leaves small faces findable.
 */
import { marginFor, type MarginBasis, type MarginRule, type MaskShape, type Rect } from '../protocol';

/** An integer pixel rectangle inside the image. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A region to redact and the longer side of the face box it was grown from (pixels). */
export interface FaceRegion extends Region {
  faceSize: number;
}

/** The box grown by `margin` of its size on every side, rounded outwards and clipped to the image. */
export function redactionRegion(box: Rect, margin: number, width: number, height: number): FaceRegion {
  const left = Math.max(0, Math.floor(box.x - box.w * margin));
  const top = Math.max(0, Math.floor(box.y - box.h * margin));
  const right = Math.min(width, Math.ceil(box.x + box.w * (1 + margin)));
  const bottom = Math.min(height, Math.ceil(box.y + box.h * (1 + margin)));
  return { x: left, y: top, w: Math.max(0, right - left), h: Math.max(0, bottom - top), faceSize: Math.max(box.w, box.h) };
}

/** Where a commit redacts a box or a track's box: grown by its own margin (`marginFor`: doubted model boxes reach further). */
export function faceRegion(box: Rect & MarginBasis, rule: MarginRule, width: number, height: number): FaceRegion {
  return redactionRegion(box, marginFor(box, rule), width, height);
}

/** The pixels of row `y` the mask covers: columns [start, end) (empty when start >= end). */
export function maskSpan(shape: MaskShape, region: Region, y: number): [number, number] {
  if (shape === 'rect') return [region.x, region.x + region.w];
  const rx = region.w / 2;
  const ry = region.h / 2;
  const dy = (y + 0.5 - region.y - ry) / ry;
  if (dy * dy > 1) return [0, 0];
  const half = rx * Math.sqrt(1 - dy * dy);
  const centre = region.x + rx;
  // Pixel x is covered when its centre x + 0.5 lies within `half` of the ellipse's centre.
  return [Math.max(region.x, Math.ceil(centre - half - 0.5)), Math.min(region.x + region.w, Math.floor(centre + half - 0.5) + 1)];
}

/** A copy of the region's pixels (RGB, region-sized, row-major). */
export function copyRegion(rgb: Buffer, width: number, region: Region): Buffer {
  const patch = Buffer.alloc(region.w * region.h * 3);
  for (let y = 0; y < region.h; y++) {
    const start = ((region.y + y) * width + region.x) * 3;
    rgb.copy(patch, y * region.w * 3, start, start + region.w * 3);
  }
  return patch;
}
