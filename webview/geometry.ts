/**
 * Coordinates: image pixels (as displayed, the space of every Box) ↔ screen pixels of the stage.
 * A viewport maps image point p to screen point p * scale + (x, y).
 */
import type { Rect } from '../daemon/protocol';

export interface Point {
  x: number;
  y: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Viewport {
  scale: number;
  x: number;
  y: number;
}

const MIN_SCALE = 0.02;
const MAX_SCALE = 32;
/** Above this scale the image is drawn with square pixels: a reviewer zoomed in on a small face judges pixels, not blur. */
export const PIXELATED_ABOVE = 2;
/** Smallest box a person can draw or resize to, in image pixels. */
export const MIN_BOX_SIZE = 2;

export type Handle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The whole image, centred, filling the stage: a small image is enlarged too (a 96 px crowd shot at 1:1 leaves its
 * 8 px faces unreviewable).
 */
export function fitViewport(image: Size, stage: Size, padding = 12): Viewport {
  return fitRect({ x: 0, y: 0, w: image.width, h: image.height }, stage, padding);
}

/** How much of the stage a face fills when zoomed to: enough to judge it, with the context around it still in view. */
const FOCUS_SHARE = 0.4;

/** The viewport that shows `rect` centred, filling FOCUS_SHARE of the stage (zoom to the selected face). */
export function focusViewport(rect: Rect, stage: Size): Viewport {
  const margin = (1 / FOCUS_SHARE - 1) / 2;
  return fitRect({ x: rect.x - rect.w * margin, y: rect.y - rect.h * margin, w: rect.w / FOCUS_SHARE, h: rect.h / FOCUS_SHARE }, stage, 0);
}

/** `viewport` panned just enough that `rect` (image pixels) is wholly on the stage, `padding` from its edges where it fits. */
export function revealRect(viewport: Viewport, rect: Rect, stage: Size, padding = 24): Viewport {
  const screen = toScreenRect(viewport, rect);
  const shift = (start: number, length: number, available: number) => {
    if (length + 2 * padding > available) return available / 2 - (start + length / 2);
    if (start < padding) return padding - start;
    if (start + length > available - padding) return available - padding - (start + length);
    return 0;
  };
  return panBy(viewport, shift(screen.x, screen.w, stage.width), shift(screen.y, screen.h, stage.height));
}

function fitRect(rect: Rect, stage: Size, padding: number): Viewport {
  const available = { width: Math.max(1, stage.width - 2 * padding), height: Math.max(1, stage.height - 2 * padding) };
  const scale = clamp(Math.min(available.width / rect.w, available.height / rect.h), MIN_SCALE, MAX_SCALE);
  return { scale, x: stage.width / 2 - (rect.x + rect.w / 2) * scale, y: stage.height / 2 - (rect.y + rect.h / 2) * scale };
}

/** 1:1, centred. */
export function actualSizeViewport(image: Size, stage: Size): Viewport {
  return centred(image, stage, 1);
}

function centred(image: Size, stage: Size, scale: number): Viewport {
  return { scale, x: (stage.width - image.width * scale) / 2, y: (stage.height - image.height * scale) / 2 };
}

/** Zoom by `factor`, keeping the image point under `anchor` (screen) where it is. */
export function zoomAt(viewport: Viewport, factor: number, anchor: Point): Viewport {
  const scale = clamp(viewport.scale * factor, MIN_SCALE, MAX_SCALE);
  const ratio = scale / viewport.scale;
  return { scale, x: anchor.x - (anchor.x - viewport.x) * ratio, y: anchor.y - (anchor.y - viewport.y) * ratio };
}

export function panBy(viewport: Viewport, dx: number, dy: number): Viewport {
  return { ...viewport, x: viewport.x + dx, y: viewport.y + dy };
}

export function toImagePoint(viewport: Viewport, screen: Point): Point {
  return { x: (screen.x - viewport.x) / viewport.scale, y: (screen.y - viewport.y) / viewport.scale };
}

export function toScreenRect(viewport: Viewport, rect: Rect): Rect {
  return { x: rect.x * viewport.scale + viewport.x, y: rect.y * viewport.scale + viewport.y, w: rect.w * viewport.scale, h: rect.h * viewport.scale };
}

/** The rectangle spanned by two image points, inside the image. */
export function rectFromPoints(a: Point, b: Point, image: Size): Rect {
  const x1 = clamp(Math.min(a.x, b.x), 0, image.width);
  const y1 = clamp(Math.min(a.y, b.y), 0, image.height);
  const x2 = clamp(Math.max(a.x, b.x), 0, image.width);
  const y2 = clamp(Math.max(a.y, b.y), 0, image.height);
  return roundRect({ x: x1, y: y1, w: x2 - x1, h: y2 - y1 });
}

/** Moves a rectangle, keeping it wholly inside the image. */
export function moveRect(rect: Rect, dx: number, dy: number, image: Size): Rect {
  return roundRect({
    x: clamp(rect.x + dx, 0, Math.max(0, image.width - rect.w)),
    y: clamp(rect.y + dy, 0, Math.max(0, image.height - rect.h)),
    w: rect.w,
    h: rect.h,
  });
}

/** Drags one handle of a rectangle by (dx, dy); the opposite edges stay; never smaller than MIN_BOX_SIZE. */
export function resizeRect(rect: Rect, handle: Handle, dx: number, dy: number, image: Size): Rect {
  let left = rect.x;
  let top = rect.y;
  let right = rect.x + rect.w;
  let bottom = rect.y + rect.h;
  if (handle.includes('w')) left = clamp(left + dx, 0, right - MIN_BOX_SIZE);
  if (handle.includes('e')) right = clamp(right + dx, left + MIN_BOX_SIZE, image.width);
  if (handle.includes('n')) top = clamp(top + dy, 0, bottom - MIN_BOX_SIZE);
  if (handle.includes('s')) bottom = clamp(bottom + dy, top + MIN_BOX_SIZE, image.height);
  return roundRect({ x: left, y: top, w: right - left, h: bottom - top });
}

/** The redaction mask of a box: grown by `margin` × its size on every side, inside the image (as the daemon redacts). */
export function expandByMargin(rect: Rect, margin: number, image: Size): Rect {
  const dx = rect.w * margin;
  const dy = rect.h * margin;
  return rectFromPoints({ x: rect.x - dx, y: rect.y - dy }, { x: rect.x + rect.w + dx, y: rect.y + rect.h + dy }, image);
}

/** Boxes are stored with 0.01 px precision: enough for any zoom, and stable in JSON. */
function roundRect(rect: Rect): Rect {
  const round = (value: number) => Math.round(value * 100) / 100;
  return { x: round(rect.x), y: round(rect.y), w: round(rect.w), h: round(rect.h) };
}
