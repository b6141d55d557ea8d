/**
 * Paints the redactions into the displayed pixels (RGB, orientation already applied), in place, row span
 * by row span. fill: solid colour, the only mode that cannot be undone (the default); pixelate: cell
 * means; blur: Gaussian (see blur.ts).
 */
import type { MaskShape, RedactionMode } from '../protocol';
import type { DisplayedImage } from '../image/decode';
import { blurRegion } from './blur';
import { maskSpan, pixelateCell, type Region } from './geometry';

export interface RenderOptions {
  mode: RedactionMode;
  shape: MaskShape;
}

const CHANNELS = 3;
const FILL = Buffer.from([0, 0, 0]);
/** Used instead of black when the region is already nearly black, so the fill still visibly changes it. */
const FILL_ON_DARK = Buffer.from([128, 128, 128]);

function regionMean(rgb: Buffer, width: number, region: Region): Buffer {
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    const end = (y * width + region.x + region.w) * CHANNELS;
    for (let i = (y * width + region.x) * CHANNELS; i < end; i += CHANNELS) {
      r += rgb[i];
      g += rgb[i + 1];
      b += rgb[i + 2];
    }
  }
  const count = Math.max(1, region.w * region.h);
  return Buffer.from([Math.round(r / count), Math.round(g / count), Math.round(b / count)]);
}

/** Calls `paint(y, start, end)` for the covered columns [start, end) of each row of the region. */
function forEachSpan(region: Region, shape: MaskShape, paint: (y: number, start: number, end: number) => void): void {
  for (let y = region.y; y < region.y + region.h; y++) {
    const [start, end] = maskSpan(shape, region, y);
    if (start < end) paint(y, start, end);
  }
}

function fill(target: Buffer, width: number, region: Region, shape: MaskShape): void {
  const colour = Math.max(...regionMean(target, width, region)) < 32 ? FILL_ON_DARK : FILL;
  forEachSpan(region, shape, (y, start, end) => target.fill(colour, (y * width + start) * CHANNELS, (y * width + end) * CHANNELS));
}

function pixelate(target: Buffer, width: number, region: Region, shape: MaskShape): void {
  const cell = pixelateCell(region);
  const columns = Math.ceil(region.w / cell);
  const means: Buffer[] = [];
  for (let cy = 0; cy < region.h; cy += cell) {
    for (let cx = 0; cx < region.w; cx += cell) {
      means.push(regionMean(target, width, { x: region.x + cx, y: region.y + cy, w: Math.min(cell, region.w - cx), h: Math.min(cell, region.h - cy) }));
    }
  }
  forEachSpan(region, shape, (y, start, end) => {
    const row = Math.floor((y - region.y) / cell) * columns;
    for (let x = start; x < end; ) {
      const column = Math.floor((x - region.x) / cell);
      const next = Math.min(end, region.x + (column + 1) * cell);
      target.fill(means[row + column], (y * width + x) * CHANNELS, (y * width + next) * CHANNELS);
      x = next;
    }
  });
}

/** Redacts every region of `image` in place (its pixels change: copy the regions first to compare). */
export function renderRedacted(image: DisplayedImage, regions: readonly Region[], options: RenderOptions): void {
  const target = image.rgb;
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
        blurRegion(target, image.width, region, options.shape);
        break;
      default: {
        const unknown: never = options.mode;
        throw new Error(`unknown redaction mode "${String(unknown)}"`);
      }
    }
  }
}
