/**
 * Mouse and pen on the stage: click to select, drag a box to move it, drag a handle to resize, drag on
 * the image to draw a new box, wheel to zoom, Space+drag or middle-drag to pan. A gesture becomes one
 * review edit when it ends (one undo step, one message).
 */
import type { Rect } from '../daemon/protocol';
import { manualBox, withRect } from './boxEdits';
import {
  MIN_BOX_SIZE,
  moveRect,
  panBy,
  rectFromPoints,
  resizeRect,
  toImagePoint,
  zoomAt,
  type Handle,
  type Point,
  type Viewport,
} from './geometry';
import { ImageView } from './imageView';
import type { ReviewStore } from './store';

/** A press that moves less than this (screen pixels) is a click. */
const CLICK_TOLERANCE = 3;

type Gesture =
  | { kind: 'pan'; origin: Point; viewport: Viewport }
  | { kind: 'move'; origin: Point; boxId: string; rect: Rect }
  | { kind: 'resize'; origin: Point; boxId: string; handle: Handle; rect: Rect }
  | { kind: 'draw'; origin: Point };

/** What a finished gesture does to a video (an image's boxes are edited here): its tracks' keyframes at the frame shown. */
export interface VideoBoxEditing {
  placeBox(trackId: string, rect: Rect): void;
  drawBox(rect: Rect): void;
}

export function installPointerEditing(stage: HTMLElement, store: ReviewStore, view: ImageView, video: VideoBoxEditing): void {
  let gesture: Gesture | null = null;
  let result: Rect | null = null;
  let spaceHeld = false;

  const stagePoint = (event: MouseEvent): Point => {
    const bounds = stage.getBoundingClientRect();
    return { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
  };
  const imageDelta = (event: PointerEvent, origin: Point): Point => {
    const scale = view.viewport().scale;
    const point = stagePoint(event);
    return { x: (point.x - origin.x) / scale, y: (point.y - origin.y) / scale };
  };

  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 && event.button !== 1) return;
    const entry = store.currentEntry();
    if (!entry) return;
    event.preventDefault();
    stage.focus();
    const origin = stagePoint(event);
    const hit = ImageView.hitTarget(event.target);
    const box = hit ? store.currentBoxes().find((candidate) => candidate.id === hit.boxId) : undefined;
    if (event.button === 1 || spaceHeld) gesture = { kind: 'pan', origin, viewport: view.viewport() };
    else if (box && hit?.handle && box.id === store.ui.selectedId) gesture = { kind: 'resize', origin, boxId: box.id, handle: hit.handle as Handle, rect: box };
    else if (box) {
      store.select(box.id);
      gesture = { kind: 'move', origin, boxId: box.id, rect: box };
    } else gesture = { kind: 'draw', origin };
    result = null;
    stage.setPointerCapture(event.pointerId);
    stage.dataset.gesture = gesture.kind;
  });

  stage.addEventListener('pointermove', (event) => {
    const entry = store.currentEntry();
    if (!gesture || !entry) return;
    const point = stagePoint(event);
    const moved = Math.hypot(point.x - gesture.origin.x, point.y - gesture.origin.y) > CLICK_TOLERANCE;
    const delta = imageDelta(event, gesture.origin);
    switch (gesture.kind) {
      case 'pan':
        store.setViewport(panBy(gesture.viewport, point.x - gesture.origin.x, point.y - gesture.origin.y));
        return;
      case 'move':
        result = moved ? moveRect(gesture.rect, delta.x, delta.y, entry) : null;
        break;
      case 'resize':
        result = resizeRect(gesture.rect, gesture.handle, delta.x, delta.y, entry);
        break;
      case 'draw': {
        const viewport = view.viewport();
        result = moved ? rectFromPoints(toImagePoint(viewport, gesture.origin), toImagePoint(viewport, point), entry) : null;
        break;
      }
    }
    view.showDraft(result);
  });

  const finish = (commit: boolean) => {
    if (!gesture) return;
    delete stage.dataset.gesture;
    view.showDraft(null);
    if (commit) commitGesture(gesture, result);
    gesture = null;
    result = null;
  };

  const commitGesture = (done: Gesture, rect: Rect | null) => {
    const boxes = store.currentBoxes();
    const isVideo = store.currentVideo() !== undefined;
    if (done.kind === 'draw') {
      if (rect && rect.w >= MIN_BOX_SIZE && rect.h >= MIN_BOX_SIZE) {
        if (isVideo) return video.drawBox(rect);
        const box = manualBox(rect);
        store.edit({ boxes: [...boxes, box], selectedId: box.id });
      } else if (!rect) store.select(null);
    } else if ((done.kind === 'move' || done.kind === 'resize') && rect) {
      if (isVideo) video.placeBox(done.boxId, rect);
      else store.edit({ boxes: withRect(boxes, done.boxId, rect) });
    }
  };

  stage.addEventListener('pointerup', () => finish(true));
  stage.addEventListener('pointercancel', () => finish(false));
  stage.addEventListener('lostpointercapture', () => finish(false));

  stage.addEventListener(
    'wheel',
    (event) => {
      if (!store.currentEntry()) return;
      event.preventDefault();
      store.setViewport(zoomAt(view.viewport(), Math.exp(-event.deltaY * 0.0015), stagePoint(event)));
    },
    { passive: false },
  );

  document.addEventListener('keydown', (event) => {
    if (event.key !== ' ' || !stage.contains(document.activeElement)) return;
    event.preventDefault();
    spaceHeld = true;
    stage.classList.add('is-space-held');
  });
  document.addEventListener('keyup', (event) => {
    if (event.key !== ' ') return;
    spaceHeld = false;
    stage.classList.remove('is-space-held');
  });
}
