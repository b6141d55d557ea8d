/**
 * The contract between the review webview and the extension host: plain types and guards, imported by
 * both sides. Every message is a typed constant with an `is()` guard; receivers validate what arrives.
 *
 * Messages are flat objects `{ type, ...params }` sent with `postMessage`. Coordinates are pixels of the
 * image as displayed (EXIF orientation applied), as everywhere in Veil. `file` is relative to the
 * dataset root, with forward slashes.
 *
 * Ordering: the webview sends `ready` once its listener is installed; the extension must not post
 * before that (messages posted earlier, or while the panel is hidden, are dropped), and answers `ready`
 * with `dataset/load` every time (the webview is re-created after being hidden).
 */
import {
  EDITABLE_STATUSES,
  MASK_SHAPES,
  REDACTION_MODES,
  isBox,
  isFiniteNumber,
  isImageRecord,
  isOneOf,
  isRecord,
  isReviewRow,
  isTrack,
  type Box,
  type EditableStatus,
  type ImageRecord,
  type MaskShape,
  type RedactionMode,
  type ReviewRow,
  type Track,
} from '../daemon/protocol';
import { isCommandId, type CommandId } from './commandCatalog';

export const WEBVIEW_PROTOCOL_VERSION = 3;

export type Message<Type extends string, Params> = { type: Type } & Params;

export interface MessageDefinition<Type extends string, Params> {
  readonly type: Type;
  create(params: Params): Message<Type, Params>;
  is(value: unknown): value is Message<Type, Params>;
}

/** The message type a definition describes. */
export type MessageOf<Definition> = Definition extends MessageDefinition<infer Type, infer Params> ? Message<Type, Params> : never;

function defineMessage<Type extends string, Params>(
  type: Type,
  hasParams: (value: Record<string, unknown>) => boolean,
): MessageDefinition<Type, Params> {
  return {
    type,
    create: (params) => ({ type, ...params }),
    is: (value): value is Message<Type, Params> => isRecord(value) && value.type === type && hasParams(value),
  };
}

// ---- Shared shapes ---------------------------------------------------------------------------------

/**
 * Where the keyboard focus is, as far as the review's keys go: `stage` (the image or anything that takes no keys),
 * `list` (the filmstrip: its arrows, Page Up/Down, Home and End move in it), `button` (Enter and Space press it),
 * `field` (a picker: every key but Escape is its own), `outside` (the page does not have the focus).
 */
export const FOCUS_PLACES = ['stage', 'list', 'button', 'field', 'outside'] as const;
export type FocusPlace = (typeof FOCUS_PLACES)[number];

/** One image of the dataset, as the webview loads it. */
export interface WebviewEntry {
  file: string;
  /**
   * `asWebviewUri(...)` of the image, with a `?v=<mtime>` cache-buster; null when no browser decodes its
   * format (TIFF): the webview then asks for a JPEG display copy with `displayCopy/request`.
   */
  imageUri: string | null;
  /** Changes whenever the file's content does (size, mtime): cached renditions of another version are dropped. */
  version: string;
  /** Displayed size in pixels (EXIF orientation applied). */
  width: number;
  height: number;
}

export interface RedactionSettings {
  mode: RedactionMode;
  /** Extra margin on every side of each box, as a fraction of its size, and more for doubted model boxes (`marginFor`). */
  margin: number;
  doubtMargin: number;
  shape: MaskShape;
  /** Model scores below this count as low confidence (filter "low-confidence"); default 0.6. */
  lowConfidence?: number;
}

// ---- Webview → extension --------------------------------------------------------------------------

/** The webview is listening; answer with `dataset/load`. */
export const Ready = defineMessage<'ready', { version: number }>('ready', (m) => isFiniteNumber(m.version));

/**
 * A change to one image's review state, sent at once on every edit (box accepted, moved, drawn, undone, image
 * marked reviewed ...). `boxes` is the complete new list; `baseRevision` the daemon's revision of the record the
 * edit was made on (the daemon refuses it when the image changed elsewhere since). `afterSeq`: the edit was made
 * on top of this webview's own unconfirmed edit number `afterSeq` of the same image; the extension sends it once
 * that one is stored, on the revision it got (and refuses it when that one was refused). `seq` increases with
 * every update; the extension answers each with `record/updated` carrying it, or `review/refused`.
 */
