/**
 * Paints the redactions into a copy of the displayed pixels (RGB, orientation already applied).
 * fill: solid colour, the only mode that cannot be undone (the default); pixelate: cell means; blur:
 * Gaussian. Blur runs as separate sharp pipelines (shrink, blur, grow): one pipeline with two resizes
 * would silently keep only the last.
 */
import sharp from 'sharp';
import type { MaskShape, RedactionMode } from '../protocol';
import type { DisplayedImage } from '../image/decode';
import { blurSigma, inMask, pixelateCell, type Region } from './geometry';

export interface RenderOptions {
  mode: RedactionMode;
  shape: MaskShape;
}

const CHANNELS = 3;
const FILL = [0, 0, 0];
/** Used instead of black when the region is already nearly black, so the fill still visibly changes it. */
const FILL_ON_DARK = [128, 128, 128];
/** Blur works on a copy shrunk so that sigma stays this small (same look, bounded cost). */
const MAX_WORKING_SIGMA = 4;

function regionMean(rgb: Buffer, width: number, region: Region): number[] {
  const sum = [0, 0, 0];
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      const i = (y * width + x) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) sum[c] += rgb[i + c];
    }
  }
  const count = Math.max(1, region.w * region.h);
  return sum.map((value) => value / count);
}

/** Sets every pixel of `region` that the mask covers to `pixelAt(x, y)` (coordinates relative to the region). */
function paste(target: Buffer, width: number, region: Region, shape: MaskShape, pixelAt: (rx: number, ry: number) => ArrayLike<number>): void {
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      if (!inMask(shape, region, x, y)) continue;
      const pixel = pixelAt(x - region.x, y - region.y);
      const i = (y * width + x) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) target[i + c] = pixel[c];
    }
  }
}

function fill(target: Buffer, width: number, region: Region, shape: MaskShape): void {
  const mean = regionMean(target, width, region);
  const colour = Math.max(...mean) < 32 ? FILL_ON_DARK : FILL;
  paste(target, width, region, shape, () => colour);
}

function pixelate(target: Buffer, width: number, region: Region, shape: MaskShape): void {
  const cell = pixelateCell(region);
  const columns = Math.ceil(region.w / cell);
  const means: number[][] = [];
  for (let cy = 0; cy < region.h; cy += cell) {
    for (let cx = 0; cx < region.w; cx += cell) {
      means.push(regionMean(target, width, { x: region.x + cx, y: region.y + cy, w: Math.min(cell, region.w - cx), h: Math.min(cell, region.h - cy) }));
    }
  }
  const rounded = means.map((mean) => mean.map(Math.round));
  paste(target, width, region, shape, (rx, ry) => rounded[Math.floor(ry / cell) * columns + Math.floor(rx / cell)]);
}

async function blur(target: Buffer, width: number, region: Region, shape: MaskShape): Promise<void> {
  const raw = { width: region.w, height: region.h, channels: CHANNELS } as const;
  const patch = Buffer.alloc(region.w * region.h * CHANNELS);
  for (let y = 0; y < region.h; y++) {
    const start = ((region.y + y) * width + region.x) * CHANNELS;
    target.copy(patch, y * region.w * CHANNELS, start, start + region.w * CHANNELS);
  }
  const sigma = blurSigma(region);
  const shrink = Math.max(1, sigma / MAX_WORKING_SIGMA);
  const small = { width: Math.max(1, Math.round(region.w / shrink)), height: Math.max(1, Math.round(region.h / shrink)) };
  const shrunk = await sharp(patch, { raw }).resize(small.width, small.height, { fit: 'fill' }).raw().toBuffer();
  const blurred = await sharp(shrunk, { raw: { ...small, channels: CHANNELS } }).blur(Math.max(0.3, sigma / shrink)).raw().toBuffer();
  const grown = await sharp(blurred, { raw: { ...small, channels: CHANNELS } }).resize(region.w, region.h, { fit: 'fill' }).raw().toBuffer();
  paste(target, width, region, shape, (rx, ry) => grown.subarray((ry * region.w + rx) * CHANNELS, (ry * region.w + rx + 1) * CHANNELS));
}

/** A new RGB buffer: `image` with every region redacted. */
export async function renderRedacted(image: DisplayedImage, regions: readonly Region[], options: RenderOptions): Promise<Buffer> {
  const target = Buffer.from(image.rgb);
  for (const region of regions) {
    if (region.w === 0 || region.h === 0) continue;
    switch (options.mode) {
      case 'fill':
        fill(target, image.width, region, options.shape);
        break;
      case 'pixelate':
        pixelate(target, image.width, region, options.shape);
        break;
      case 'blur':
        await blur(target, image.width, region, options.shape);
        break;
      default: {
        const unknown: never = options.mode;
        throw new Error(`unknown redaction mode "${String(unknown)}"`);
      }
    }
  }
  return target;
}
