/** What each command of the catalog does. Keyboard, toolbar and tests all go through these. */
import { REDACTION_MODES, type Box } from '../daemon/protocol';
import { manualBox, neighbourBox, undecidedBoxes, withRect, withState, withUndecidedDecided, without } from './boxEdits';
import type { CommandId } from './commandCatalog';
import { actualSizeViewport, focusViewport, moveRect, panBy, resizeRect, revealRect, toImagePoint, zoomAt, type Handle } from './geometry';
import { FILTERS } from './imageList';
import type { ImageView } from './imageView';
import type { ReviewStore } from './store';
import type { VideoCommandHandlers } from './video/videoCommands';

export interface CommandContext {
  /** Shift was held: nudges go 10 px instead of 1. */
  large: boolean;
}
export type CommandHandlers = Record<CommandId, (context: CommandContext) => void>;

export interface CommandEnvironment {
  store: ReviewStore;
  view: ImageView;
  toggleHelp(): void;
  closeHelp(): boolean;
  focusList(): void;
  /** Marking reviewed was refused: these proposals (a video's: tracks) are still undecided (the image stays on screen). */
  refuseReviewed(undecided: ReadonlyArray<{ id: string }>): void;
  /** The video commands (they run while a video is shown). */
  video: VideoCommandHandlers;
}

const ZOOM_STEP = 1.25;
const PAN_STEP = 40;

