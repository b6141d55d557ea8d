/**
 * Scene cuts, from two consecutive frames' small grayscale thumbnails: the tracker ends every track at a cut and
 * associates nothing across it (a face at the same place in the next shot is another person).
 *
 * Each thumbnail is normalised to zero mean and unit contrast, so a change of brightness or contrast (a fade, the
 * exposure adapting) is no cut; the two are compared at small shifts (±2 of 32 columns and rows), so a camera pan
 * is none either; what is left is the mean absolute difference of the best-aligned pair. Two unrelated pictures
 * score about 1.1 (the mean |x − y| of two independent unit variables), the same picture 0.
 */

export const THUMBNAIL_WIDTH = 32;
export const THUMBNAIL_HEIGHT = 18;

/** Luma, row-major, `width` × `height` bytes. */
export interface GrayThumbnail {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * The difference above which two consecutive frames are a cut: midway in the gap measured on 106 wider-dev and
 * selfpics pictures (bench/results/videoTracker.md, 320×180 frames with noise): a cut to the next picture scored
 * 0.77 to 1.35, pans of 1–4% of the width a frame, a 2% tilt, a 3% zoom and brightness or contrast steps 0.47 at most.
 * A faster pan (over 2 thumbnail columns a frame) may read as a cut: the tracks end there and start again (both
 * still padded and covering the face).
 */
export const SCENE_CUT_THRESHOLD = 0.6;

/** Below this contrast (standard deviation, gray levels) a frame is flat (black, a wall): it is not stretched to unit contrast. */
const FLAT_STD = 4;
const MAX_SHIFT = 2;

/**
 * A `THUMBNAIL_WIDTH` × `THUMBNAIL_HEIGHT` luma thumbnail of an RGB frame (3 bytes a pixel, row-major): each cell
 * the mean of a grid of samples in its area (about 8 × 8 of them, enough for a mean and a few ms on a 1080p frame).
 */
export function grayThumbnail(rgb: Uint8Array, width: number, height: number): GrayThumbnail {
  if (rgb.length < width * height * 3) throw new RangeError(`an RGB frame of ${width}×${height} needs ${width * height * 3} bytes, got ${rgb.length}`);
  const pixels = new Uint8Array(THUMBNAIL_WIDTH * THUMBNAIL_HEIGHT);
  for (let row = 0; row < THUMBNAIL_HEIGHT; row++) {
    const top = Math.floor((row * height) / THUMBNAIL_HEIGHT);
    const bottom = Math.max(top + 1, Math.floor(((row + 1) * height) / THUMBNAIL_HEIGHT));
    const stepY = Math.max(1, Math.floor((bottom - top) / 8));
    for (let column = 0; column < THUMBNAIL_WIDTH; column++) {
      const left = Math.floor((column * width) / THUMBNAIL_WIDTH);
      const right = Math.max(left + 1, Math.floor(((column + 1) * width) / THUMBNAIL_WIDTH));
      const stepX = Math.max(1, Math.floor((right - left) / 8));
      let sum = 0;
      let count = 0;
      for (let y = top; y < bottom; y += stepY) {
        for (let x = left; x < right; x += stepX) {
          const at = (y * width + x) * 3;
          // Rec. 601 luma, integer weights (sum 256).
          sum += (77 * rgb[at]! + 150 * rgb[at + 1]! + 29 * rgb[at + 2]!) >> 8;
          count++;
        }
      }
      pixels[row * THUMBNAIL_WIDTH + column] = Math.round(sum / count);
    }
  }
  return { width: THUMBNAIL_WIDTH, height: THUMBNAIL_HEIGHT, pixels };
}

/** The thumbnail at zero mean and unit contrast (flat ones keep their small contrast). */
function normalised(thumbnail: GrayThumbnail): Float64Array {
  const { pixels } = thumbnail;
  let sum = 0;
  for (const value of pixels) sum += value;
  const mean = sum / pixels.length;
  let squares = 0;
  for (const value of pixels) squares += (value - mean) ** 2;
  const std = Math.max(FLAT_STD, Math.sqrt(squares / pixels.length));
  return Float64Array.from(pixels, (value) => (value - mean) / std);
}

/** How different two consecutive frames are (0: the same picture; about 1.1: unrelated ones), shifts and brightness aside. */
export function sceneDifference(previous: GrayThumbnail, current: GrayThumbnail): number {
  if (previous.width !== current.width || previous.height !== current.height) {
    throw new RangeError(`thumbnails of different sizes: ${previous.width}×${previous.height} and ${current.width}×${current.height}`);
  }
  const { width, height } = previous;
  const a = normalised(previous);
  const b = normalised(current);
  let best = Infinity;
  for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
      let sum = 0;
      let count = 0;
      for (let y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
        for (let x = Math.max(0, -dx); x < Math.min(width, width - dx); x++) {
          sum += Math.abs(a[y * width + x]! - b[(y + dy) * width + x + dx]!);
          count++;
        }
      }
      best = Math.min(best, sum / count);
    }
  }
  return best;
}

export function isSceneCut(previous: GrayThumbnail, current: GrayThumbnail): boolean {
  return sceneDifference(previous, current) > SCENE_CUT_THRESHOLD;
}