export interface ReviewUpdateParams {
  file: string;
  boxes: Box[];
  status?: EditableStatus;
  baseRevision: number;
  afterSeq?: number;
  seq: number;
  /** A video's tracks, complete (its `boxes` are then empty). */
  tracks?: Track[];
}
export const ReviewUpdate = defineMessage<'review/update', ReviewUpdateParams>(
  'review/update',
  (m) =>
    isString(m.file) &&
    isArrayOf(m.boxes, isBox) &&
    (m.tracks === undefined || isArrayOf(m.tracks, isTrack)) &&
    (m.status === undefined || isOneOf(EDITABLE_STATUSES, m.status)) &&
    isFiniteNumber(m.baseRevision) &&
    (m.afterSeq === undefined || isFiniteNumber(m.afterSeq)) &&
    isFiniteNumber(m.seq),
);

/** Thumbnails the filmstrip is about to show; answer with `thumbnails`. */
export const ThumbnailsRequest = defineMessage<'thumbnails/request', { files: string[] }>('thumbnails/request', (m) =>
  isArrayOf(m.files, isString),
);

/** The image to show has no `imageUri`: answer with `displayCopy`. */
export const DisplayCopyRequest = defineMessage<'displayCopy/request', { file: string }>('displayCopy/request', (m) => isString(m.file));

/**
 * The image now shown (lets the extension reveal it in its tree). `video`: it is a video, whose keys differ (the
 * extension keeps it in the `veil.reviewItem` context key of the review's keybindings).
 */
export const ImageOpen = defineMessage<'image/open', { file: string; video?: boolean }>(
  'image/open',
  (m) => isString(m.file) && (m.video === undefined || typeof m.video === 'boolean'),
);

/** The image to show (or one next to it in the list) has only its row in the panel: answer with `record/loaded`. */
export const RecordRequest = defineMessage<'record/request', { file: string }>('record/request', (m) => isString(m.file));

/** The video to show needs its playable copy (the daemon's `video/displayCopy`): answer with `video/proxy`. */
export const VideoProxyRequest = defineMessage<'video/proxyRequest', { file: string }>('video/proxyRequest', (m) => isString(m.file));

/**
 * Where the keyboard focus is in the page, for the `veil.reviewFocus` context key of the review's keybindings: each
 * keybinding steps aside where the focused control takes its key (see FOCUS_PLACES).
 */
export const FocusChanged = defineMessage<'focus/changed', { place: FocusPlace }>('focus/changed', (m) => isOneOf(FOCUS_PLACES, m.place));

/** The webview received something it could not use (a bad message); for the extension's log. */
export const ErrorReport = defineMessage<'error/report', { message: string }>('error/report', (m) => isString(m.message));

export type WebviewToExtensionMessage =
  | MessageOf<typeof Ready>
  | MessageOf<typeof ReviewUpdate>
  | MessageOf<typeof ThumbnailsRequest>
  | MessageOf<typeof DisplayCopyRequest>
  | MessageOf<typeof RecordRequest>
  | MessageOf<typeof ImageOpen>
  | MessageOf<typeof VideoProxyRequest>
  | MessageOf<typeof FocusChanged>
  | MessageOf<typeof ErrorReport>;

const webviewToExtension = [Ready, ReviewUpdate, ThumbnailsRequest, DisplayCopyRequest, RecordRequest, ImageOpen, VideoProxyRequest, FocusChanged, ErrorReport];
export function isWebviewToExtensionMessage(value: unknown): value is WebviewToExtensionMessage {
  return webviewToExtension.some((definition) => definition.is(value));
}

// ---- Extension → webview --------------------------------------------------------------------------

