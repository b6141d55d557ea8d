/**
 * The webview's state: the dataset (entries, their rows, the review records asked for, settings), the UI state, and the
 * undo history of review edits. Views subscribe and re-render what a change touches; every review edit is
 * handed to `onReviewEdit` at once (main.ts posts it to the extension).
 */
import { DEFAULT_DOUBT_MARGIN, DEFAULT_MARGIN, type Box, type ImageRecord, type ImageStatus, type RedactionMode, type ReviewRow, type Track, type VideoInfo } from '../daemon/protocol';
import { facesOf, reviewRow } from '../daemon/review/rows';
import type { Viewport } from './geometry';
import { buildImageList, computeProgress, DEFAULT_LOW_CONFIDENCE, type Filter, type Order, type Progress } from './imageList';
import type { DatasetLoadParams, RedactionSettings, WebviewEntry } from './protocol';
import { UndoStack } from './undoStack';
import { visibleBoxes } from './boxEdits';
import { boxesAtFrame } from './video/trackBoxes';

export type ReviewedStatus = Exclude<ImageStatus, 'committed'>;

/** What changed, so views redraw only that. */
export type Change =
  | { kind: 'dataset' }
  | { kind: 'record'; file: string }
  | { kind: 'current' }
  | { kind: 'selection' }
  | { kind: 'viewport' }
  | { kind: 'list' }
  | { kind: 'thumbnails' }
  | { kind: 'settings' }
  | { kind: 'preview' }
  /** The video's playhead shows another frame. */
  | { kind: 'frame' };

/** UI state that survives the panel being hidden (saved with `setState`). */
export interface UiState {
  file: string | null;
  selectedId: string | null;
  filter: Filter;
  order: Order;
  /** null: fit the image to the stage. */
  viewport: Viewport | null;
  preview: boolean;
  /** The boxes are hidden to see the faces under them (nothing about them changes). */
  boxesHidden: boolean;
  /** Possible faces (scored under the threshold) are drawn, faintly, and can be selected. */
  possibleShown: boolean;
  /**
   * The redaction mode this panel previews; null: the `veil.redaction.mode` setting's. A panel's choice never changes
   * the setting (another panel, and every commit, keep using the setting).
   */
  previewMode: RedactionMode | null;
}

/** What the panel saved before it was hidden: its UI state and the video's playhead then. */
export interface SavedUi {
  ui: UiState;
  frame: number;
}

interface ReviewSnapshot {
  boxes: Box[];
  /** A video's tracks (undefined for an image). */
  tracks: Track[] | undefined;
  status: ImageStatus;
}
interface ReviewEdit {
  file: string;
  before: ReviewSnapshot;
  after: ReviewSnapshot;
  /** Box (a video's: track) selected after the edit (so undo/redo show what changed). */
  selectedId: string | null;
}

export type ReviewEditListener = (record: ImageRecord) => void;

export class ReviewStore {
  entries: WebviewEntry[] = [];
  settings: RedactionSettings = { mode: 'fill', margin: DEFAULT_MARGIN, doubtMargin: DEFAULT_DOUBT_MARGIN, shape: 'rect' };
  ui: UiState = { file: null, selectedId: null, filter: 'all', order: 'name', viewport: null, preview: false, boxesHidden: false, possibleShown: false, previewMode: null };
  /** The filmstrip's files: filtered and ordered. */
  list: string[] = [];
  /** The frame of the current video on screen (0 for an image): its tracks' boxes at that frame are its boxes. */
  frame = 0;

  private files: string[] = [];
  private entryByFile = new Map<string, WebviewEntry>();
  /** Every entry's row: what the filmstrip lists, filters, orders and counts. */
  private rows = new Map<string, ReviewRow>();
  /**
   * The records this panel holds: those it asked for (`record/request`, for the image shown and its neighbours in the
   * list) or heard of since the load, and those of the entries without one (unreviewed, no boxes).
   */
  private records = new Map<string, ImageRecord>();
  /** Records asked for and not here yet. */
  private readonly requested = new Set<string>();
  private readonly thumbnails = new Map<string, string>();
  private readonly history = new UndoStack<ReviewEdit>();
  /** currentBoxes() of a video, kept while neither its record nor the frame changes (drawn at every frame played). */
  private framed: { record: ImageRecord; frame: number; boxes: Box[] } | undefined;
  private readonly listeners = new Set<(change: Change) => void>();

