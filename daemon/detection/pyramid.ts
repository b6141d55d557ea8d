/**
 * Geometry of BlazeFace's scale pyramid: level 0 is the whole image letterboxed into one 256 tile; each
 * further level doubles the scale and covers the image with overlapping 256 tiles. A tile level keeps only
 * faces small enough that the coarser level could not see them well, and drops boxes cut by a tile edge
 * inside the image (the neighbouring tile holds those whole).
 */
import type { Rect } from '../protocol';

export const TILE_SIZE = 256;
export const TILE_OVERLAP = 64;
/** Largest face (model px) a tile level keeps; bigger ones are found whole at a coarser level. */
export const TILE_MAX_FACE = 64;
/**
 * Smallest face (model px) a level keeps when a finer level follows: there the face is twice as large,
 * where the model localizes it (below this, coarse levels put a loose, larger box around a tiny face).
 */
export const MIN_FACE_BELOW_FINEST = 16;
/** A box closer than this (model px) to an inner tile edge counts as cut. */
export const TILE_EDGE_MARGIN = 2;

export interface Tile {
  /** Top-left corner in level pixels; the tile is TILE_SIZE square. */
  left: number;
  top: number;
}

export interface PyramidLevel {
  /** Level pixels per image pixel, per axis (level sizes are rounded to whole pixels). */
  scaleX: number;
  scaleY: number;
  width: number;
  height: number;
  tiles: Tile[];
  /** False for a level that fits in one tile (every face size is kept there). */
  isTileLevel: boolean;
  /** True for the last level (every small face is kept there). */
  isFinest: boolean;
}

/** Tile start offsets covering `length` with TILE_SIZE tiles overlapping by at least TILE_OVERLAP; the last ends flush. */
export function tileStarts(length: number): number[] {
  if (length <= TILE_SIZE) return [0];
  const stride = TILE_SIZE - TILE_OVERLAP;
  const count = Math.ceil((length - TILE_SIZE) / stride) + 1;
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? length - TILE_SIZE : i * stride));
}

/** Start factor of the in-between pyramid `--thorough` adds: its levels sit half an octave above the plain ones. */
export const HALF_OCTAVE = Math.SQRT2;

/**
 * Levels for an image of width x height: level 0 fits the long side into one tile (times `startFactor`), then the
 * scale doubles until it reaches `maxScale` (level pixels per image pixel); maxScale 0 gives only the first level.
 * A level larger than one tile is a tile level. Measured on wider-dev: levels beyond native resolution (scale > 1)
 * cost 3-4x and lowered AP (48.2 vs 49.3): BlazeFace's false alarms on up-scaled blur outnumber the tiny faces it gains.
 */
export function pyramidLevels(width: number, height: number, maxScale: number, startFactor = 1): PyramidLevel[] {
  const baseScale = (TILE_SIZE / Math.max(width, height)) * startFactor;
  const levels: PyramidLevel[] = [];
  for (let scale = baseScale, index = 0; index === 0 || scale / 2 < maxScale; scale *= 2, index++) {
    const levelWidth = Math.max(1, Math.round(width * scale));
    const levelHeight = Math.max(1, Math.round(height * scale));
    const tiles = tileStarts(levelHeight).flatMap((top) => tileStarts(levelWidth).map((left) => ({ left, top })));
    const isTileLevel = Math.max(levelWidth, levelHeight) > TILE_SIZE;
    levels.push({ scaleX: levelWidth / width, scaleY: levelHeight / height, width: levelWidth, height: levelHeight, tiles, isTileLevel, isFinest: false });
  }
  levels[levels.length - 1]!.isFinest = true;
  return levels;
}

/**
 * Whether a level keeps `box` (tile pixels): not too small unless it is the finest level, and on a tile
 * level small enough and not cut by an edge inside the image.
 */
export function levelKeeps(box: Rect, tile: Tile, level: PyramidLevel): boolean {
  if (!level.isFinest && Math.max(box.w, box.h) < MIN_FACE_BELOW_FINEST) return false;
  if (!level.isTileLevel) return true;
  if (Math.max(box.w, box.h) > TILE_MAX_FACE) return false;
  const far = TILE_SIZE - TILE_EDGE_MARGIN;
  if (tile.left > 0 && box.x < TILE_EDGE_MARGIN) return false;
  if (tile.top > 0 && box.y < TILE_EDGE_MARGIN) return false;
  if (tile.left + TILE_SIZE < level.width && box.x + box.w > far) return false;
  if (tile.top + TILE_SIZE < level.height && box.y + box.h > far) return false;
  return true;
}

/**
 * How far beyond a predicted face (in its sides, each way) a tile around it must reach, and by what factor its size
 * may be off the levels' kept range: the prediction errs by a fraction of a face per detection frame (kalman.ts), and
 * a face beyond this is found at the next full pass (detectVideo.ts).
 */
export const AROUND_REACH = 1;
export const AROUND_SIZE_SLACK = 2;

/**
 * `level` cut down to tiles around the faces predicted at `around` (image pixels): at a tile level, for each predicted
 * face whose size in level pixels is in the level's kept range (levelKeeps, with AROUND_SIZE_SLACK), one tile centred
 * on it (moved inside the level at its borders), unless a tile already taken holds it grown by AROUND_REACH. Grid
 * tiles overlapping a face would be 2 to 6 per face and level; a centred one holds it whole with a face and more of
 * room on each side. A level that fits in one tile is kept whole: it is the frame's look for a new face anywhere.
 */
export function levelAround(level: PyramidLevel, around: readonly Rect[]): PyramidLevel {
  if (!level.isTileLevel) return level;
  const tiles: Tile[] = [];
  const clamp = (value: number, length: number) => Math.round(Math.max(0, Math.min(length - TILE_SIZE, value)));
  for (const box of around) {
    const side = Math.max(box.w * level.scaleX, box.h * level.scaleY);
    if (side > TILE_MAX_FACE * AROUND_SIZE_SLACK || (!level.isFinest && side * AROUND_SIZE_SLACK < MIN_FACE_BELOW_FINEST)) continue;
    const left = (box.x - AROUND_REACH * box.w) * level.scaleX;
    const top = (box.y - AROUND_REACH * box.h) * level.scaleY;
    const right = (box.x + (1 + AROUND_REACH) * box.w) * level.scaleX;
    const bottom = (box.y + (1 + AROUND_REACH) * box.h) * level.scaleY;
    if (tiles.some((tile) => tile.left <= left && tile.top <= top && tile.left + TILE_SIZE >= right && tile.top + TILE_SIZE >= bottom)) continue;
    tiles.push({ left: clamp((left + right) / 2 - TILE_SIZE / 2, level.width), top: clamp((top + bottom) / 2 - TILE_SIZE / 2, level.height) });
  }
  return { ...level, tiles };
}
