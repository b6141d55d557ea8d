/**
 * The gate before publishing: decode what will be written and check that every redacted region differs
 * from the source far more than the rest of the image does (re-encoding noise). A pipeline that silently
 * did nothing (e.g. two resizes in one sharp pipeline) is refused here.
 */
import type { MaskShape } from '../protocol';
import { maskSpan, type Region } from './geometry';

/** Mean absolute difference per channel a redacted region must at least show. */
const MIN_CHANGE = 4;
/** …and how many times the re-encoding noise measured outside the regions. */
const NOISE_FACTOR = 3;
/** Rows sampled to measure the noise (every n-th row). */
const NOISE_ROW_STEP = 16;

/** Sum of absolute channel differences over pixels [start, end) of row y. */
function rowDiff(a: Buffer, b: Buffer, width: number, y: number, start: number, end: number): number {
  let sum = 0;
  for (let i = (y * width + start) * 3, stop = (y * width + end) * 3; i < stop; i++) sum += Math.abs(a[i] - b[i]);
  return sum;
}

function regionChange(source: Buffer, output: Buffer, width: number, region: Region, shape: MaskShape): number {
  let sum = 0;
  let count = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    const [start, end] = maskSpan(shape, region, y);
    if (start >= end) continue;
    sum += rowDiff(source, output, width, y, start, end);
    count += (end - start) * 3;
  }
  return count === 0 ? 0 : sum / count;
}

/** Mean difference on sampled rows outside every region: what re-encoding alone changes. */
function encodingNoise(source: Buffer, output: Buffer, width: number, height: number, regions: readonly Region[]): number {
  let sum = 0;
  let count = 0;
  const covered = new Uint8Array(width);
  for (let y = 0; y < height; y += NOISE_ROW_STEP) {
    covered.fill(0);
    for (const r of regions) if (y >= r.y && y < r.y + r.h) covered.fill(1, r.x, r.x + r.w);
    for (let x = 0; x < width; ) {
      if (covered[x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < width && !covered[end]) end++;
      sum += rowDiff(source, output, width, y, x, end);
      count += (end - x) * 3;
      x = end;
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
  const required = Math.max(MIN_CHANGE, NOISE_FACTOR * encodingNoise(source, output, width, height, regions));
  return regions
    .filter((region) => region.w > 0 && region.h > 0)
    .map((region) => ({ region, change: regionChange(source, output, width, region, shape) }))
    .filter((check) => check.change < required);
}