  constructor(private readonly onReviewEdit: ReviewEditListener) {}

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  // ---- Dataset ---------------------------------------------------------------------------------------

  /** Replaces the dataset; keeps the UI state where it still applies (the panel was hidden and re-created). */
  load(dataset: DatasetLoadParams, saved: SavedUi | null): void {
    const restored = saved?.ui ?? null;
    this.entries = [...dataset.entries].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    this.files = this.entries.map((entry) => entry.file);
    const previous = this.entryByFile;
    this.entryByFile = new Map(this.entries.map((entry) => [entry.file, entry]));
    // A thumbnail of another version of the file (e.g. before a commit) shows pixels that are gone.
    for (const file of [...this.thumbnails.keys()]) if (this.entryByFile.get(file)?.version !== previous.get(file)?.version) this.thumbnails.delete(file);
    const given = new Map(dataset.rows.map((row) => [row.file, row]));
    const held = this.records;
    this.rows = new Map(this.entries.map((entry) => [entry.file, given.get(entry.file) ?? reviewRow(unreviewedRecord(entry))]));
    // A record held still is the one its row describes when their revisions agree (a revision names one write).
    this.records = new Map(
      this.entries.flatMap((entry): Array<[string, ImageRecord]> => {
        const row = given.get(entry.file);
        const kept = held.get(entry.file);
        if (!row) return [[entry.file, unreviewedRecord(entry)]];
        return kept && (kept.revision ?? 0) === row.revision ? [[entry.file, kept]] : [];
      }),
    );
    this.requested.clear();
    this.settings = dataset.settings;
    this.history.clear();
    const ui = restored ?? this.ui;
    const shown = this.ui.file;
    const file = ui.file !== null && this.entryByFile.has(ui.file) ? ui.file : null;
    this.ui = { ...ui, file, selectedId: file === ui.file ? ui.selectedId : null, viewport: file === ui.file ? ui.viewport : null };
    this.rebuildList();
    if (this.ui.file === null) this.ui.file = this.list[0] ?? this.entries[0]?.file ?? null;
    // A video still shown keeps its playhead (its player keeps playing the same copy); the one shown when the panel
    // was hidden is shown again at the frame it was on; another starts at frame 0.
    if (saved && this.ui.file === saved.ui.file && this.currentVideo()) this.frame = Math.min(saved.frame, Math.max(0, this.currentVideo()!.frames - 1));
    else if (this.ui.file !== shown) this.frame = 0;
    // A selection is kept until the record it names comes (`loadRecord` checks it then).
    if (this.ui.selectedId !== null && this.ui.file !== null && this.records.has(this.ui.file) && !this.selectableIds().includes(this.ui.selectedId)) this.ui.selectedId = null;
    this.emit({ kind: 'dataset' });
  }

  entry(file: string): WebviewEntry | undefined {
    return this.entryByFile.get(file);
  }

  /**
   * The review record of a file of the dataset (one without a record from the daemon has none yet: no boxes,
   * unreviewed). One whose record is on its way (`hasRecord` false) reads as its row says, without boxes or tracks.
   */
  record(file: string): ImageRecord {
    const record = this.records.get(file);
    if (record) return record;
    const entry = this.entryByFile.get(file);
    const row = this.rows.get(file);
    if (!entry || !row) throw new Error(`${file} is not in the dataset`);
    return { file, width: entry.width, height: entry.height, boxes: [], status: row.status, revision: row.revision, ...(row.video ? { video: row.video, tracks: [] } : {}) };
  }

  /** Whether the panel holds the file's review record (boxes and tracks): only then can it be edited. */
  hasRecord(file: string): boolean {
    return this.records.has(file);
  }

  row(file: string): ReviewRow {
    const row = this.rows.get(file);
    if (!row) throw new Error(`${file} is not in the dataset`);
    return row;
  }

  /**
   * The records to ask for now: the image shown and its neighbours in the list (so that stepping through shows boxes at
   * once), those not held nor asked for already. Each is counted as asked for.
   */
  recordsToRequest(): string[] {
    const at = this.ui.file === null ? -1 : this.list.indexOf(this.ui.file);
    const wanted = [this.ui.file, this.list[at - 1], this.list[at + 1]].filter((file): file is string => file !== null && file !== undefined);
    const missing = wanted.filter((file) => this.entryByFile.has(file) && !this.records.has(file) && !this.requested.has(file));
    for (const file of missing) this.requested.add(file);
    return missing;
  }

