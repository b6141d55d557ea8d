/**
 * The mean colour of each cell when a region is cut into a grid: the one averaging step behind the fill's
 * darkness check (a 1 x 1 grid), pixelation (one cell per mosaic tile) and blur (its shrunk working copy).
 * Region pixel offset `o` of a side `size` cut into `cells` falls into cell floor(o * cells / size).
 */
import type { Region } from './geometry';

export const CHANNELS = 3;

/** Float RGB, row-major: the mean of cell (cx, cy) is at ((cy * width + cx) * 3). */
export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

/** The cell that region offset `offset` (of `size`) falls into, out of `cells`. */
export function cellIndex(offset: number, size: number, cells: number): number {
  return Math.floor((offset * cells) / size);
}

/** The first region offset that falls into `cell` (or beyond). */
export function cellStart(cell: number, size: number, cells: number): number {
  return Math.ceil((cell * size) / cells);
}

/** Means of the region of `rgb` (`width` pixels per row) over a grid of `grid.width` x `grid.height` cells. */
export function cellMeans(rgb: Buffer, width: number, region: Region, grid: { width: number; height: number }): Plane {
  const sums = new Float32Array(grid.width * grid.height * CHANNELS);
  const counts = new Uint32Array(grid.width * grid.height);
  const columnOf = new Uint32Array(region.w);
  for (let x = 0; x < region.w; x++) columnOf[x] = cellIndex(x, region.w, grid.width);
  for (let y = 0; y < region.h; y++) {
    const row = cellIndex(y, region.h, grid.height) * grid.width;
    let i = ((region.y + y) * width + region.x) * CHANNELS;
    for (let x = 0; x < region.w; x++, i += CHANNELS) {
      const cell = row + columnOf[x]!;
      const o = cell * CHANNELS;
      sums[o] += rgb[i]!;
      sums[o + 1] += rgb[i + 1]!;
      sums[o + 2] += rgb[i + 2]!;
      counts[cell]++;
    }
  }
  for (let cell = 0; cell < counts.length; cell++) {
    const n = Math.max(1, counts[cell]!);
    for (let c = 0; c < CHANNELS; c++) sums[cell * CHANNELS + c] /= n;
  }
  return { data: sums, width: grid.width, height: grid.height };
}
