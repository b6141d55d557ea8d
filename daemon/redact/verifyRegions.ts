/**
 * The gate before publishing: decode what will be written and check that every redacted region differs
 * from the source far more than the rest of the image does (re-encoding noise). A pipeline that silently
 * did nothing (e.g. two resizes in one sharp pipeline) is refused here.
 */
import type { MaskShape } from '../protocol';
import { inMask, type Region } from './geometry';

/** Mean absolute difference per channel a redacted region must at least show. */
const MIN_CHANGE = 4;
/** …and how many times the re-encoding noise measured outside the regions. */
const NOISE_FACTOR = 3;
/** Rows sampled to measure the noise (every n-th row). */
const NOISE_ROW_STEP = 16;

function meanAbsDiff(a: Buffer, b: Buffer, width: number, region: Region, include: (x: number, y: number) => boolean, rowStep = 1): number {
  let sum = 0;
  let count = 0;
  for (let y = region.y; y < region.y + region.h; y += rowStep) {
    for (let x = region.x; x < region.x + region.w; x++) {
      if (!include(x, y)) continue;
      const i = (y * width + x) * 3;
      sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
      count += 3;
    }
  }
  return count === 0 ? 0 : sum / count;
}

export interface RegionCheck {
  region: Region;
  change: number;
}

/** The regions whose pixels did not change enough between `source` and `output` (same size, RGB). */
export function unchangedRegions(source: Buffer, output: Buffer, width: number, height: number, regions: readonly Region[], shape: MaskShape): RegionCheck[] {
  const covered = (x: number, y: number) => regions.some((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
  const noise = meanAbsDiff(source, output, width, { x: 0, y: 0, w: width, h: height }, (x, y) => !covered(x, y), NOISE_ROW_STEP);
  const required = Math.max(MIN_CHANGE, NOISE_FACTOR * noise);
  return regions
    .filter((region) => region.w > 0 && region.h > 0)
    .map((region) => ({ region, change: meanAbsDiff(source, output, width, region, (x, y) => inMask(shape, region, x, y)) }))
    .filter((check) => check.change < required);
}