export interface DatasetLoadParams {
  root: string;
  /**
   * The folder the panel reviews, as the extension opened it: `root` or a folder inside it (absent: `root`). The
   * webview saves it with its UI state (SavedReviewState), so that a window reload brings the panel back on it.
   */
  folder?: string;
  entries: WebviewEntry[];
  /** The rows of the entries with a review record (their boxes come with `record/loaded`); an entry without has no boxes and is unreviewed. */
  rows: ReviewRow[];
  settings: RedactionSettings;
}
export const DatasetLoad = defineMessage<'dataset/load', DatasetLoadParams>(
  'dataset/load',
  (m) => isString(m.root) && (m.folder === undefined || isString(m.folder)) && isArrayOf(m.entries, isWebviewEntry) && isArrayOf(m.rows, isReviewRow) && isRedactionSettings(m.settings),
);

/** Thumbnail URIs (`asWebviewUri` of the daemon's cached JPEGs), by file. */
export const Thumbnails = defineMessage<'thumbnails', { thumbs: Record<string, string> }>(
  'thumbnails',
  (m) => isRecord(m.thumbs) && Object.values(m.thumbs).every(isString),
);

/** The answer to `displayCopy/request`: the copy's URI, or why there is none (the cause, without the file name). */
export type DisplayCopyParams = { file: string; uri: string } | { file: string; error: string };
export const DisplayCopy = defineMessage<'displayCopy', DisplayCopyParams>(
  'displayCopy',
  (m) => isString(m.file) && (isString(m.uri) !== isString(m.error)),
);

/**
 * A video's playable copy, as the review plays it: frame n of it is frame n of the video at `fps` (its pixels are
 * smaller: it is drawn at the video's displayed size, the space of the track boxes).
 */
export interface VideoProxyInfo {
  file: string;
  /** `asWebviewUri` of the copy (H.264 MP4 or VP9 WebM, no audio). */
  uri: string;
  /** The copy's own size, pixels. */
  width: number;
  height: number;
  fps: number;
  frames: number;
}
/** The answer to `video/proxyRequest`: the copy, or why there is none (the cause, without the file name). */
export type VideoProxyParams = VideoProxyInfo | { file: string; error: string };
export const VideoProxy = defineMessage<'video/proxy', VideoProxyParams>(
  'video/proxy',
  (m) => isString(m.file) && (isString(m.error) ? m.uri === undefined : isString(m.uri) && isPositiveSize(m) && isPositive(m.fps) && isPositive(m.frames)),
);

/** How far the playable copy asked for is made (a long video takes a while): `done` frames of `total`. */
export const VideoProxyProgress = defineMessage<'video/proxyProgress', { file: string; done: number; total: number }>(
  'video/proxyProgress',
  (m) => isString(m.file) && isFiniteNumber(m.done) && isPositive(m.total),
);

/** The review record `record/request` asked for (the daemon's state of the image when the extension read it). */
export const RecordLoaded = defineMessage<'record/loaded', { record: ImageRecord }>('record/loaded', (m) => isImageRecord(m.record));

/**
 * The daemon's review state of one image: a confirmation of the webview's `review/update` number `seq`,
 * or (without `seq`) a change made elsewhere (CLI, another window, a new detection).
 */
export const RecordUpdated = defineMessage<'record/updated', { record: ImageRecord; seq?: number }>(
  'record/updated',
  (m) => isImageRecord(m.record) && (m.seq === undefined || isFiniteNumber(m.seq)),
);

/**
 * The daemon did not store `review/update` number `seq` (changed or committed elsewhere meanwhile, invalid, or
 * the daemon is down): `message` says why; `record` is the daemon's current state when it could be read.
 */
export const ReviewRefused = defineMessage<'review/refused', { file: string; seq: number; message: string; record?: ImageRecord }>(
  'review/refused',
  (m) => isString(m.file) && isFiniteNumber(m.seq) && isString(m.message) && (m.record === undefined || isImageRecord(m.record)),
);

/** Redaction settings changed in VS Code's settings. */
export const SettingsChanged = defineMessage<'settings/changed', { settings: RedactionSettings }>('settings/changed', (m) =>
  isRedactionSettings(m.settings),
);

