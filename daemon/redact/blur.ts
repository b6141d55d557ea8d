/**
 * Gaussian blur of one region, in plain JS: area-average the region down so that sigma is at most
 * MAX_WORKING_SIGMA working pixels, blur that small copy (separable kernel, edges clamped), then grow it back
 * bilinearly straight into the covered spans of the target. Same look as blurring at full size, at the
 * cost of reading and writing the region once, whatever the sigma: with sigma as large as the face (blurSigma)
 * the working copy is 6 x 6 pixels for a region of 1.5 faces, and a 12 MP image with 1.2 MP of regions renders in
 * 27 ms, as with the fifth of the region the sigma was before (25 ms).
 */
import { blurSigma, type MaskShape } from '../protocol';
import { CHANNELS, cellMeans, type Plane } from './cellMeans';
import { maskSpan, type FaceRegion } from './geometry';

const MAX_WORKING_SIGMA = 4;

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return kernel.map((weight) => weight / total);
}

/** One pass of the separable blur along x (`horizontal`) or y, edges clamped. */
function blurPass(plane: Plane, kernel: Float32Array, horizontal: boolean): Plane {
  const { width, height, data } = plane;
  const out = new Float32Array(data.length);
  const radius = (kernel.length - 1) / 2;
  const [along, across] = horizontal ? [width, height] : [height, width];
  for (let a = 0; a < across; a++) {
    for (let p = 0; p < along; p++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = -radius; k <= radius; k++) {
        const q = Math.min(along - 1, Math.max(0, p + k));
        const i = (horizontal ? a * width + q : q * width + a) * CHANNELS;
        const weight = kernel[k + radius]!;
        r += data[i]! * weight;
        g += data[i + 1]! * weight;
        b += data[i + 2]! * weight;
      }
      const o = (horizontal ? a * width + p : p * width + a) * CHANNELS;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return { data: out, width, height };
}

/** Where output coordinate `i` (of `size`) samples a plane of `cells`: lower index and weight of the upper. */
function bilinearTaps(size: number, cells: number): { low: Uint32Array; high: Uint32Array; weight: Float32Array } {
  const low = new Uint32Array(size);
  const high = new Uint32Array(size);
  const weight = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const at = Math.min(cells - 1, Math.max(0, ((i + 0.5) * cells) / size - 0.5));
    low[i] = Math.floor(at);
    high[i] = Math.min(cells - 1, low[i]! + 1);
    weight[i] = at - low[i]!;
  }
  return { low, high, weight };
}

/** Blurs the region of `target` (RGB, `width` pixels per row) in place, inside the mask only. */
export function blurRegion(target: Buffer, width: number, region: FaceRegion, shape: MaskShape): void {
  const sigma = blurSigma(region.faceSize);
  const shrink = Math.max(1, sigma / MAX_WORKING_SIGMA);
  const small = { width: Math.max(1, Math.round(region.w / shrink)), height: Math.max(1, Math.round(region.h / shrink)) };
  const kernel = gaussianKernel(sigma / shrink);
  const blurred = blurPass(blurPass(cellMeans(target, width, region, small), kernel, true), kernel, false);
  const columns = bilinearTaps(region.w, small.width);
  const rows = bilinearTaps(region.h, small.height);
  const { data } = blurred;
  // The row of the working plane interpolated at output row y, then interpolated along x per pixel.
  const line = new Float32Array(small.width * CHANNELS);
  for (let y = region.y; y < region.y + region.h; y++) {
    const [start, end] = maskSpan(shape, region, y);
    if (start >= end) continue;
    const ry = y - region.y;
    const top = rows.low[ry]! * small.width * CHANNELS;
    const bottom = rows.high[ry]! * small.width * CHANNELS;
    const wy = rows.weight[ry]!;
    for (let i = 0; i < line.length; i++) line[i] = data[top + i]! + (data[bottom + i]! - data[top + i]!) * wy;
    for (let x = start, o = (y * width + start) * CHANNELS; x < end; x++, o += CHANNELS) {
      const rx = x - region.x;
      const left = columns.low[rx]! * CHANNELS;
      const right = columns.high[rx]! * CHANNELS;
      const wx = columns.weight[rx]!;
      target[o] = line[left]! + (line[right]! - line[left]!) * wx + 0.5;
      target[o + 1] = line[left + 1]! + (line[right + 1]! - line[left + 1]!) * wx + 0.5;
      target[o + 2] = line[left + 2]! + (line[right + 2]! - line[left + 2]!) * wx + 0.5;
    }
  }
}