export function createCommands({ store, view, toggleHelp, closeHelp, focusList, refuseReviewed, video }: CommandEnvironment): CommandHandlers {
  const selected = () => store.selectedBox();
  const setSelectedState = (state: 'accepted' | 'rejected' | 'proposed') => {
    const box = selected();
    if (box) store.edit({ boxes: withState(store.currentBoxes(), new Set([box.id]), state) });
  };
  const stepImage = (step: 1 | -1) => {
    const list = store.list;
    const index = store.ui.file === null ? -1 : list.indexOf(store.ui.file);
    const next = list[Math.min(list.length - 1, Math.max(0, index + step))];
    if (next !== undefined) store.open(next);
  };
  const nextUnreviewed = () => {
    const list = store.list;
    const start = store.ui.file === null ? -1 : list.indexOf(store.ui.file);
    for (let offset = 1; offset <= list.length; offset++) {
      const file = list[(start + offset) % list.length]!;
      if (file !== store.ui.file && store.record(file).status === 'unreviewed') return store.open(file);
    }
  };
  /** Moves the selected box, or pans the view when nothing is selected. */
  const nudge = (dx: number, dy: number) => ({ large }: CommandContext) => {
    const box = selected();
    const entry = store.currentEntry();
    const step = large ? 10 : 1;
    if (box && entry) store.edit({ boxes: withRect(store.currentBoxes(), box.id, moveRect(box, dx * step, dy * step, entry)) });
    else store.setViewport(panBy(view.viewport(), -dx * PAN_STEP * step, -dy * PAN_STEP * step));
  };
  const resize = (handle: Handle, dx: number, dy: number) => ({ large }: CommandContext) => {
    const box = selected();
    const entry = store.currentEntry();
    const step = large ? 10 : 1;
    if (box && entry) store.edit({ boxes: withRect(store.currentBoxes(), box.id, resizeRect(box, handle, dx * step, dy * step, entry)) });
  };
  const zoom = (factor: number) => () => {
    const stage = view.stageSize();
    store.setViewport(zoomAt(view.viewport(), factor, { x: stage.width / 2, y: stage.height / 2 }));
  };
  /** Marks the image reviewed; false (refused, as the daemon would) while a proposal is neither accepted nor rejected. */
  const markReviewed = (): boolean => {
    const undecided = undecidedBoxes(store.currentFaces());
    if (undecided.length > 0) {
      refuseReviewed(undecided);
      return false;
    }
    store.edit({ status: 'reviewed' });
    return true;
  };
  /** Accepts or rejects every undecided proposal: an image's boxes, a video's tracks (whole). */
  const decideUndecided = (state: 'accepted' | 'rejected') => {
    if (store.currentVideo()) store.edit({ tracks: withUndecidedDecided(store.currentTracks(), state) });
    else store.edit({ boxes: withUndecidedDecided(store.currentBoxes(), state) });
  };
  /** Selects the face after (1) or before (-1) the selected one and pans it into view. */
  const selectNeighbour = (step: 1 | -1) => {
    const box = neighbourBox(store.shownBoxes(), store.ui.selectedId, step);
    store.select(box?.id ?? null);
    if (box) reveal(box);
  };
  const reveal = (box: Box) => {
    const viewport = view.viewport();
    const revealed = revealRect(viewport, box, view.stageSize());
    if (revealed.x !== viewport.x || revealed.y !== viewport.y) store.setViewport(revealed);
  };

  return {
    'image.previous': () => stepImage(-1),
    'image.next': () => stepImage(1),
    'image.nextUnreviewed': nextUnreviewed,
    'image.markReviewed': markReviewed,
    'image.markReviewedAndNext': () => {
      if (markReviewed()) nextUnreviewed();
    },
    'image.markUnreviewed': () => store.edit({ status: 'unreviewed' }),
    'box.next': () => selectNeighbour(1),
    'box.previous': () => selectNeighbour(-1),
    'box.accept': () => setSelectedState('accepted'),
    'box.reject': () => setSelectedState('rejected'),
    // Only a possible face becomes a proposal: a decided face keeps its decision.
    'box.promote': () => {
      if (selected()?.state === 'possible') setSelectedState('proposed');
    },
    'box.delete': () => {
      const box = selected();
      if (!box) return;
      const next = neighbourBox(store.currentBoxes(), box.id, 1);
      store.edit({ boxes: without(store.currentBoxes(), box.id), selectedId: next && next.id !== box.id ? next.id : null });
    },
    'box.acceptAll': () => decideUndecided('accepted'),
    'box.rejectAll': () => decideUndecided('rejected'),
    'box.add': () => {
      const entry = store.currentEntry();
      if (!entry) return;
      const stage = view.stageSize();
      const centre = toImagePoint(view.viewport(), { x: stage.width / 2, y: stage.height / 2 });
      const side = Math.max(8, Math.round(Math.min(entry.width, entry.height) / 8));
      const box = manualBox(moveRect({ x: centre.x - side / 2, y: centre.y - side / 2, w: side, h: side }, 0, 0, entry));
      store.edit({ boxes: [...store.currentBoxes(), box], selectedId: box.id });
    },
    'box.deselect': () => {
      if (!closeHelp()) store.select(null);
    },
    'box.moveLeft': nudge(-1, 0),
    'box.moveRight': nudge(1, 0),
    'box.moveUp': nudge(0, -1),
    'box.moveDown': nudge(0, 1),
    'box.narrower': resize('e', -1, 0),
    'box.wider': resize('e', 1, 0),
    'box.shorter': resize('s', 0, -1),
    'box.taller': resize('s', 0, 1),
    'edit.undo': () => store.undo(),
    'edit.redo': () => store.redo(),
    'view.zoomIn': zoom(ZOOM_STEP),
    'view.zoomOut': zoom(1 / ZOOM_STEP),
    'view.fit': () => store.setViewport(null),
    'view.actualSize': () => {
      const entry = store.currentEntry();
      if (entry) store.setViewport(actualSizeViewport(entry, view.stageSize()));
    },
    'view.zoomToSelection': () => {
      // Without a selection, the first face: the key works from the moment an image opens.
      const box = selected() ?? neighbourBox(store.shownBoxes(), null, 1);
      if (!box) return;
      store.select(box.id);
      store.setViewport(focusViewport(box, view.stageSize()));
    },
    'view.toggleBoxes': () => store.setBoxesHidden(!store.ui.boxesHidden),
    'view.togglePossible': () => store.setPossibleShown(!store.ui.possibleShown),
    'preview.toggle': () => store.setPreview(!store.ui.preview),
    'preview.nextMode': () => store.setPreviewMode(REDACTION_MODES[(REDACTION_MODES.indexOf(store.previewedMode) + 1) % REDACTION_MODES.length]!),
    'list.nextFilter': () => {
      const index = FILTERS.findIndex((filter) => filter.value === store.ui.filter);
      store.setFilter(FILTERS[(index + 1) % FILTERS.length]!.value);
    },
    'list.toggleOrder': () => store.setOrder(store.ui.order === 'name' ? 'confidence' : 'name'),
    'list.focus': focusList,
    'help.toggle': toggleHelp,
    ...video,
  };
}