  /** A record asked for has come; taken unless the panel heard of the image since (`replaceRecord`). */
  loadRecord(record: ImageRecord): void {
    this.requested.delete(record.file);
    if (!this.entryByFile.has(record.file) || this.records.has(record.file)) return;
    this.hold(record);
    if (record.file === this.ui.file && this.ui.selectedId !== null && !this.selectableIds().includes(this.ui.selectedId)) this.ui = { ...this.ui, selectedId: null };
    this.rebuildList();
    this.emit({ kind: 'record', file: record.file });
  }

  progress(): Progress {
    return computeProgress(this.rows.values());
  }

  get lowConfidence(): number {
    return this.settings.lowConfidence ?? DEFAULT_LOW_CONFIDENCE;
  }

  // ---- Current image and selection -------------------------------------------------------------------

  currentEntry(): WebviewEntry | undefined {
    return this.ui.file === null ? undefined : this.entryByFile.get(this.ui.file);
  }

  /** The current image's boxes; a video's: its tracks' boxes at the frame on screen (each with its track's id). */
  currentBoxes(): Box[] {
    if (this.ui.file === null) return [];
    const record = this.record(this.ui.file);
    if (!record.video) return record.boxes;
    if (this.framed?.record !== record || this.framed.frame !== this.frame) this.framed = { record, frame: this.frame, boxes: boxesAtFrame(record.tracks ?? [], this.frame) };
    return this.framed.boxes;
  }

  /** The current video's facts (undefined for an image). */
  currentVideo(): VideoInfo | undefined {
    return this.ui.file === null ? undefined : this.record(this.ui.file).video;
  }

  /** The current video's tracks (none for an image). */
  currentTracks(): Track[] {
    return this.ui.file === null ? [] : (this.record(this.ui.file).tracks ?? []);
  }

  /** The current image's faces to decide on: its boxes; a video's tracks (also where they have no box at this frame). */
  currentFaces(): readonly (Box | Track)[] {
    return this.ui.file === null ? [] : facesOf(this.record(this.ui.file));
  }

  /** What can be selected: the current faces. */
  private selectableIds(): string[] {
    return this.currentFaces().map((face) => face.id);
  }

  /** The current video's playhead is on `frame` (its frame on screen). */
  setFrame(frame: number): void {
    if (frame === this.frame) return;
    this.frame = frame;
    this.emit({ kind: 'frame' });
  }

  /** The current image's boxes as drawn: possible faces only while shown. */
  shownBoxes(): Box[] {
    return visibleBoxes(this.currentBoxes(), this.ui.possibleShown);
  }

  selectedBox(): Box | undefined {
    return this.currentBoxes().find((box) => box.id === this.ui.selectedId);
  }

  open(file: string): void {
    if (!this.entryByFile.has(file) || file === this.ui.file) return;
    this.ui = { ...this.ui, file, selectedId: null, viewport: null };
    this.frame = 0;
    this.rebuildList();
    this.emit({ kind: 'current' });
  }

  select(id: string | null): void {
    if (id === this.ui.selectedId) return;
    this.ui = { ...this.ui, selectedId: id };
    this.emit({ kind: 'selection' });
  }

  setViewport(viewport: Viewport | null): void {
    this.ui = { ...this.ui, viewport };
    this.emit({ kind: 'viewport' });
  }

  setFilter(filter: Filter): void {
    this.ui = { ...this.ui, filter };
    this.rebuildList();
  }

  setOrder(order: Order): void {
    this.ui = { ...this.ui, order };
    this.rebuildList();
  }

  setPreview(preview: boolean): void {
    this.ui = { ...this.ui, preview };
    this.emit({ kind: 'preview' });
  }

  setPreviewMode(mode: RedactionMode): void {
    this.ui = { ...this.ui, previewMode: mode === this.settings.mode ? null : mode };
    this.emit({ kind: 'preview' });
  }

  /** The mode the preview draws: this panel's choice, else the setting's (the one commits use). */
  get previewedMode(): RedactionMode {
    return this.ui.previewMode ?? this.settings.mode;
  }

  setBoxesHidden(boxesHidden: boolean): void {
    this.ui = { ...this.ui, boxesHidden };
    this.emit({ kind: 'preview' });
  }

  /** Shows or hides the possible faces; a possible face selected when they are hidden is deselected. */
  setPossibleShown(possibleShown: boolean): void {
    const deselect = !possibleShown && this.selectedBox()?.state === 'possible';
    this.ui = { ...this.ui, possibleShown, selectedId: deselect ? null : this.ui.selectedId };
    this.emit({ kind: 'preview' });
  }

