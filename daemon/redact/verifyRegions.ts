/**
 * The gate before publishing: decode what will be written and check that every redacted region differs
 * from what was there before far more than the rest of the image differs from what was encoded
 * (re-encoding noise). A pipeline that silently did nothing (e.g. two resizes in one sharp pipeline) is
 * refused here.
 *
 * A JPEG output may be checked at 1/k scale (k = 4 or 8: libjpeg decodes that much faster), comparing each
 * decoded pixel with the mean of its k x k block. k stays small enough that every region keeps enough
 * blocks: a fill changes a region at any scale; pixelation and blur remove the detail inside each cell or
 * sigma, so k also keeps several blocks per cell and per sigma for that loss to show.
 */
import { blurSigma, pixelateCell, type MaskShape, type RedactionMode } from '../protocol';
import type { ImageFormat } from '../image/decode';
import { maskSpan, type FaceRegion } from './geometry';

/** Mean absolute difference per channel a redacted region must at least show. */
const MIN_CHANGE = 4;
/** …and how many times the re-encoding noise measured outside the regions. */
const NOISE_FACTOR = 3;
/** Rows (at the checked scale) between two rows sampled for the noise: about 1/16 of the pixels are read. */
const NOISE_ROW_STEP = 16;
/** The smallest side a region may have at the checked scale. */
const MIN_CHECKED_SIDE = 16;
/** How many blocks at the checked scale each pixelation cell or blur sigma must span. */
const MIN_BLOCKS_PER_DETAIL = 4;
// 1/2 is left out: sharp then decodes at full scale and resizes, slower than a plain decode (measured).
const SHRINKS = [8, 4];

/** The size of the detail a mode wipes out in a region, in pixels: all of it for a fill. */
function wipedDetail(mode: RedactionMode, region: FaceRegion): number {
  switch (mode) {
    case 'fill':
      return Infinity;
    case 'pixelate':
      return pixelateCell(region.faceSize);
    case 'blur':
      return blurSigma(region.faceSize);
    default: {
      const unknown: never = mode;
      throw new Error(`unknown redaction mode "${String(unknown)}"`);
    }
  }
}

/** The scale divisor at which the output can be checked (1: full scale). */
export function verifyShrink(format: ImageFormat, mode: RedactionMode, regions: readonly FaceRegion[]): number {
  if (format !== 'jpeg') return 1;
  const live = regions.filter((r) => r.w > 0 && r.h > 0);
  const fits = (k: number) => live.every((r) => Math.min(r.w, r.h) / k >= MIN_CHECKED_SIDE && wipedDetail(mode, r) / k >= MIN_BLOCKS_PER_DETAIL);
  return SHRINKS.find(fits) ?? 1;
}

/** The image as encoded and the pixels each region had before redaction. */
export interface Rendered {
  /** The encoded pixels (equal to the source outside the regions), RGB. */
  rgb: Buffer;
  width: number;
  height: number;
  regions: readonly FaceRegion[];
  /** `before[i]`: the pixels of `regions[i]` before redaction, region-sized RGB. */
  before: readonly Buffer[];
  shape: MaskShape;
}

/** The decoded output at 1/k scale: pixel (sx, sy) stands for the k x k block at (sx*k, sy*k). */
export interface CheckedOutput {
  rgb: Buffer;
  width: number;
  k: number;
}

/** Sum over channels of |mean of the k x k block of `pixels` at (bx, by)| - output pixel (sx, sy)|. */
function blockDiff(pixels: Buffer, pixelsWidth: number, bx: number, by: number, out: CheckedOutput, sx: number, sy: number): number {
  const { k } = out;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = by; y < by + k; y++) {
    for (let i = (y * pixelsWidth + bx) * 3, end = i + k * 3; i < end; i += 3) {
      r += pixels[i];
      g += pixels[i + 1];
      b += pixels[i + 2];
    }
  }
  const n = k * k;
  const o = (sy * out.width + sx) * 3;
  return Math.abs(r / n - out.rgb[o]) + Math.abs(g / n - out.rgb[o + 1]) + Math.abs(b / n - out.rgb[o + 2]);
}

/** Mean change per channel over the blocks that lie inside the region's mask. */
function regionChange(image: Rendered, index: number, out: CheckedOutput): number {
  const region = image.regions[index];
  const { k } = out;
  let sum = 0;
  let count = 0;
  for (let sy = Math.ceil(region.y / k); (sy + 1) * k <= region.y + region.h; sy++) {
    const [start, end] = maskSpan(image.shape, region, sy * k + (k >> 1));
    for (let sx = Math.ceil(start / k); (sx + 1) * k <= end; sx++) {
      sum += blockDiff(image.before[index], region.w, sx * k - region.x, sy * k - region.y, out, sx, sy);
      count += 3;
    }
  }
  return count === 0 ? Infinity : sum / count;
}

/** Mean change per channel on sampled blocks outside every region: what re-encoding alone does. */
function encodingNoise(image: Rendered, out: CheckedOutput): number {
  const { k } = out;
  const step = NOISE_ROW_STEP;
  const columns = Math.floor(image.width / k);
  let sum = 0;
  let count = 0;
  for (let sy = 0; (sy + 1) * k <= image.height; sy += step) {
    const rows = image.regions.filter((r) => sy * k < r.y + r.h && (sy + 1) * k > r.y);
    for (let sx = 0; sx < columns; sx++) {
      if (rows.some((r) => sx * k < r.x + r.w && (sx + 1) * k > r.x)) continue;
      sum += blockDiff(image.rgb, image.width, sx * k, sy * k, out, sx, sy);
      count += 3;
    }
  }
  return count === 0 ? 0 : sum / count;
}

export interface RegionCheck {
  region: FaceRegion;
  change: number;
}

/** The regions whose pixels did not change enough between `image` and the decoded output. */
export function unchangedRegions(image: Rendered, out: CheckedOutput): RegionCheck[] {
  const required = Math.max(MIN_CHANGE, NOISE_FACTOR * encodingNoise(image, out));
  return image.regions
    .map((region, index) => ({ region, change: region.w > 0 && region.h > 0 ? regionChange(image, index, out) : Infinity }))
    .filter((check) => check.change < required);
}
