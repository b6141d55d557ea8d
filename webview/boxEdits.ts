/** Pure operations on an image's box list; each returns a new list (the store keeps the old one for undo). */
import type { Box, BoxState, Rect } from '../daemon/protocol';

/** How a box is drawn and announced. */
export type BoxKind = 'proposed' | 'accepted' | 'rejected' | 'manual' | 'possible';

/** (A video's track is drawn as its boxes are: the same kinds, from its state and source.) */
export function boxKind(box: Pick<Box, 'state' | 'source'>): BoxKind {
  if (box.state === 'rejected') return 'rejected';
  return box.source === 'manual' ? 'manual' : box.state;
}

export function describeBox(box: Box, index: number, count: number): string {
  const score = box.score === null ? 'drawn by hand' : `score ${box.score.toFixed(2)}`;
  return `Face ${index + 1} of ${count}, ${boxKind(box)}, ${score}${box.edited ? ', adjusted by hand' : ''}`;
}

/** The boxes a commit redacts: every box a person did not reject, except possible faces nobody promoted. */
export function boxesToRedact(boxes: readonly Box[]): Box[] {
  return boxes.filter((box) => box.state !== 'rejected' && box.state !== 'possible');
}

/** (These decisions apply to a video's tracks as to an image's boxes: both have an id and a state.) */
type Decided = Pick<Box, 'id' | 'state'>;

export function withState<Item extends Decided>(boxes: readonly Item[], ids: ReadonlySet<string>, state: BoxState): Item[] {
  return boxes.map((box) => (ids.has(box.id) && box.state !== state ? { ...box, state } : box));
}

/** The boxes drawn on the image: possible faces only while they are shown (`view.togglePossible`). */
export function visibleBoxes(boxes: readonly Box[], possibleShown: boolean): Box[] {
  return possibleShown ? [...boxes] : boxes.filter((box) => box.state !== 'possible');
}

/** Proposals nobody has accepted or rejected yet: an image is not marked reviewed while it has any. */
export function undecidedBoxes<Item extends Decided>(boxes: readonly Item[]): Item[] {
  return boxes.filter((box) => box.state === 'proposed');
}

/**
 * Accept or reject every undecided proposal. A face a person already decided keeps that decision: "accept all"
 * never brings back a face rejected as a false alarm, "reject all" never leaves an accepted face bare.
 */
export function withUndecidedDecided<Item extends Decided>(boxes: readonly Item[], state: BoxState): Item[] {
  return withState(boxes, new Set(undecidedBoxes(boxes).map((box) => box.id)), state);
}

export function withRect(boxes: readonly Box[], id: string, rect: Rect): Box[] {
  return boxes.map((box) =>
    box.id === id && (box.x !== rect.x || box.y !== rect.y || box.w !== rect.w || box.h !== rect.h)
      ? { ...box, ...rect, edited: box.source === 'model' ? true : box.edited }
      : box,
  );
}

export function without(boxes: readonly Box[], id: string): Box[] {
  return boxes.filter((box) => box.id !== id);
}

let drawnCount = 0;
/** A box drawn by hand: accepted (a person saw a face there). */
export function manualBox(rect: Rect): Box {
  drawnCount++;
  const id = `manual-${Date.now().toString(36)}-${drawnCount.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return { id, ...rect, score: null, source: 'manual', state: 'accepted', edited: false };
}

/** The box after (step 1) or before (step -1) the selected one, wrapping; the first/last when none is selected. */
export function neighbourBox(boxes: readonly Box[], selectedId: string | null, step: 1 | -1): Box | undefined {
  if (boxes.length === 0) return undefined;
  const index = boxes.findIndex((box) => box.id === selectedId);
  if (index < 0) return step === 1 ? boxes[0] : boxes[boxes.length - 1];
  return boxes[(index + step + boxes.length) % boxes.length];
}