  setSettings(settings: RedactionSettings): void {
    this.settings = settings;
    this.rebuildList();
    this.emit({ kind: 'settings' });
  }

  // ---- Thumbnails ------------------------------------------------------------------------------------

  thumbnail(file: string): string | undefined {
    return this.thumbnails.get(file);
  }

  addThumbnails(thumbs: Record<string, string>): void {
    for (const [file, uri] of Object.entries(thumbs)) if (this.entryByFile.has(file)) this.thumbnails.set(file, uri);
    this.emit({ kind: 'thumbnails' });
  }

  // ---- Review edits (undoable, sent at once) -----------------------------------------------------------

  /**
   * Replaces the current image's boxes, or the current video's tracks (and optionally its status) as one undoable
   * step. A video's boxes are its tracks' at a frame: a change of them is no edit (the track edits make the keyframes).
   */
  edit(change: { boxes?: Box[]; tracks?: Track[]; status?: ReviewedStatus; selectedId?: string | null }): void {
    const file = this.ui.file;
    // An image whose record is on its way takes no edit: it would be made on boxes the panel does not hold.
    if (file === null || !this.records.has(file)) return;
    const record = this.record(file);
    if (record.status === 'committed') return;
    const before: ReviewSnapshot = { boxes: record.boxes, tracks: record.tracks, status: record.status };
    const after: ReviewSnapshot = record.video
      ? { boxes: record.boxes, tracks: change.tracks ?? record.tracks, status: change.status ?? record.status }
      : { boxes: change.boxes ?? record.boxes, tracks: record.tracks, status: change.status ?? record.status };
    if (after.boxes === before.boxes && after.tracks === before.tracks && after.status === before.status) return;
    const selectedId = change.selectedId === undefined ? this.ui.selectedId : change.selectedId;
    this.history.push({ file, before, after, selectedId });
    this.applyEdit(file, after, selectedId);
  }

  undo(): boolean {
    const step = this.history.undo();
    if (step) this.applyEdit(step.file, step.before, this.ui.file === step.file ? this.ui.selectedId : null);
    return step !== undefined;
  }

  redo(): boolean {
    const step = this.history.redo();
    if (step) this.applyEdit(step.file, step.after, step.selectedId);
    return step !== undefined;
  }

  private applyEdit(file: string, snapshot: ReviewSnapshot, selectedId: string | null): void {
    const record: ImageRecord = { ...this.record(file), boxes: snapshot.boxes, status: snapshot.status, ...(snapshot.tracks ? { tracks: snapshot.tracks } : {}) };
    this.hold(record);
    if (file !== this.ui.file) {
      this.ui = { ...this.ui, file, viewport: null };
      this.frame = 0;
      this.emit({ kind: 'current' });
    }
    const stillThere = this.selectableIds().some((id) => id === selectedId);
    this.ui = { ...this.ui, selectedId: stillThere ? selectedId : null };
    this.onReviewEdit(record);
    this.rebuildList();
    this.emit({ kind: 'record', file });
  }

  /**
   * The daemon's version of a record: a confirmation, or (`fromElsewhere`) a change made elsewhere or a refused
   * edit, after which this panel's undo steps of that image are forgotten (undoing them would undo the other change).
   */
  replaceRecord(record: ImageRecord, fromElsewhere = false): void {
    if (!this.entryByFile.has(record.file)) return;
    if (fromElsewhere) this.history.forget((step) => step.file === record.file);
    this.hold(record);
    if (record.file === this.ui.file && this.ui.selectedId !== null && !this.selectableIds().includes(this.ui.selectedId)) this.ui = { ...this.ui, selectedId: null };
    this.rebuildList();
    this.emit({ kind: 'record', file: record.file });
  }

  /** Holds `record` and makes its row. */
  private hold(record: ImageRecord): void {
    this.records.set(record.file, record);
    this.rows.set(record.file, reviewRow(record));
  }

  private rebuildList(): void {
    this.list = buildImageList(
      this.files,
      (file) => this.row(file),
      this.ui.filter,
      this.ui.order,
      this.lowConfidence,
      this.ui.file,
    );
    this.emit({ kind: 'list' });
  }
}

function unreviewedRecord(entry: WebviewEntry): ImageRecord {
  return { file: entry.file, width: entry.width, height: entry.height, boxes: [], status: 'unreviewed' };
}
