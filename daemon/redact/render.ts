/**
 * Paints the redactions into the displayed pixels (RGB, orientation already applied), in place, row span
 * by row span. fill: solid colour, the only mode that cannot be undone (the default); pixelate: cell
 * means; blur: Gaussian (see blur.ts).
 */
import { pixelateCell, type MaskShape, type RedactionMode } from '../protocol';
import type { DisplayedImage } from '../image/decode';
import { blurRegion } from './blur';
import { CHANNELS, cellIndex, cellMeans, cellStart } from './cellMeans';
import { maskSpan, type FaceRegion, type Region } from './geometry';

export interface RenderOptions {
  mode: RedactionMode;
  shape: MaskShape;
}

const FILL = Buffer.from([0, 0, 0]);
/** Used instead of black when the region is already nearly black, so the fill still visibly changes it. */
const FILL_ON_DARK = Buffer.from([128, 128, 128]);

/** Calls `paint(y, start, end)` for the covered columns [start, end) of each row of the region. */
function forEachSpan(region: Region, shape: MaskShape, paint: (y: number, start: number, end: number) => void): void {
  for (let y = region.y; y < region.y + region.h; y++) {
    const [start, end] = maskSpan(shape, region, y);
    if (start < end) paint(y, start, end);
  }
}

function fill(target: Buffer, width: number, region: Region, shape: MaskShape): void {
  const colour = Math.max(...cellMeans(target, width, region, { width: 1, height: 1 }).data) < 32 ? FILL_ON_DARK : FILL;
  forEachSpan(region, shape, (y, start, end) => target.fill(colour, (y * width + start) * CHANNELS, (y * width + end) * CHANNELS));
}

function pixelate(target: Buffer, width: number, region: FaceRegion, shape: MaskShape): void {
  const cell = pixelateCell(region.faceSize);
  const grid = { width: Math.ceil(region.w / cell), height: Math.ceil(region.h / cell) };
  const means = cellMeans(target, width, region, grid).data;
  const colour = Buffer.alloc(CHANNELS);
  forEachSpan(region, shape, (y, start, end) => {
    const row = cellIndex(y - region.y, region.h, grid.height) * grid.width;
    for (let x = start; x < end; ) {
      const column = cellIndex(x - region.x, region.w, grid.width);
      const next = Math.min(end, region.x + cellStart(column + 1, region.w, grid.width));
      const mean = (row + column) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) colour[c] = Math.round(means[mean + c]!);
      target.fill(colour, (y * width + x) * CHANNELS, (y * width + next) * CHANNELS);
      x = next;
    }
  });
}

/** Redacts every region of `image` in place (its pixels change: copy the regions first to compare). */
export function renderRedacted(image: Pick<DisplayedImage, 'rgb' | 'width' | 'height'>, regions: readonly FaceRegion[], options: RenderOptions): void {
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
