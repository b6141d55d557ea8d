/** Non-maximum suppression: hard (keep the best of each overlapping group) and MediaPipe's weighted variant. */
import type { Face, Rect } from '../protocol';

/** Intersection over union of two boxes; 0 when either is empty. */
export function iou(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const intersection = w * h;
  const union = a.w * a.h + b.w * b.h - intersection;
  return union > 0 ? intersection / union : 0;
}

function byScoreDescending(faces: readonly Face[]): Face[] {
  return [...faces].sort((a, b) => b.score - a.score);
}

/** Keeps the highest-scoring face of every group whose IoU with it exceeds `iouThreshold`. */
export function hardNms(faces: readonly Face[], iouThreshold: number): Face[] {
  const kept: Face[] = [];
  for (const face of byScoreDescending(faces)) {
    if (kept.every((k) => iou(k, face) <= iouThreshold)) kept.push(face);
  }
  return kept;
}

/**
 * MediaPipe's weighted NMS: the best remaining face gathers every face overlapping it by more than
 * `iouThreshold`; the group becomes one face whose box is the score-weighted mean and whose score is the best.
 */
export function weightedNms(faces: readonly Face[], iouThreshold: number): Face[] {
  let remaining = byScoreDescending(faces);
  const merged: Face[] = [];
  while (remaining.length > 0) {
    const [best, ...others] = remaining;
    const group = [best, ...others.filter((f) => iou(best, f) > iouThreshold)];
    const total = group.reduce((sum, f) => sum + f.score, 0);
    const mean = (pick: (f: Face) => number) => group.reduce((sum, f) => sum + pick(f) * f.score, 0) / total;
    merged.push({ x: mean((f) => f.x), y: mean((f) => f.y), w: mean((f) => f.w), h: mean((f) => f.h), score: best.score });
    const grouped = new Set(group);
    remaining = others.filter((f) => !grouped.has(f));
  }
  return merged;
}