/** Show this image (picked in the Veil view); sent after `dataset/load`. A change of the shown image is answered with `image/open`. */
export const ImageShow = defineMessage<'image/show', { file: string }>('image/show', (m) => isString(m.file));

/** Something failed on the extension's side (e.g. the daemon refused an update); shown to the person. */
export const ErrorMessage = defineMessage<'error', { message: string }>('error', (m) => isString(m.message));

/**
 * Run a review action: one of VS Code's keybindings for the review (or the command palette) ran its command.
 * `large`: the Shift variant of a nudge (10 px instead of 1).
 */
export const ReviewAction = defineMessage<'action', { action: CommandId; large?: boolean }>(
  'action',
  (m) => isCommandId(m.action) && (m.large === undefined || typeof m.large === 'boolean'),
);

export type ExtensionToWebviewMessage =
  | MessageOf<typeof DatasetLoad>
  | MessageOf<typeof Thumbnails>
  | MessageOf<typeof DisplayCopy>
  | MessageOf<typeof VideoProxy>
  | MessageOf<typeof VideoProxyProgress>
  | MessageOf<typeof RecordLoaded>
  | MessageOf<typeof RecordUpdated>
  | MessageOf<typeof ReviewRefused>
  | MessageOf<typeof SettingsChanged>
  | MessageOf<typeof ImageShow>
  | MessageOf<typeof ErrorMessage>
  | MessageOf<typeof ReviewAction>;

const extensionToWebview = [DatasetLoad, Thumbnails, DisplayCopy, VideoProxy, VideoProxyProgress, RecordLoaded, RecordUpdated, ReviewRefused, SettingsChanged, ImageShow, ErrorMessage, ReviewAction];
export function isExtensionToWebviewMessage(value: unknown): value is ExtensionToWebviewMessage {
  return extensionToWebview.some((definition) => definition.is(value));
}

// ---- State saved by the webview ----------------------------------------------------------------------

/**
 * What the webview keeps with `setState` beyond its own UI state. VS Code hands that state to the extension's panel
 * serializer after a window reload: the panel is brought back on `folder`, and the webview on its saved UI state.
 */
export interface SavedReviewState {
  folder?: string;
}

/** The folder a saved review panel showed, as the extension reads it from the state VS Code restored. */
export function savedReviewFolder(state: unknown): string | undefined {
  return isRecord(state) && isString(state.folder) ? state.folder : undefined;
}

// ---- Guards ----------------------------------------------------------------------------------------
// (the record and box guards come from daemon/protocol.ts, which has no runtime dependencies.)

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
function isArrayOf<T>(value: unknown, isItem: (item: unknown) => item is T): value is T[] {
  return Array.isArray(value) && value.every(isItem);
}
export const isRedactionMode = (value: unknown): value is RedactionMode => isOneOf(REDACTION_MODES, value);
const isMaskShape = (value: unknown): value is MaskShape => isOneOf(MASK_SHAPES, value);

function isPositive(value: unknown): value is number {
  return isFiniteNumber(value) && value > 0;
}

function isPositiveSize(value: Record<string, unknown>): boolean {
  return isFiniteNumber(value.width) && isFiniteNumber(value.height) && value.width > 0 && value.height > 0;
}


/** Whether a browser (the webview) decodes this image file itself; if not, it needs a display copy. */
export function browserDecodes(file: string): boolean {
  return !/\.tiff?$/i.test(file);
}

function isWebviewEntry(value: unknown): value is WebviewEntry {
  return isRecord(value) && isString(value.file) && (value.imageUri === null || isString(value.imageUri)) && isString(value.version) && isPositiveSize(value);
}

function isRedactionSettings(value: unknown): value is RedactionSettings {
  return (
    isRecord(value) &&
    isRedactionMode(value.mode) &&
    isFiniteNumber(value.margin) &&
    value.margin >= 0 &&
    isFiniteNumber(value.doubtMargin) &&
    value.doubtMargin >= 0 &&
    isMaskShape(value.shape) &&
    (value.lowConfidence === undefined || isFiniteNumber(value.lowConfidence))
  );
}
