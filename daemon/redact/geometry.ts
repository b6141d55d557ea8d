/**
 * Where and how strongly a face is redacted. Every size derives from the face box, so a large face is
 * covered as thoroughly as a small one (a fixed kernel leaves large faces recognizable).
 */
import type { MaskShape, Rect } from '../protocol';

export const DEFAULT_MARGIN = 0.25;

/** An integer pixel rectangle inside the image. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The box grown by `margin` of its size on every side, rounded outwards and clipped to the image. */
export function redactionRegion(box: Rect, margin: number, width: number, height: number): Region {
  const left = Math.max(0, Math.floor(box.x - box.w * margin));
  const top = Math.max(0, Math.floor(box.y - box.h * margin));
  const right = Math.min(width, Math.ceil(box.x + box.w * (1 + margin)));
  const bottom = Math.min(height, Math.ceil(box.y + box.h * (1 + margin)));
  return { x: left, y: top, w: Math.max(0, right - left), h: Math.max(0, bottom - top) };
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

/** Mosaic cell size: about 8 cells across the longer side of the region. */
export function pixelateCell(region: Region): number {
  return Math.max(2, Math.ceil(Math.max(region.w, region.h) / 8));
}

/** Gaussian sigma: a fifth of the longer side of the region. */
export function blurSigma(region: Region): number {
  return Math.max(2, Math.max(region.w, region.h) / 5);
}
