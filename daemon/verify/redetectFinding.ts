/** Where a face re-detected on a committed image or video frame lies against its redacted regions, as a finding. */
import type { Face, Rect, RedactionMode, VerifyFinding } from '../protocol';

/**
 * The share of a detection's area that must lie inside redacted regions for it to count as found through them.
 * Less, and most of what the detector saw is bare image: a face larger than its box, or one beside it.
 */
const MOSTLY_INSIDE = 0.5;

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The `edges` that cut the span [start, start + size), with its two ends, in order. */
function cuts(start: number, size: number, edges: readonly number[]): number[] {
  const inside = edges.filter((edge) => edge > start && edge < start + size);
  return [...new Set([start, start + size, ...inside])].sort((a, b) => a - b);
}

/** The share of `face`'s area inside the union of `regions`, exactly: the regions' edges cut the face into cells, each wholly in or out. */
export function shareInside(face: Rect, regions: readonly Rect[]): number {
  const near = regions.filter((region) => overlaps(face, region));
  if (near.length === 0 || face.w <= 0 || face.h <= 0) return 0;
  const xs = cuts(face.x, face.w, near.flatMap((r) => [r.x, r.x + r.w]));
  const ys = cuts(face.y, face.h, near.flatMap((r) => [r.y, r.y + r.h]));
  let covered = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const cx = (xs[i]! + xs[i + 1]!) / 2;
      const cy = (ys[j]! + ys[j + 1]!) / 2;
      if (near.some((r) => cx >= r.x && cx < r.x + r.w && cy >= r.y && cy < r.y + r.h)) covered += (xs[i + 1]! - xs[i]!) * (ys[j + 1]! - ys[j]!);
    }
  }
  return covered / (face.w * face.h);
}

/** The finding for one detected face on a committed image redacted with `mode` in `regions`. */
export function redetectFinding(file: string, model: string, face: Face, regions: readonly Rect[], mode: RedactionMode): VerifyFinding {
  const found = `${model} finds a face (score ${face.score.toFixed(2)}) at ${Math.round(face.x)},${Math.round(face.y)} ${Math.round(face.w)}x${Math.round(face.h)}`;
  const share = shareInside(face, regions);
  if (share >= MOSTLY_INSIDE) {
    const remedy =
      mode === 'fill'
        ? 'a solid fill hides any face, so look at the image: it may not hold the committed redaction'
        : 'the redaction there may be too weak; re-commit with fill or stronger settings';
    return { kind: 'face-inside-redaction', file, message: `${found}, inside a box redacted with ${mode}: ${remedy}` };
  }
  const where = share === 0 ? 'outside every redacted box' : `only ${Math.round(share * 100)} % of it inside the redacted boxes`;
  return { kind: 'face-unredacted', file, message: `${found}, ${where}` };
}
