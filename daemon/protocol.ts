/**
 * The contract between the daemon and its clients (the extension and the CLI).
 * JSON-RPC 2.0, one JSON message per line (NDJSON) over the daemon's stdin/stdout.
 * Plain types and guards only: imported by both sides, no runtime dependencies.
 *
 * Every coordinate is in pixels of the image *as displayed* (EXIF orientation applied), top-left origin.
 * Every `file` is a path relative to the dataset root, with forward slashes.
 */

export const PROTOCOL_VERSION = 1;

/** Error codes carried in JSON-RPC error responses (`error.code`) and in per-file failures. */
export enum ErrorCode {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  Internal = -32603,
  /** The request was cancelled with `$/cancelRequest` (never shown to a user as an error). */
  Cancelled = -32800,
  /** `initialize` has not been called yet. */
  NotInitialized = -32002,
  /** A path is outside the dataset, contains NUL, does not exist, or is no regular file (a device, a FIFO, a socket). */
  BadPath = -33001,
  /** The file is not a decodable image: truncated, corrupt, empty, or not an image at all. */
  BadImage = -33002,
  /** The image format is not one Veil reads. */
  UnsupportedFormat = -33003,
  /** The image has more pixels than the configured limit (decompression bomb guard), or a file is larger than Veil reads. */
  TooLarge = -33004,
  /** The file could not be read (permissions, I/O). */
  Unreadable = -33005,
  /** A model file's sha256 differs from the manifest, or the model is unknown / not installed. */
  ModelMismatch = -33010,
  ModelNotFound = -33011,
  ModelDownload = -33012,
  /** The model's inputs or outputs do not have the shapes its decoder expects (a model registered under the wrong decoder). */
  ModelShape = -33013,
  /** The dataset is locked by another commit or writer. */
  Locked = -33020,
  /** A redacted region did not change: the output is refused. */
  VerifyFailed = -33021,
  /** The vault, a key or a recipient is missing or wrong. */
  KeyError = -33022,
  /** The review state or audit log is corrupt. */
  Corrupt = -33023,
  /**
   * The edit was made on an older state of the image than the one stored now (another process changed or
   * committed it meanwhile), or the image is held by a running or interrupted commit: refused, nothing written.
   */
  Conflict = -33024,
  /**
   * An opening of an original without a purpose, or with one the dataset's policy does not accept
   * (`PolicyPurposes`): refused, and the refusal is in the audit log (`open-refused`).
   */
  PurposeRefused = -33025,
  /**
   * A commit that would take unreviewed images' model boxes as they are while possible faces on them are still
   * unresolved (`possible`): refused, the message names the images and counts; `error.data.file` is the first.
   */
  PossibleFacesUnresolved = -33026,
  /** Client side: the daemon process exited before answering. */
  DaemonExited = -33030,
  /** ffmpeg or ffprobe cannot be found or run (daemon/video/ffmpegBinaries.ts says where it looked). */
  VideoToolMissing = -33040,
  /** The file is not a readable video: truncated, corrupt, empty, or not a video at all (the message says which). */
  VideoUnreadable = -33041,
  /** A video Veil cannot read or write: a codec ffmpeg does not decode, a container it does not read or write. */
  VideoUnsupported = -33042,
  /** A video above the duration or frame-size limit (daemon/video/probe.ts); the message names the limit. */
  VideoTooLarge = -33043,
}

// ---- Review state -------------------------------------------------------------------------------

// Every enumeration is declared once, here, as a const array; its union type is derived from it.

export const BOX_SOURCES = ['model', 'manual'] as const;
export type BoxSource = (typeof BOX_SOURCES)[number];
/**
 * `possible`: a model detection scored between the possible-face floor (daemon/review/possibleFaces.ts) and the
 * operating threshold: kept for the annotator to look at, never redacted unless promoted to `proposed` and accepted.
 */
export const BOX_STATES = ['proposed', 'accepted', 'rejected', 'possible'] as const;
export type BoxState = (typeof BOX_STATES)[number];
export const IMAGE_STATUSES = ['unreviewed', 'reviewed', 'committed'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];
/** The statuses a review edit may set (`committed` is set by a commit only). */
export const EDITABLE_STATUSES = ['unreviewed', 'reviewed'] as const satisfies readonly ImageStatus[];
export type EditableStatus = (typeof EDITABLE_STATUSES)[number];

/** Whether `value` is one of `values` (a type guard for the enumerations above and below). */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return (values as readonly unknown[]).includes(value);
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Face extends Rect {
  score: number;
}

export interface Box extends Rect {
  id: string;
  /** Detector confidence, null for boxes drawn by hand. */
  score: number | null;
  source: BoxSource;
  state: BoxState;
  /** True once a person moved or resized a model box. */
  edited: boolean;
}

/** One file that failed in a batch (built by `fileFailure` in daemon/errors.ts only). */
export interface FileFailure {
  file: string;
  code: ErrorCode;
  /** The cause only, never the file's own name: printers show `file: message`. */
  message: string;
}

export interface ImageRecord {
  file: string;
  width: number;
  height: number;
  boxes: Box[];
  status: ImageStatus;
  /** Last detection run on this image (on a video: `videoStride`, the detector ran on every n-th frame). */
  detection?: { model: string; threshold: number; thorough: boolean; at: string; videoStride?: number };
  reviewer?: string;
  reviewedAt?: string;
  committedAt?: string;
  /** Set by the daemon on every write: increases with each change to the dataset's review state. */
  revision?: number;
  /** Present for a video (its `boxes` stay empty): how its frames are read. */
  video?: VideoInfo;
  /** A video's faces, one track each (the unit a person reviews); absent for an image. */
  tracks?: Track[];
}

// ---- Video ------------------------------------------------------------------------------------------

/** A video as Veil reads it: frames at a constant rate, rotation applied, numbered from 0. */
export interface VideoInfo {
  /** Displayed size (rotation applied), pixels. */
  width: number;
  height: number;
  /** The constant rate frames are read and written at (the stream's average rate): frame n is at n / fps seconds. */
  fps: number;
  /** Frames at `fps` (frame numbers run from 0 to frames - 1). */
  frames: number;
  durationS: number;
  /** The video stream's codec, as ffprobe names it (h264, hevc, vp9, av1…). */
  codec: string;
  /** Degrees clockwise the stored pixels are turned to be displayed (the stream's display matrix), applied when read. */
  rotation: 0 | 90 | 180 | 270;
  hasAudio: boolean;
}

/** Where a track's face is at one frame: set by the detector (its score) or by a person (score null). */
export interface TrackKeyframe extends Rect {
  frame: number;
  score: number | null;
}

/**
 * One face followed through a video. Its box at any frame is daemon/video/trackGeometry.ts's `trackBoxAt`: the
 * keyframes' boxes, linear between two keyframes, the first (last) keyframe's box for `padBefore` (`padAfter`)
 * frames before (after) them, so a face is covered before the detector is sure of it (fail-secure).
 */
export interface Track {
  id: string;
  source: BoxSource;
  state: BoxState;
  /** Mean detector score of its detections; null for a track drawn by hand. */
  score: number | null;
  /** Sorted by frame, distinct frames, at least one. */
  keyframes: TrackKeyframe[];
  padBefore: number;
  padAfter: number;
  /** True once a person moved, added or removed a keyframe, split or merged it. */
  edited: boolean;
}

/**
 * Why a stretch of a track is in the review's queue (daemon/video/uncertainStretches.ts), most uncertain first:
 * `possible` a track never scored at the threshold (not redacted unless promoted: a miss leaks); `gap` frames the
 * detector did not see the face, covered by interpolation only; `lowScore` detections below the threshold inside a
 * proposed track; `short` a track seen for under half a second (often a false alarm, redacted anyway).
 */
export const UNCERTAIN_REASONS = ['possible', 'gap', 'lowScore', 'short'] as const;
export type UncertainReason = (typeof UNCERTAIN_REASONS)[number];
/** Frames `from`..`to` (inclusive) of one track a person should look at, and why. */
export interface UncertainStretch {
  trackId: string;
  from: number;
  to: number;
  reason: UncertainReason;
}

// ---- Methods --------------------------------------------------------------------------------------

export interface InitializeParams {
  clientName: string;
  clientVersion?: string;
  /** Display name of the person reviewing, recorded in review state and audit entries. */
  reviewer?: string;
}
export interface InitializeResult {
  protocolVersion: number;
  daemonVersion: string;
  models: ModelInfo[];
  defaultModel: string;
}

/**
 * Settings of the session that apply at once, without a restart. Sent by the extension after every start and
 * whenever one of them changes.
 */
export interface SessionConfigureParams {
  /** Display name of the person reviewing, for review state and audit entries; empty or absent: the default (VEIL_REVIEWER, else the OS user). */
  reviewer?: string;
}
export interface SessionConfigureResult {
  /** The reviewer name now recorded for this client's review decisions and commits. */
  reviewer: string;
}

export interface DetectOptions {
  /** Model name from `models/list`, or a path to an ONNX file; default: the best installed model. */
  model?: string;
  /** Minimum score to keep a face; default depends on the model. */
  threshold?: number;
  /** Slower, finds smaller faces (extra up-scaled pass / finer pyramid). */
  thorough?: boolean;
  /** Videos: run the detector on every n-th frame (1: every frame); tracks fill the frames between. */
  videoStride?: number;
}

export interface ImageDetectParams extends DetectOptions {
  path: string;
}
export interface ImageDetectResult {
  path: string;
  width: number;
  height: number;
  model: string;
  faces: Face[];
  ms: number;
}

export interface DatasetOpenParams {
  root: string;
}
export interface DatasetEntry {
  file: string;
  bytes: number;
  mtimeMs: number;
}
/** An image of an opened dataset with its displayed size (EXIF orientation applied). */
export interface SizedEntry extends DatasetEntry {
  width: number;
  height: number;
  /** A video's duration in seconds (absent for an image). */
  durationS?: number;
}
export interface DatasetSummary {
  images: number;
  reviewed: number;
  committed: number;
  boxes: number;
  accepted: number;
  proposed: number;
}
/**
 * What the review panel lists of an image, without its boxes (daemon/review/rows.ts derives it from the record): the
 * filmstrip's row, its filters and queue order, the progress counts. The panel asks for a record's boxes (`review/get`)
 * only for the image it shows: at 100,000 images of three boxes the records made `dataset/open` a 65 MB answer.
 */
export interface ReviewRow {
  file: string;
  status: ImageStatus;
  revision: number;
  /** Present for a video. */
  video?: VideoInfo;
  /**
   * Its faces (a video's: its tracks) by state. A count of none is left out, here and below: `dataset/open` sends a
   * row per image, and the zeros were a quarter of its answer at 100,000 images (28 MB), 0.2 s to write and to read.
   */
  faces: Partial<Record<BoxState, number>>;
  /** Of its boxes: those a person drew, and the lowest model score whatever the box's state (none: no model box). */
  manual?: number;
  lowestScore?: number;
  /** The possible faces detection left on it, whatever became of them since (promoted and dismissed ones keep their `p-` id). */
  detectedPossible?: number;
}

export interface DatasetOpenResult {
  /** The dataset root: the folder asked for, or the dataset it lies in. */
  root: string;
  /** The folder asked for, relative to `root` ('' for the whole dataset): `files` are those under it. */
  scope: string;
  files: SizedEntry[];
  /** The rows of `files` that have a review record (one without has none yet: unreviewed, no boxes). */
  rows: ReviewRow[];
  summary: DatasetSummary;
  /** Images whose header could not be read (they cannot be reviewed until fixed). */
  failures: FileFailure[];
  /** The files under the folder asked for that a person excluded from anonymization (`dataset/exclude`): in neither `files` nor `failures`. */
  excluded: ExcludedFile[];
}

/**
 * `dataset/status`: each image's review status without its boxes, what the Veil view counts and lists. It only reads
 * (no reconcile, unlike `dataset/open`) and its answer is under a third of `dataset/open`'s (10,000 images: 0.8 vs 2.8 MB);
 * the daemon watches the dataset from then on, as after `dataset/open`.
 */
export interface DatasetStatusParams extends DatasetOpenParams {
  /** Also ask git which committed images it still holds an unanonymized version of (`gitWarnings`; `veil status` does). */
  versionControl?: boolean;
}
export interface ImageStatusEntry {
  file: string;
  status: ImageStatus;
  /** Its review record's revision and faces (`faceCount`; a video's tracks); both absent for an image never detected (no record yet). */
  revision?: number;
  faces?: number;
  /** A video's duration in seconds (absent for an image). */
  durationS?: number;
}
export interface DatasetStatusResult {
  root: string;
  scope: string;
  /** The images of `dataset/open`'s `files`, by path. */
  images: ImageStatusEntry[];
  failures: FileFailure[];
  excluded: ExcludedFile[];
  /** With `versionControl`, in a git work tree: committed images whose original git's index or history holds (daemon/dataset/gitHistory.ts). */
  gitWarnings?: FileWarning[];
}
/** The states of the faces the Veil view and the review count: neither rejected nor only possible. */
export const COUNTED_FACE_STATES: readonly BoxState[] = ['proposed', 'accepted'];
/** The faces on an image, as the Veil view counts them: its boxes (a video: its tracks) in COUNTED_FACE_STATES. */
export function faceCount(boxes: readonly Pick<Box, 'state'>[]): number {
  return boxes.filter((box) => COUNTED_FACE_STATES.includes(box.state)).length;
}

/** One part of a dataset split for a scheduler (daemon/dataset/shard.ts): 0 <= index < count. */
export interface Shard {
  index: number;
  count: number;
}

export interface DatasetDetectParams extends DetectOptions {
  root: string;
  /** Only the files of this shard (with `files`: those of them in it). */
  shard?: Shard;
  /** Only these files (relative); default: every image in the dataset. */
  files?: string[];
  /** Re-detect images that already have a detection with the same model and settings. */
  force?: boolean;
  progressToken?: string;
}
export interface DatasetDetectResult {
  model: string;
  threshold: number;
  thorough: boolean;
  processed: number;
  skipped: number;
  faces: number;
  failures: FileFailure[];
  cancelled: boolean;
  /** Per file; a video's `faces` is empty and `tracks` counts its tracks that are neither rejected nor only possible. */
  images: Array<{ file: string; width: number; height: number; faces: Face[]; tracks?: number }>;
  reviewPath: string;
  /** The audit log's checkpoint after this run (its detect-run entry, when it processed any image). */
  checkpoint: Checkpoint;
}

export interface ReviewGetParams {
  root: string;
  file: string;
}
export interface ReviewUpdateParams {
  root: string;
  file: string;
  boxes: Box[];
  status?: EditableStatus;
  /**
   * The `revision` of the record this edit was made on. When the stored record has another revision (changed
   * elsewhere meanwhile), the edit is refused with ErrorCode.Conflict and nothing is written. Omitted: the edit applies to whatever
   * is stored (last writer wins; for scripts that mean it).
   */
  baseRevision?: number;
  /** A video's tracks, replacing the stored ones (its `boxes` must then be empty). */
  tracks?: Track[];
}

export const REDACTION_MODES = ['fill', 'pixelate', 'blur'] as const;
export type RedactionMode = (typeof REDACTION_MODES)[number];
export const MASK_SHAPES = ['rect', 'ellipse'] as const;
export type MaskShape = (typeof MASK_SHAPES)[number];

/*
 * How strongly pixelate and blur hide a face, from the longer side of its box (`faceSize`, pixels), never from the
 * margin: the daemon renders with these and the review preview draws with them. Measured with YuNet on the shared
 * face sets (bench/redactionStrength.ts, README "Redaction strength"): with 8 cells across the region (5.3 across the
 * face, 3 px cells on a 16 px face) it still found 232 of 407 pixelated 16-32 px faces, and 51 blurred ones with a
 * sigma of 0.3 x the face; with the rule below, 1 and 0.
 */
/** Cells of at least 20 px (a mosaic of smaller cells is a thumbnail a detector reads; 16 px cells left 8 of those 407)… */
const MIN_CELL_PIXELS = 20;
/** …and at most 5 across the face (faces of 100 px and more; a 40 px face gets 2, a 20 px one a single cell). */
const MAX_CELLS_ACROSS_FACE = 5;
/** Blur sigma: at least 16 px, so the smallest faces are smoothed flat. */
const MIN_BLUR_SIGMA = 16;

/** The side of a pixelation cell, in pixels, for a face whose box's longer side is `faceSize`. */
export function pixelateCell(faceSize: number): number {
  return Math.max(MIN_CELL_PIXELS, Math.ceil(faceSize / MAX_CELLS_ACROSS_FACE));
}
/** The Gaussian blur sigma, in pixels: as large as the face (with half of it, YuNet still found 6 blurred faces of 32-200 px on wider-dev, against 2). */
export function blurSigma(faceSize: number): number {
  return Math.max(MIN_BLUR_SIGMA, faceSize);
}

/*
 * How far a redaction region reaches past its box: `margin` of the box's size on every side, plus `doubtMargin` times
 * how far the detector's score fell short of 1, for a box (or track) the model placed and no person moved. A doubted
 * box is more often a loose fit or a face turned, blurred or half hidden, whose visible part spills past the box.
 * Measured with YuNet --thorough on wider-dev (bench/coverageLevers.ts, README "Coverage levers"): 0.25 + 1 x (1 - score)
 * leaves 5 of the faces of 32 px and more visible instead of 7 and 24 of 16-32 px instead of 34 (widerfull >= 32 px:
 * 10 -> 8), for 14.0 % of each image redacted instead of 10.4 %; a flat 0.4 costs as much and buys less above 32 px.
 * Commits record both numbers, and `verify --redetect` judges each commit by the rule it was made with.
 */
export const DEFAULT_MARGIN = 0.25;
export const DEFAULT_DOUBT_MARGIN = 1;

/** What a region's margin depends on: the detector's confidence, unless a person drew or moved the box. */
export interface MarginBasis {
  score: number | null;
  edited: boolean;
}

export interface MarginRule {
  margin: number;
  doubtMargin: number;
}

/** The margin of one box or track, as a fraction of its size on every side. */
export function marginFor(basis: MarginBasis, rule: MarginRule): number {
  if (basis.score === null || basis.edited) return rule.margin;
  return rule.margin + rule.doubtMargin * (1 - Math.min(1, Math.max(0, basis.score)));
}

export interface RedactionOptions {
  mode?: RedactionMode;
  /** Extra margin around each box, as a fraction of its size; default DEFAULT_MARGIN (0.25). */
  margin?: number;
  /** More margin for doubted model boxes: times (1 - score); default DEFAULT_DOUBT_MARGIN (1); 0 turns it off. */
  doubtMargin?: number;
  shape?: MaskShape;
}

export interface CommitParams extends RedactionOptions {
  root: string;
  /** Only the files of this shard; shards of one split commit side by side, each with its own lock and journal. */
  shard?: Shard;
  /** Commit images nobody reviewed, using model boxes as they are (recorded in the audit log). */
  includeUnreviewed?: boolean;
  /** Videos keep their audio streams (copied as they are, without their tags); default: dropped (a voice identifies too). */
  keepAudio?: boolean;
  /**
   * Commit unreviewed images even while possible faces on them are unresolved: the reason, recorded in the commit's
   * audit entry. Absent: such a commit is refused (ErrorCode.PossibleFacesUnresolved).
   */
  allowPossibleFaces?: string;
  /** A signing key (PEM, outside the dataset): the commit ends with a checkpoint-signature entry. Absent: VEIL_SIGNING_KEY of the daemon's environment, if set. */
  signingKey?: string;
  progressToken?: string;
}
export interface Checkpoint {
  entries: number;
  head: string;
}
/** Why a commit left a file that can hold a face as it was (see `CommitResult.leftAsIs`). */
export const LEFT_AS_IS_CAUSES = [
  /** An image nobody reviewed (review it, or commit with `includeUnreviewed` to take the model's boxes as they are). */
  'not-reviewed',
  /** An image never run through detection: nothing proposes where its faces are. */
  'not-detected',
  /** A format Veil does not anonymize yet: a video, HEIC, an animated GIF or WebP, a multi-page TIFF. */
  'unsupported',
  /** Not readable as an image: corrupt, empty, above a size limit, no regular file, unreadable. */
  'unreadable',
  /** Its commit failed: the output did not verify, its review file was edited outside Veil, an I/O error. */
  'failed',
  /** Planned, but the commit was cancelled before it started. */
  'not-started',
] as const;
export type LeftAsIsCause = (typeof LEFT_AS_IS_CAUSES)[number];
export interface LeftAsIs {
  file: string;
  cause: LeftAsIsCause;
  /** The reason in words, without the file's name. */
  message: string;
  /** The error that refused the file (unsupported, unreadable, failed). */
  code?: ErrorCode;
}
/** A file a person excluded from anonymization (`dataset/exclude`), and why. */
export interface ExcludedFile {
  file: string;
  reason: string;
  /** The reviewer who excluded it. */
  by: string;
  at: string;
}
/** Something to know about a file that was processed all the same. */
export interface FileWarning {
  file: string;
  message: string;
}
/**
 * What a commit did with every file of the dataset (or of the folder asked for) that can hold a face: each is in
 * exactly one of committed, alreadyCommitted, excluded and leftAsIs. The dataset is anonymized when leftAsIs is empty.
 */
export interface CommitResult {
  /** Anonymized by this commit. */
  committed: string[];
  /** Anonymized by an earlier commit. */
  alreadyCommitted: string[];
  /** Left as they are because a person excluded them. */
  excluded: ExcludedFile[];
  /** Left as they were, each with its cause: what keeps the dataset from being anonymized. */
  leftAsIs: LeftAsIs[];
  /** The entries of `leftAsIs` refused with an error (unsupported, unreadable, failed), as per-file failures. */
  failures: FileFailure[];
  /** Committed images with something to know: a damaged or truncated file, anonymized from what could be decoded. */
  warnings: FileWarning[];
  cancelled: boolean;
  checkpoint: Checkpoint;
  /** With a signing key: the checkpoint-signature entry the commit ended with (absent when it wrote nothing to sign). */
  signed?: CheckpointSignResult;
}

/** Excludes files from anonymization: a commit leaves them as they are and reports them as excluded (audited first). */
export interface ExcludeParams {
  root: string;
  /** Files of the dataset (relative to it, or absolute) that can hold a face: an image, or a file Veil refuses (a video). */
  files: string[];
  /** Why, in words: recorded in the review state and the audit log. */
  reason: string;
}
/** Takes exclusions back: the files are anonymized, or reported left as is, by the next commit again (audited first). */
export interface IncludeParams {
  root: string;
  files: string[];
}
export interface ExclusionResult {
  /** The files the decision was recorded for (relative to the dataset), each with its own audit entry. */
  files: string[];
  /** The audit log's checkpoint after this call's entries. */
  checkpoint: Checkpoint;
}

export interface VerifyParams {
  root: string;
  /** Path to an age identity file: with it, every vault object is decrypted and checked. */
  identity?: string;
  /** The identity file's passphrase when it has one; absent: VEIL_PASSPHRASE of the daemon's environment. */
  passphrase?: string;
  redetect?: boolean;
  checkpoint?: Checkpoint;
  /**
   * Read every file of `.veil/` that matters (a backup tool's read-all-data check): besides what a plain verify
   * reads, every object in the vault (also those no commit names: decrypted with `identity`, structure-checked
   * without), the exclusions against their audited decisions, and a review state that does not parse as a finding.
   */
  full?: boolean;
  /**
   * Public keys (`veil-ed25519:…`) to trust instead of the policy's `signers`: pinned from outside the dataset, since
   * whoever can write the dataset can add a key of their own to its policy.
   */
  signers?: string[];
}
/** Every kind of problem `dataset/verify` reports. */
export const VERIFY_FINDING_KINDS = [
  /** An audit line does not parse, is out of sequence, does not chain, or the last one is torn. */
  'audit-chain',
  /** The audit log no longer reaches the checkpoint kept elsewhere (cut tail, rewritten history). */
  'audit-checkpoint',
  'image-missing',
  /** A committed image could not be read (permissions, a folder in its place, I/O). */
  'image-unreadable',
  /** A committed image holds an original again: a sha256 the audit log recorded as its original (or vault object). */
  'image-not-anonymized',
  /** A committed image's sha256 is not the output its latest commit-image entry recorded. */
  'image-changed',
  'vault-missing',
  /**
   * A cached thumbnail or display copy older than the latest committed image: made before that commit, it may show
   * a face the commit removed (a commit deletes them; one killed before that leaves them). The next commit removes it.
   */
  'rendition-stale',
  /** A vault object exists but could not be read (permissions, a folder in its place, I/O). */
  'vault-unreadable',
  /** A vault object's bytes do not hash to the `vaultSha256` the audit log recorded for it. */
  'vault-altered',
  'vault-malformed',
  'vault-undecryptable',
  /** With an identity: a vault object decrypts, but not to content whose sha256 is its name (the vault is content-addressed). */
  'vault-wrong-original',
  /** A commit-image entry records an output equal to its original (`outputSha256` = `originalSha256` or `vaultObject`). */
  'commit-output-is-original',
  /** A commit-image entry's vault object is not named by its original's sha256 (`vaultObject` ≠ `originalSha256`). */
  'commit-vault-mismatch',
  /**
   * A commit-image entry of a reviewed image whose `boxesSha256` is not the one of the latest review-change entry of
   * that file before it (or there is none, or it is not "reviewed"): it redacted boxes nobody decided in Veil.
   */
  'commit-boxes-unreviewed',
  'commit-unaudited',
  /**
   * A review record whose boxes or status are not what the audit log last says of that file (a review-change,
   * detect-image, review-reconcile or commit-image entry): a write killed after its audit line, or one made without
   * any. Opening the dataset for review or a `veil detect` run records what the state holds (review-reconcile).
   */
  'review-unaudited',
  'commit-unfinished',
  /** A change of recipients (`recipients/add`, `remove`, `rotate`) was interrupted: some originals may still be encrypted to the old recipients. */
  'rotation-unfinished',
  'stray-temp',
  /** `--redetect`: the detector finds a face outside the redacted boxes of a committed image (less than half of it inside them). */
  'face-unredacted',
  /**
   * `--redetect`: the detector finds a face lying mostly (at least half its area) inside the redacted boxes: the
   * redaction there did not hide it (too weak, or the image no longer holds it).
   */
  'face-inside-redaction',
  'redetect-failed',
  /** A checkpoint-signature entry whose signature does not verify, whose key is malformed, or that covers entries after its own line. */
  'signature-invalid',
  /** A valid signature by a key the policy's `signers` (or `--signer`) does not list. */
  'signature-untrusted',
  /** The log no longer holds a signed checkpoint's head at its entry count: history before it was rewritten (and rehashed). */
  'signed-history-rewritten',
  /** `.veil/policy.json` is not the policy the last policy-change entry recorded (edited outside Veil, or its write never landed). */
  'policy-unaudited',
  /** A file of `.veil/` that does not parse (policy, review state or log, exclusions): named with the field at fault. */
  'state-corrupt',
  /** `--full`: an exclusion in `.veil/exclusions.json` that the file's latest exclude entry does not record, or the reverse. */
  'exclusion-unaudited',
  /** `--full`: a file in `.veil/vault/` that no commit-image entry names (an original kept with no record of it). */
  'vault-unaudited',
  /** A vault object whose purge the audit log records is still there: a purge killed before its unlink (run `veil purge` again), or a copy put back. */
  'purge-unfinished',
  /** An image whose restore the audit log records still holds its anonymized output, or its review state still says committed: run `veil restore` again. */
  'restore-unfinished',
  /**
   * `.veil/redactions.json` is missing, unreadable, or does not list exactly what the audit log and the review state say
   * each committed file had redacted (edited by hand, or written before the latest commit or restore).
   */
  'redactions-stale',
  /**
   * A detection shard's segment (`.veil/segments/<id>.jsonl`) whose lines do not chain or parse: its later lines are
   * neither merged nor folded; or one the audit log says was opened and never closed, that is gone (deleted before its
   * detections were folded into the review log).
   */
  'segment-broken',
  'segment-missing',
] as const;
export type VerifyFindingKind = (typeof VERIFY_FINDING_KINDS)[number];
/**
 * Why a `review-reconcile` audit entry was written: the state lacks the file's latest audited change (a writer was
 * killed after the audit line, before the review write), or holds a change no audit line records (written outside
 * Veil, or by a version that did not audit it).
 */
export const RECONCILE_REASONS = ['audited-change-not-written', 'change-not-audited'] as const;
export type ReconcileReason = (typeof RECONCILE_REASONS)[number];
export interface VerifyFinding {
  kind: VerifyFindingKind;
  file?: string;
  message: string;
}
export interface VerifyResult {
  /** The dataset root (real path) that the findings' `file`s are relative to. */
  root: string;
  /** No findings. */
  ok: boolean;
  findings: VerifyFinding[];
  checked: { auditEntries: number; images: number; vaultObjects: number; signatures: number };
  /** The latest checkpoint a valid signature by a trusted key covers (absent: none does). */
  signedThrough?: { entries: number; signer: string; signedAt: string };
  /**
   * What this run could not prove, in words (not findings: `ok` does not depend on them). Without a checkpoint: that
   * the log's tail was not cut or rewritten. Without an identity: that the vault objects hold the originals.
   */
  limits: string[];
}

export interface ThumbnailParams {
  root: string;
  file: string;
  /** Longest side in pixels. */
  size: number;
}
export interface ThumbnailResult {
  /** Absolute path of the cached thumbnail (JPEG) under `<root>/.veil/thumbs/`. */
  path: string;
}
/** A full-size JPEG of an image a browser cannot show (TIFF), for the review webview. */
export interface DisplayCopyParams {
  root: string;
  file: string;
}
export interface DisplayCopyResult {
  /** Absolute path of the cached display copy (JPEG, displayed size) under `<root>/.veil/display/`. */
  path: string;
}
/** A small H.264 MP4 of a dataset video for the review webview to play and scrub (daemon/video/reviewProxy.ts). */
export interface VideoDisplayCopyParams {
  root: string;
  file: string;
  /** `$/progress` while it is encoded: frames done of `frames`. */
  progressToken?: string;
}
export interface VideoDisplayCopyResult {
  /** Absolute path of the cached proxy under `<root>/.veil/display/`: no audio, no metadata, rotation applied. */
  path: string;
  /** The proxy's size (at most 540 px tall); boxes stay in the video's displayed size (VideoInfo), scale them. */
  width: number;
  height: number;
  /** The video's rate and frame count: frame n of the proxy is shown from n / fps s, and is frame n of the video. */
  fps: number;
  frames: number;
}

export const MODEL_DECODERS = ['blazeface', 'yunet'] as const;
export type ModelDecoder = (typeof MODEL_DECODERS)[number];
/** npm: embedded (from an npm package); installed: downloaded with a pinned hash; added: a local file. */
export const MODEL_SOURCES = ['npm', 'installed', 'added'] as const;
export type ModelSource = (typeof MODEL_SOURCES)[number];
/** ok: file hash matches the manifest; mismatch: it does not (refused); missing: not installed. */
export const HASH_STATUSES = ['ok', 'mismatch', 'missing'] as const;
export type HashStatus = (typeof HASH_STATUSES)[number];
export interface ModelInfo {
  name: string;
  decoder: ModelDecoder;
  source: ModelSource;
  path: string;
  sha256: string;
  hashStatus: HashStatus;
  licence: string;
  /** Higher is better; the best installed model is the default. */
  rank: number;
  /** Set on the default model (the best present and intact) in `models/list` and `initialize`. */
  default?: true;
}
export interface ModelsInstallParams {
  name: string;
  /** Override the download address (tests use a loopback server). */
  url?: string;
}
export interface ModelsAddParams {
  file: string;
  decoder: ModelDecoder;
  name?: string;
}

// ---- Keys and originals ------------------------------------------------------------------------------

export interface KeysCreateParams {
  /** Where to write the new identity (private key): a new file, never overwritten, mode 0600. */
  out: string;
  /** Wraps the identity in this passphrase (age scrypt; the stock `age -d` opens it after asking for it). */
  passphrase?: string;
  /** A dataset root whose `.veil/recipients.txt` receives the new recipient. */
  addTo?: string;
}
export interface KeysCreateResult {
  /** The public key (age X25519 recipient) that datasets encrypt their originals to. */
  recipient: string;
  /** The identity file written (absolute path). */
  identity: string;
  /** With `addTo`: the recipients file, and whether the recipient was added (false: it was already there). */
  addedTo?: { path: string; added: boolean };
}
export interface KeysInspectParams {
  /** Path of an identity file. */
  identity: string;
}
export interface KeysInspectResult {
  /** The file is wrapped in a passphrase: a client asks for it before `vault/open`. */
  passphraseProtected: boolean;
}
/** Decrypts one original from the vault; the opening is written to the audit log before the decrypt. */
export interface VaultOpenParams {
  root: string;
  /** The image, relative to the dataset. */
  file: string;
  /** Path of the identity file (private key) the original was encrypted to. */
  identity: string;
  /** The identity file's passphrase when it has one; absent: VEIL_PASSPHRASE of the daemon's environment. */
  passphrase?: string;
  /** Where to write the original: a new file outside the dataset (mode 0600). */
  out: string;
  /**
   * Why the original is opened (README "Access with a purpose"): required, and accepted only as the dataset's policy
   * says (`PolicyPurposes`). Optional in the type only so that an opening without one reaches the daemon, which
   * refuses it and logs the refusal (`open-refused`, reason `no-purpose`) instead of answering InvalidParams.
   */
  purpose?: string;
}
export interface VaultOpenResult {
  /** The file written (absolute path). */
  out: string;
  bytes: number;
  /** The vault object (sha256 of the original) that was decrypted. */
  vaultObject: string;
  /** The purpose as the audit entry records it (a listed purpose in the policy's spelling, or the words given). */
  purpose: string;
  /** The recipient (`age1…`) of the key of the identity file that opened the original, as the audit entry records it. */
  recipient: string;
  /** The audit log's checkpoint after the opening's entry: keep it elsewhere, it catches that entry cut off. */
  checkpoint: Checkpoint;
}

/**
 * Reads one original from the vault into the answer, never onto disk: for a client that shows it (the editor keeps it
 * in memory). Audited like `vault/open`, before the decrypt: an `open-original` entry that names the client it was
 * shown in instead of a file. Originals above MAX_READ_ORIGINAL_BYTES are refused (TooLarge): `vault/open` writes them.
 */
export interface VaultReadParams {
  root: string;
  /** The image, relative to the dataset. */
  file: string;
  identity: string;
  passphrase?: string;
  /** As `VaultOpenParams.purpose`. */
  purpose?: string;
}
export interface VaultReadResult {
  /** The original's bytes, base64. */
  base64: string;
  bytes: number;
  vaultObject: string;
  purpose: string;
  recipient: string;
  checkpoint: Checkpoint;
}
/**
 * The largest original `vault/read` returns: 160 MB, whose base64 (213 MB) stays under the 256 MB a client reads
 * per answer (MAX_ANSWER_LINE_BYTES in daemon/ndjson.ts); the image limit itself (512 MB) would not fit.
 */
export const MAX_READ_ORIGINAL_BYTES = 160 * 1024 * 1024;
/** The longest purpose of an opening (a sentence, not a report): longer is refused as InvalidParams. */
export const MAX_PURPOSE_CHARS = 500;
/**
 * Why an opening of an original was refused, as its `open-refused` audit entry records it: no purpose; a purpose the
 * policy does not accept; a file with no committed original; its vault object missing, or purged (crypto-shredded on
 * purpose, see `veil purge`); a malformed object header; an identity file that does not load (unreadable, wrong
 * passphrase, no key); an identity holding no key the object is encrypted to.
 */
export const OPEN_REFUSALS = ['no-purpose', 'purpose-not-allowed', 'not-committed', 'missing', 'purged', 'damaged', 'key-unusable', 'wrong-key'] as const;
export type OpenRefusal = (typeof OPEN_REFUSALS)[number];

// ---- Recipients: who can open the originals (key lifecycle) -------------------------------------------

/**
 * How a `recipients/*` call changes who can open the originals; each re-encrypts every vault object under a new file
 * key to exactly the recipients listed after it (README "Key lifecycle").
 */
export const RECIPIENT_CHANGES = ['add', 'remove', 'rotate'] as const;
export type RecipientChange = (typeof RECIPIENT_CHANGES)[number];

export interface RecipientsListParams {
  root: string;
}
export interface RecipientOpens {
  /** The age recipient (`age1…`). */
  recipient: string;
  /**
   * Commits encrypt to it now: listed in `.veil/recipients.txt` or a recipient of a policy role that may open
   * originals, and not held back by the policy (README "Access with a purpose"). False: a former recipient some
   * objects are still encrypted to (`roles` not empty: the policy names it only in roles that may not open originals).
   */
  listed: boolean;
  /** The policy's roles that name it (whether or not they may open originals). */
  roles: string[];
  /** Vault objects encrypted to it, as recorded when each was last written. */
  opens: number;
}
export interface RecipientsListResult {
  root: string;
  /** The listed recipients in file order, then former ones that still open an object. */
  recipients: RecipientOpens[];
  /** Vault objects. */
  objects: number;
  /** Objects with no record of their recipients (written before Veil kept one): `recipients rotate` records them. */
  unknown: number;
  /** A change a killed or cancelled run left unfinished: run the same command again. */
  unfinished?: { change: RecipientChange; recipient?: string };
}
/** What every change of recipients needs: an identity of a current key holder, to open each object before re-encrypting it. */
export interface RecipientsRewrapParams {
  root: string;
  /** Identity file whose keys open every vault object (it may hold several `AGE-SECRET-KEY-1…` lines). */
  identity: string;
  /** The identity file's passphrase when it has one; absent: VEIL_PASSPHRASE of the daemon's environment. */
  passphrase?: string;
  progressToken?: string;
}
export interface RecipientsAddParams extends RecipientsRewrapParams {
  recipient: string;
}
export interface RecipientsRemoveParams extends RecipientsRewrapParams {
  recipient: string;
}
/** One change a call carried out: an interrupted one it finished first (`resumed`), or the one asked for. */
export interface RecipientsChangeOutcome {
  change: RecipientChange;
  recipient?: string;
  resumed: boolean;
  /** Vault objects the change covers. */
  objects: number;
  /** Re-encrypted by this call (those an interrupted run had finished are not counted again). */
  reencrypted: number;
  /** Objects left as they were, each with its cause (`file` is the vault object): they keep their old recipients. */
  failures: FileFailure[];
}
export interface RecipientsChangeResult {
  root: string;
  /** The recipients commits encrypt to now (recipients.txt and the opening roles of the policy). */
  recipients: string[];
  /** Empty when the change asked for was already made (the recipient listed, or not, and every object recorded so). */
  changes: RecipientsChangeOutcome[];
  /** Stopped between objects: run the same command again to finish (commits are refused until then). */
  cancelled: boolean;
  checkpoint: Checkpoint;
}

// ---- Retention, purge and restore (README "Retention, purge and restore") -------------------------------

/**
 * Where an encrypted original stands against the dataset's retention (`Policy.retention`), counted from the latest
 * commit-image entry that names it: past its retention (`expired`), within it (`retained`), kept with no end because
 * the policy sets no retention days (`no-retention`), on hold through one of its images (`held`), or restored into the
 * dataset for re-review and not committed again (`restored`). Only an expired original is purged without `force`.
 */
export const RETENTION_STATES = ['expired', 'retained', 'no-retention', 'held', 'restored'] as const;
export type RetentionState = (typeof RETENTION_STATES)[number];

/** A hold on an image's originals, as its retention-hold audit entry records it. */
export interface RetentionHold {
  file: string;
  reason: string;
  /** ISO time the hold ends by itself; null: until released. */
  until: string | null;
  /** The reviewer who placed it, and when. */
  by: string;
  at: string;
}
/** "3 expired, 120 retained, 2 held": originals counted by state, in the order of RETENTION_STATES ('' for none). */
export function countRetentionStates(originals: ReadonlyArray<{ state: RetentionState }>): string {
  const counted = RETENTION_STATES.map((state) => [state, originals.filter((item) => item.state === state).length] as const);
  return counted.flatMap(([state, count]) => (count > 0 ? [`${count} ${state}`] : [])).join(', ');
}
/** One encrypted original (vault object) and its retention. */
export interface RetentionItem {
  vaultObject: string;
  /** The images whose commits named it. */
  files: string[];
  /** Time of the latest commit-image entry naming it: its retention runs from there. */
  committedAt: string;
  /** When its retention runs out (null: the policy sets no retention days). */
  expiresAt: string | null;
  state: RetentionState;
  /** The hold that keeps it (state `held`). */
  hold?: RetentionHold;
}
/**
 * Removes encrypted originals past retention from the vault (crypto-shredding), each audited (`vault-purge`) before its
 * unlink. Without `files`, every original in the vault is weighed, and the expired ones are purged when the policy's
 * retention action is "purge" (with "report" they are listed only); named files' expired originals are purged either
 * way. Anything younger, held, restored or without retention is refused unless `force` (named files only, with a
 * `reason`, which the entry records). A run first finishes every purge an interrupted one logged.
 */
export interface VaultPurgeParams {
  root: string;
  /** Only the originals of these images (relative to the dataset, as commits name them); absent: the whole vault. */
  files?: string[];
  /** Say what would be purged and refused; write nothing. */
  dryRun?: boolean;
  /** Purge the named files' originals whatever their state: needs `files` and `reason`. */
  force?: boolean;
  /** Why a forced purge is made (recorded in each of its entries). */
  reason?: string;
  progressToken?: string;
}
export interface VaultPurgeResult {
  root: string;
  /** The policy's retention the run applied. */
  retention: PolicyRetention;
  dryRun: boolean;
  /** Every original weighed (those of `files`, or every one in the vault that a commit names), as it stood when the run began. */
  originals: RetentionItem[];
  /** Vault objects purged by this run (with `dryRun`: those it would purge). */
  purged: string[];
  /** Vault objects whose purge an interrupted run had logged, removed now (with `dryRun`: still to remove). */
  finished: string[];
  /** Named files whose originals were not purged, each with why (younger, held, restored, no retention, already purged, never committed). */
  refused: FileFailure[];
  /** Stopped between objects: run it again to go on. */
  cancelled: boolean;
  checkpoint: Checkpoint;
}
/** Holds the originals of images (a legal hold): purge refuses them while the hold lasts, unless forced. Audited first. */
export interface RetentionHoldParams {
  root: string;
  /** Committed images (relative to the dataset). */
  files: string[];
  reason: string;
  /** When the hold ends by itself: an ISO date (the hold lasts through that day, UTC) or time; absent: until released. */
  until?: string;
}
/** Takes holds back (audited first). */
export interface RetentionReleaseParams {
  root: string;
  files: string[];
  reason: string;
}
export interface RetentionHoldResult {
  /** The files the decision was recorded for (relative to the dataset), each with its own audit entry. */
  files: string[];
  checkpoint: Checkpoint;
}
/**
 * Puts committed images' originals back in place of their anonymized outputs, e.g. to review them again with a better
 * model. Each original is decrypted through the audited opening (`open-original`, with the purpose), then its
 * `restore-original` entry is written, then the output is replaced atomically; the image's review state becomes
 * "unreviewed" with its boxes kept (a review-change entry). A later commit takes it like any reviewed image.
 */
export interface VaultRestoreParams {
  root: string;
  /** Committed images (relative to the dataset); absent: every committed image of the folder. */
  files?: string[];
  /** Identity file whose key opens the originals. */
  identity: string;
  passphrase?: string;
  /** Why the originals are opened (as `VaultOpenParams.purpose`): required. */
  purpose?: string;
  progressToken?: string;
}
export interface VaultRestoreResult {
  root: string;
  /** Images whose originals are back in place now (restores an interrupted run began are finished here too). */
  restored: string[];
  /** Named images restored before (their originals are in place already). */
  alreadyRestored: string[];
  failures: FileFailure[];
  cancelled: boolean;
  checkpoint: Checkpoint;
}

// ---- Audit log ----------------------------------------------------------------------------------------

/** Every kind of audit entry (`type`), in the order a dataset's life writes them. */
export const AUDIT_ACTIONS = [
  'detect-run',
  'detect-image',
  'review-change',
  'review-reconcile',
  'exclude',
  'include',
  'commit-image',
  'commit',
  'open-original',
  'open-refused',
  'recipients-change',
  'vault-rewrap',
  'retention-hold',
  'retention-release',
  'vault-purge',
  'restore-original',
  'policy-change',
  'checkpoint-signature',
  'backup',
  'backup-restore',
  'backup-prune',
  'audit-repair',
  'annotations-import',
  'segment-open',
  'segment-close',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Which entries a reading of the audit trail keeps (`audit/list`, `audit/monitor`): each filter given must pass. */
export interface AuditTrailFilter {
  /** Only entries of this reviewer (the actor's reviewer name). */
  actor?: string;
  /** Only entries of these actions. */
  actions?: AuditAction[];
  /** Only entries about this file (relative to the dataset, as the entries name it). */
  file?: string;
  /** Only entries written at or after this time (ISO 8601 with its offset or Z, e.g. "2026-11-29T00:00:00Z"). */
  since?: string;
  /** Only entries written before this time (ISO 8601 with its offset or Z). */
  until?: string;
}
/** A page of the audit log, newest first, read and checked by the daemon (clients never parse the log). */
export interface AuditListParams extends AuditTrailFilter {
  root: string;
  /** Entries per page: 1 to MAX_AUDIT_PAGE; default DEFAULT_AUDIT_PAGE. */
  limit?: number;
  /** Only entries numbered below this `seq` (the `next` of the page before); absent: from the newest. */
  before?: number;
}
export const DEFAULT_AUDIT_PAGE = 200;
export const MAX_AUDIT_PAGE = 1000;
export interface AuditListEntry {
  seq: number;
  /** ISO time the entry was written. */
  at: string;
  action: AuditAction;
  /** Who (absent for `audit-repair`, written by whichever process found the torn line). */
  actor?: { osUser: string; reviewer: string };
  /** The image or file the entry is about, relative to the dataset. */
  file?: string;
  /** Why an original was opened (open-original, open-refused, restore-original), as the entry records it. */
  purpose?: string;
  /** What the entry says, in words (the daemon's reading of its fields). */
  details: string;
}
export interface AuditListResult {
  /** The dataset root (real path). */
  root: string;
  /** Newest first. */
  entries: AuditListEntry[];
  /** Entries in the whole log, and those passing the filters. */
  total: number;
  matched: number;
  /** The `before` of the next page; absent on the last page. */
  next?: number;
  /** Every reviewer and every action the whole log holds (what the filters can pick). */
  actors: string[];
  actions: AuditAction[];
}

// ---- Monitoring: what the audit log shows that someone should look at (README "Monitoring") -------------

/** Every kind of flag `audit/monitor` raises. */
export const AUDIT_FLAG_KINDS = [
  /** An original opened outside the policy's `monitoring.workingHours` (in its time zone). */
  'outside-working-hours',
  /** An opening beyond `monitoring.maxOpeningsPerActorPerDay` by one reviewer in one day (of the working hours' time zone, else UTC). */
  'too-many-openings',
  /** An original opened without a stated purpose. */
  'opening-without-purpose',
  /** An original opened for a purpose the policy does not allow (`purposes.allowed`, without `freeText`). */
  'purpose-not-allowed',
  /** An opening of an original that Veil refused (a wrong key, no purpose, a purged object): someone tried. */
  'opening-refused',
  /** An original purged before its retention expired, or while on hold: forced, with a logged reason. */
  'forced-purge',
  /** The audit log does not chain: a line altered, removed, added or torn (what `verify` reports as audit-chain). */
  'audit-chain',
  /** A checkpoint signature that does not verify, is by an untrusted key, or whose signed history was rewritten. */
  'signature-problem',
  /** The policy the openings are judged by is not the one the log last recorded, or does not parse. */
  'policy-problem',
] as const;
export type AuditFlagKind = (typeof AUDIT_FLAG_KINDS)[number];
export interface AuditFlag {
  kind: AuditFlagKind;
  /** The entry flagged; absent for a problem of the log or policy as a whole (a torn last line, a policy edited by hand). */
  seq?: number;
  /** When the flagged entry was written. */
  at?: string;
  /** The flagged entry's reviewer. */
  actor?: string;
  /** The image the flagged entry is about, or the `.veil/` file at fault. */
  file?: string;
  /** What is suspicious, in words. */
  message: string;
}
/**
 * Flags over the whole audit log: openings judged by the dataset's policy in place now (working hours, openings per
 * reviewer and day, purposes), refusals, forced purges, and the log's own integrity (chain, signatures, policy). Flags
 * of entries outside the filter are left out; flags of the log as a whole always count.
 */
export interface AuditMonitorParams extends AuditTrailFilter {
  root: string;
  /** Public keys (`veil-ed25519:…`) to trust instead of the policy's `signers`, as `dataset/verify` takes them. */
  signers?: string[];
  /** Also answer the entries passing the filter, in log order, from the same reading of the log (what `veil audit` prints). */
  trail?: boolean;
}
export interface AuditMonitorResult {
  root: string;
  /** No flag. */
  ok: boolean;
  /** In log order; those of the log as a whole first. */
  flags: AuditFlag[];
  /** Entries in the log, openings judged (those passing the filter), checkpoint signatures checked. */
  checked: { entries: number; openings: number; signatures: number };
  /** The policy's monitoring rules in words, each said as checked or as not set. */
  rules: string[];
  /** With `trail`: the entries that parse and pass the filter, oldest first, the log's entries that parse, and those passing. */
  trail?: { entries: AuditListEntry[]; total: number; matched: number };
}

// ---- Compliance evidence: an HTML report and a signed JSON evidence file (README "Compliance report") ------

export interface ReportCreateParams {
  root: string;
  /**
   * Where to write the HTML report (a new file; the evidence JSON is written beside it, same name with `.json`).
   * Default: `.veil/reports/report-<time>.html` in the dataset.
   */
  out?: string;
  /** An Ed25519 signing key (PEM, outside the dataset) that signs the evidence. Absent: VEIL_SIGNING_KEY of the daemon's environment, else unsigned. */
  signingKey?: string;
  /** An age identity: the verification decrypts every vault object (without one it matches them against their audited hashes). */
  identity?: string;
  passphrase?: string;
  /** Re-detect faces in every committed image as part of the verification; default true. */
  redetect?: boolean;
  progressToken?: string;
}
export interface ReportCreateResult {
  root: string;
  /** The HTML report written (absolute path). */
  html: string;
  /** The evidence JSON written beside it (absolute path). */
  evidence: string;
  /** Absent when no signing key was given. */
  signed?: { signer: string; publicKey: string; trusted: boolean };
  /** The audit log's checkpoint the report states. */
  checkpoint: Checkpoint;
  /** The verification's findings and the monitor's flags the report holds. */
  findings: number;
  flags: number;
}
/** Checks an evidence file: its signature, by a key the dataset's policy (or `signers`) trusts, and that the log still holds the head it states. */
export interface ReportCheckParams {
  /** The evidence JSON. */
  file: string;
  /** The dataset whose policy names the trusted signers and whose log must still hold the evidence's head; default: the dataset the file lies in. */
  root?: string;
  /** Public keys to trust instead of the policy's signers. */
  signers?: string[];
}
export interface ReportCheckResult {
  file: string;
  /** Signed, the signature verifies, by a trusted key, and (when a dataset was at hand) its log still holds the head stated. */
  ok: boolean;
  signature?: { signer: string; publicKey: string; signedAt: string; valid: boolean; trusted: boolean };
  /** The dataset root compared against (absent: none was given and the file lies in none). */
  root?: string;
  generatedAt: string;
  checkpoint: Checkpoint;
  /** What keeps the file from being ok, in words (empty when ok). */
  problems: string[];
}

// ---- Governance: policy and signed checkpoints --------------------------------------------------------

/*
 * `.veil/policy.json`, the dataset's governance policy. Every field is optional in the file: `policy/show` answers
 * the effective policy, the defaults filled in. Its one check, defaults and starter live in daemon/policy/policy.ts;
 * README "Governance: policy" documents each field. What this version enforces: `signers` (verify trusts the
 * signatures of these keys), `purposes` (every opening of an original) and `roles` (commits encrypt to the recipients
 * of the roles that may open originals). The other fields are validated and audited now, and enforced by later work.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** What happens to an encrypted original older than `retention.days`: listed for a person to decide, or purged (crypto-shredded, audited). */
export const RETENTION_ACTIONS = ['report', 'purge'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];
export interface PolicyRole {
  /** What the role is for, in words. Default "". */
  description: string;
  /** Reviewer names (as audit entries record the actor) acting in this role. Default []. */
  members: string[];
  /** age X25519 recipients (`age1…`) of the role's keys. Default []. */
  recipients: string[];
  /** Whether the role's keys may open originals (roles-based encryption encrypts to these roles only). Default false. */
  mayOpenOriginals: boolean;
}
/**
 * Why originals may be opened. Every opening states a purpose, whatever the policy says (an opening without one is
 * refused); these fields decide which purposes are accepted (daemon/policy/purpose.ts).
 */
export interface PolicyPurposes {
  /**
   * Whether the purpose must be one the policy accepts: one of `allowed`, or any words when `freeText`. False: any
   * purpose in words is accepted, and `allowed` only lists the choices a client offers. Default false.
   */
  required: boolean;
  /** The purposes an opening may state (e.g. "clinical-follow-up", "model-reevaluation", "audit"). Default []. */
  allowed: string[];
  /** With `required`: whether a purpose in words outside `allowed` is accepted (and recorded as given). Default true. */
  freeText: boolean;
}
/** Whether an opening may state a purpose in its own words (besides those `allowed` lists): what a client offers. */
export function acceptsFreeTextPurpose(purposes: PolicyPurposes): boolean {
  return !purposes.required || purposes.freeText;
}
export interface PolicyRetention {
  /** Days an encrypted original is kept after its commit; null: until removed by a person. Default null. */
  days: number | null;
  /** Default "report". */
  action: RetentionAction;
}
/** A key whose signatures over audit checkpoints verify trusts. */
export interface PolicySigner {
  /** Who holds the key (a person or a machine), as messages show it. */
  name: string;
  /** `veil-ed25519:<base64 of the 32-byte public key>`, as `veil signer create` prints it. */
  publicKey: string;
}
export interface PolicyWorkingHours {
  days: Weekday[];
  /** "HH:MM", 24-hour clock; `to` before `from` spans midnight. */
  from: string;
  to: string;
  /** An IANA time zone ("Europe/Berlin", "UTC"). */
  timeZone: string;
}
export interface PolicyMonitoring {
  /** Openings outside these hours are flagged; null: no rule. Default null. */
  workingHours: PolicyWorkingHours | null;
  /** More openings than this by one reviewer in one day are flagged; null: no rule. Default null. */
  maxOpeningsPerActorPerDay: number | null;
}
/** The effective policy: what the file says, each absent field at its default. */
export interface Policy {
  version: 1;
  roles: Record<string, PolicyRole>;
  purposes: PolicyPurposes;
  retention: PolicyRetention;
  signers: PolicySigner[];
  monitoring: PolicyMonitoring;
}
export interface PolicyShowParams {
  root: string;
}
export interface PolicyShowResult {
  root: string;
  /** False when the dataset has no `.veil/policy.json`: `policy` is then every default. */
  present: boolean;
  /** sha256 of the file's bytes (null when absent): what `policy-change` entries record. */
  sha256: string | null;
  policy: Policy;
}
/** Writes the starter policy (refused when the dataset has one); audited before the file is written. */
export interface PolicyInitParams {
  root: string;
}
/** Replaces the dataset's policy with the file at `file` (checked first); audited before the file is replaced. */
export interface PolicyApplyParams {
  root: string;
  /** The new policy (may be `.veil/policy.json` itself, after a hand edit). */
  file: string;
}
export interface PolicyChangeResult {
  root: string;
  /** sha256 of the policy now in place, as its `policy-change` entry records it. */
  sha256: string;
  checkpoint: Checkpoint;
  /**
   * Present when the policy changed who commits encrypt to (the recipients of its roles that may open originals) and
   * vault objects are still encrypted to others, as the vault index records them: they keep opening with `losing`
   * (and not with `gaining`) until `veil recipients rotate` re-encrypts them.
   */
  rotationNeeded?: { objects: number; gaining: string[]; losing: string[] };
}
/** A new Ed25519 signing key for audit checkpoints, for a person or a machine. */
export interface SignerCreateParams {
  /** Where to write the private key (PEM): a new file outside every dataset, mode 0600. */
  out: string;
}
export interface SignerCreateResult {
  /** `veil-ed25519:<base64>`: what a policy's `signers` lists. */
  publicKey: string;
  keyFile: string;
}
/** Signs the audit log's current checkpoint: a `checkpoint-signature` entry covering every line before it. */
export interface CheckpointSignParams {
  root: string;
  /** The signing key (PEM), kept outside the dataset. */
  key: string;
}
export interface CheckpointSignResult {
  /** The checkpoint signed (the log before the signature's own entry). */
  signed: Checkpoint;
  /** The signer's name: the policy's name for the key, or the reviewer's when the policy does not list it. */
  signer: string;
  publicKey: string;
  /** Whether the dataset's policy trusts the key (verify reports a signature by a key it does not). */
  trusted: boolean;
  /** The log's checkpoint after the signature's entry. */
  checkpoint: Checkpoint;
}

// ---- Backup and disaster recovery (README "Backup and disaster recovery") ---------------------------------

/**
 * Copies the dataset's protected state to a backup folder (another disk, a mount), incrementally: the vault objects as
 * they are (already encrypted; stored by the sha256 of their bytes, so each is copied once, whatever the datasets and
 * runs), and age-encrypted to the dataset's custodians (the recipients its originals are encrypted to) everything else
 * that is not: the audit log (only its new entries each run), the review state, exclusions, policy, recipients and the
 * vault index. Renditions (they show faces), locks and in-flight files never go. Each run writes a new generation: its
 * blobs first, each read back and re-hashed, then its `backup` audit entry (naming the destination, the generation and
 * the manifest's sha256), then the manifest, by an atomic rename: a run killed anywhere leaves every earlier generation
 * whole, and the next run finishes the work. Refused while a commit or a change of recipients is unfinished.
 */
export interface BackupCreateParams {
  root: string;
  /** The backup folder: created when missing; never inside the dataset. One folder may hold the backups of many datasets. */
  destination: string;
  /** Also keep the committed images (the anonymized outputs, encrypted like the state); default false: they are the dataset itself. */
  withOutputs?: boolean;
  progressToken?: string;
}
/** Blobs and their bytes: what a run wrote, found already there, or read back. */
export interface BackupBlobCount {
  blobs: number;
  bytes: number;
}
export interface BackupCreateResult {
  root: string;
  /** The backup folder (real path). */
  destination: string;
  /** The folder's id (in its VEIL-BACKUP file): what the dataset's backup cache and audit entries know it by. */
  backupId: string;
  /** The dataset's id in the folder (`datasets/<id>/`): the sha256 of its audit log's first line, cut to 16 characters. */
  datasetId: string;
  /** The generation written (1, 2, …); 0 when cancelled before it was. */
  generation: number;
  /** The generation's manifest file (`generations/<n>.age`, absent when cancelled) and the sha256 of its bytes, as audited. */
  manifest?: string;
  manifestSha256?: string;
  /** The audit entries the generation holds (the log before its own `backup` entry). */
  covers: Checkpoint;
  vaultObjects: number;
  /** `.veil/` files sealed (the audit log counted once, however many parts it is stored in). */
  stateFiles: number;
  outputs: number;
  /** Blobs this run wrote (then read back and re-hashed), and those already in the folder (present, of their size). */
  written: BackupBlobCount;
  reused: BackupBlobCount;
  /** Something to know: a vault object that is not the ciphertext the log records, an output not as committed (stored as found). */
  warnings: FileWarning[];
  /** Stopped between blobs: nothing published (the blobs written stay, the next run reuses them). */
  cancelled: boolean;
  /** The dataset's audit checkpoint after the backup entry. */
  checkpoint: Checkpoint;
}
/**
 * Rebuilds a dataset's `.veil/` from a backup (onto an empty machine): into `root/.veil/`, which must not exist, built
 * aside and renamed into place at the end; the committed images too when the backup holds them (never over a file
 * that differs). Each blob is checked against its name and each part against the manifest; the restored log gets a
 * `backup-restore` entry (before the rename). `veil verify` then passes on the result (with the images in place).
 */
export interface BackupRestoreParams {
  /** The backup folder. */
  backup: string;
  /** The dataset folder to rebuild (created when missing); not inside another dataset. */
  root: string;
  /** A custodian's identity file (the manifest and the state are encrypted to the custodians). */
  identity: string;
  passphrase?: string;
  /** Which generation (default: the latest). */
  generation?: number;
  /** Which dataset's backups (`datasets/<id>/`) when the folder holds several; default: the only one (else refused, naming them). */
  dataset?: string;
  progressToken?: string;
}
export interface BackupRestoreResult {
  root: string;
  backup: string;
  backupId: string;
  datasetId: string;
  generation: number;
  /** When the generation was written. */
  createdAt: string;
  manifestSha256: string;
  /** The audit entries restored (the log as the backup held it): pass it to `verify --checkpoint`. */
  covers: Checkpoint;
  vaultObjects: number;
  stateFiles: number;
  outputs: number;
  /** Bytes written into the dataset. */
  bytes: number;
  /** The restored log's checkpoint after its `backup-restore` entry. */
  checkpoint: Checkpoint;
  /**
   * The folder held this restore already, finished: a run killed after its `.veil/` was renamed into place, run again.
   * Nothing was written (`bytes` 0); `checkpoint` is the log's now.
   */
  alreadyRestored?: boolean;
}
/**
 * Removes each dataset's oldest backup generations beyond `keep`, then every blob no remaining generation names
 * (README "Backup and disaster recovery"): the generations' manifests first (their folder fsync'd), the blobs after, so
 * a prune killed anywhere leaves every generation it keeps restorable. Blobs are shared by every dataset backed up in
 * the folder: the manifests of every generation kept, of every dataset, are read (they are sealed: `identity`).
 */
export interface BackupPruneParams {
  /** The backup folder. */
  backup: string;
  /** Generations of each dataset to keep, the newest (at least 1). */
  keep: number;
  /** A custodian's identity: it must open the manifest of every generation kept, of every dataset in the folder. */
  identity: string;
  passphrase?: string;
  /** Only this dataset's generations are pruned (`datasets/<id>/`); default: every dataset's. */
  dataset?: string;
  /** Say what would be removed, remove nothing. */
  dryRun?: boolean;
  progressToken?: string;
}
export interface BackupPrunedDataset {
  datasetId: string;
  /** Generations kept and removed (with `dryRun`: that would be), oldest first. */
  kept: number[];
  removed: number[];
  /**
   * The dataset whose audit log records the prune (a `backup-prune` entry, written before anything is removed): the
   * root its newest generation recorded, when that folder still holds this dataset. Absent: `notLogged` says why.
   */
  loggedIn?: string;
  notLogged?: string;
}
export interface BackupPruneResult {
  backup: string;
  backupId: string;
  /** Each dataset of the folder pruned (those with nothing to remove included). */
  datasets: BackupPrunedDataset[];
  /** Blobs removed (or that would be): no generation kept names them. */
  removed: BackupBlobCount;
  /** Blobs left, each named by a generation kept. */
  kept: BackupBlobCount;
  dryRun: boolean;
  /** Stopped between blobs: the generations are removed, some blobs they alone named are left (the next prune removes them). */
  cancelled: boolean;
}

// ---- Annotations in and out (README "Annotations in and out") --------------------------------------------

/** The label formats Veil writes and reads face boxes in (daemon/annotations/formats.ts). */
export const ANNOTATION_FORMATS = ['coco', 'yolo', 'voc', 'labelstudio'] as const;
export type AnnotationFormat = (typeof ANNOTATION_FORMATS)[number];
/** The boxes an export holds unless told otherwise: those a commit would redact. */
export const DEFAULT_EXPORT_STATES = ['accepted', 'proposed'] as const satisfies readonly BoxState[];
/** Where an export goes unless told (`<folder asked>/annotations/<defaultName>`), and whether it is one file or a folder: the daemon's default and the editor's save dialog. */
export const ANNOTATIONS_FOLDER = 'annotations';
export const ANNOTATION_OUTPUTS: Record<AnnotationFormat, { folder: boolean; defaultName: string }> = {
  coco: { folder: false, defaultName: 'faces.coco.json' },
  yolo: { folder: true, defaultName: 'yolo' },
  voc: { folder: true, defaultName: 'voc' },
  labelstudio: { folder: false, defaultName: 'faces.labelstudio.json' },
};

/**
 * Writes the dataset's face boxes (displayed pixels) in a label format: one file (coco, labelstudio) or a folder
 * (yolo, voc). Every image with a review record is written, those without a box in `states` too (an image with no
 * face is a label as well); images never detected and videos are skipped, each named with why.
 */
export interface AnnotationsExportParams {
  root: string;
  format: AnnotationFormat;
  /** The file or folder to write; default ANNOTATION_OUTPUTS. Never inside `.veil/`. */
  out?: string;
  /** The box states written; default DEFAULT_EXPORT_STATES. */
  states?: BoxState[];
}
export interface AnnotationsExportResult {
  root: string;
  format: AnnotationFormat;
  /** What was written (real path): a file, or a folder replaced whole. */
  out: string;
  images: number;
  boxes: number;
  /** Files of the folder left out, each with why (a video, an image never detected). */
  skipped: FileWarning[];
  /** What the format cannot hold of a Veil box, in words (empty when it holds everything). */
  lost: string[];
}
/**
 * Loads boxes from a label file (or a YOLO/VOC folder) into the review state, all or nothing: the whole file is checked
 * first against the dataset (each name a file of it, its size the image's displayed size, every box inside it) and any
 * problem is reported per file with nothing written. Imported boxes are proposals, or with `trust` the decisions the file
 * holds (accepted unless it says otherwise); a box a person handled in Veil wins over an imported box on the same face.
 * One `annotations-import` audit entry, then each changed image's `review-change` entry, are written before the state.
 */
export interface AnnotationsImportParams {
  root: string;
  format: AnnotationFormat;
  /** The label file (coco, labelstudio, a voc .xml) or folder (yolo, voc). */
  file: string;
  /** The file's labels that are faces; default: its only label, else "face". */
  labels?: string[];
  /** Take the file's decisions: boxes become accepted (or what the file's Veil attributes say). Needs `reason`. */
  trust?: boolean;
  /** Why the file is trusted (recorded in the audit log); optional without `trust`. */
  reason?: string;
}
export interface AnnotationsImportResult {
  root: string;
  format: AnnotationFormat;
  /** False when any problem was found: nothing was written. */
  imported: boolean;
  /** Images whose review record changed, and boxes added to them. */
  images: number;
  boxes: number;
  /** Imported boxes left out: a box a person handled in Veil lies on the same face. */
  sameFace: number;
  /** Boxes of the file under labels that are not faces. */
  otherLabels: number;
  /** Each file that keeps the import from being applied (unknown, another size, a box outside it, committed…). */
  problems: FileFailure[];
  checkpoint: Checkpoint;
}
/** Where a redactions export goes unless told: `<folder asked>/annotations/<this>`, or with `merge` beside the label file (`mergedLabelsPath`). */
export const REDACTIONS_COCO_NAME = 'redactions.coco.json';
/** Where a merge of the redacted regions into a label file goes unless told: `labels.json` → `labels.with-redactions.json`, beside it. */
export function mergedLabelsPath(labelFile: string): string {
  return labelFile.replace(/(\.[^./\\]*)?$/, '.with-redactions.json');
}
/**
 * Writes the regions every committed image had redacted (`.veil/redactions.json`, derived afresh from the audit log
 * and the review state) as COCO ignore regions (`iscrowd` 1, `ignore` 1, category `redacted-face`, the painted pixels
 * as RLE): a file of its own, or added to an existing COCO label file (`merge`) whose images, ids, categories and
 * annotations are kept as they are. Only reads the dataset (no audit entry). README "Redaction sidecar for training".
 */
export interface RedactionsExportParams {
  root: string;
  /** The COCO file to write; never inside `.veil/`. */
  out?: string;
  /** An existing COCO label file to add the regions to (read only; the result goes to `out`). */
  merge?: string;
}
export interface RedactionsExportResult {
  root: string;
  /** What was written (real path). */
  out: string;
  /** Images given ignore regions, and the regions. */
  images: number;
  regions: number;
  /** Files left out, each with why: videos (COCO holds no frames; the sidecar lists their tracks), committed files whose regions are unknown, label images not committed or not in the dataset. */
  skipped: FileWarning[];
}

/** Every RPC method: name → (params) => result. Used with json-rpc-2.0's typed server and client. */
export type VeilMethods = {
  initialize(params: InitializeParams): InitializeResult;
  shutdown(params: Record<string, never>): { ok: true };
  'session/configure'(params: SessionConfigureParams): SessionConfigureResult;
  'image/detect'(params: ImageDetectParams): ImageDetectResult;
  'dataset/open'(params: DatasetOpenParams): DatasetOpenResult;
  'dataset/status'(params: DatasetStatusParams): DatasetStatusResult;
  'dataset/detect'(params: DatasetDetectParams): DatasetDetectResult;
  'review/get'(params: ReviewGetParams): ImageRecord;
  'review/update'(params: ReviewUpdateParams): ImageRecord;
  'image/thumbnail'(params: ThumbnailParams): ThumbnailResult;
  'image/displayCopy'(params: DisplayCopyParams): DisplayCopyResult;
  'video/displayCopy'(params: VideoDisplayCopyParams): VideoDisplayCopyResult;
  'dataset/commit'(params: CommitParams): CommitResult;
  'dataset/exclude'(params: ExcludeParams): ExclusionResult;
  'dataset/include'(params: IncludeParams): ExclusionResult;
  'dataset/verify'(params: VerifyParams): VerifyResult;
  'models/list'(params: Record<string, never>): ModelInfo[];
  'models/install'(params: ModelsInstallParams): ModelInfo;
  'models/add'(params: ModelsAddParams): ModelInfo;
  'keys/create'(params: KeysCreateParams): KeysCreateResult;
  'keys/inspect'(params: KeysInspectParams): KeysInspectResult;
  'vault/open'(params: VaultOpenParams): VaultOpenResult;
  'vault/read'(params: VaultReadParams): VaultReadResult;
  'audit/list'(params: AuditListParams): AuditListResult;
  'audit/monitor'(params: AuditMonitorParams): AuditMonitorResult;
  'report/create'(params: ReportCreateParams): ReportCreateResult;
  'report/check'(params: ReportCheckParams): ReportCheckResult;
  'recipients/list'(params: RecipientsListParams): RecipientsListResult;
  'recipients/add'(params: RecipientsAddParams): RecipientsChangeResult;
  'recipients/remove'(params: RecipientsRemoveParams): RecipientsChangeResult;
  'recipients/rotate'(params: RecipientsRewrapParams): RecipientsChangeResult;
  'retention/hold'(params: RetentionHoldParams): RetentionHoldResult;
  'retention/release'(params: RetentionReleaseParams): RetentionHoldResult;
  'vault/purge'(params: VaultPurgeParams): VaultPurgeResult;
  'vault/restore'(params: VaultRestoreParams): VaultRestoreResult;
  'policy/show'(params: PolicyShowParams): PolicyShowResult;
  'policy/init'(params: PolicyInitParams): PolicyChangeResult;
  'policy/apply'(params: PolicyApplyParams): PolicyChangeResult;
  'signer/create'(params: SignerCreateParams): SignerCreateResult;
  'checkpoint/sign'(params: CheckpointSignParams): CheckpointSignResult;
  'backup/create'(params: BackupCreateParams): BackupCreateResult;
  'backup/restore'(params: BackupRestoreParams): BackupRestoreResult;
  'backup/prune'(params: BackupPruneParams): BackupPruneResult;
  'annotations/export'(params: AnnotationsExportParams): AnnotationsExportResult;
  'annotations/import'(params: AnnotationsImportParams): AnnotationsImportResult;
  'redactions/export'(params: RedactionsExportParams): RedactionsExportResult;
};
export type MethodName = keyof VeilMethods;

// ---- Notifications --------------------------------------------------------------------------------

export interface ProgressParams {
  token: string;
  done: number;
  total: number;
  file?: string;
  message?: string;
}
export interface CancelParams {
  id: number | string;
}
export const NOTIFY_PROGRESS = '$/progress';
export const NOTIFY_CANCEL = '$/cancelRequest';
export const NOTIFY_LOG = '$/log';
/**
 * Review records of an opened dataset changed in another process (CLI, another window, a commit), sent by
 * a daemon to its client within about a second of the change for every dataset it opened with `dataset/open` or
 * listed with `dataset/status`.
 */
export const NOTIFY_REVIEW_CHANGED = 'review/changed';
/**
 * `dataset/open`'s reconcile (daemon/services/reconcile.ts) has ended: it runs once the answer is out, since it changes
 * nothing the answer holds. `recorded`: the `review-reconcile` entries it appended; `error`: why it could not run.
 */
export const NOTIFY_DATASET_RECONCILED = 'dataset/reconciled';
export interface DatasetReconciledParams {
  root: string;
  recorded: number;
  error?: string;
}
export interface ReviewChangedParams {
  root: string;
  records: ImageRecord[];
}

// ---- Guards: receivers validate what arrives ---------------------------------------------------------

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
export function isRect(value: unknown): value is Rect {
  return (
    isRecord(value) &&
    isFiniteNumber(value.x) &&
    isFiniteNumber(value.y) &&
    isFiniteNumber(value.w) &&
    isFiniteNumber(value.h) &&
    value.w >= 0 &&
    value.h >= 0
  );
}
export function isBox(value: unknown): value is Box {
  return (
    isRect(value) &&
    isRecord(value) &&
    typeof value.id === 'string' &&
    value.id.length > 0 &&
    (value.score === null || isFiniteNumber(value.score)) &&
    isOneOf(BOX_SOURCES, value.source) &&
    isOneOf(BOX_STATES, value.state) &&
    typeof value.edited === 'boolean'
  );
}
function positiveNumber(value: unknown): boolean {
  return isFiniteNumber(value) && value > 0;
}
/** What is wrong with a review record (`.field: expected …`), or undefined when it is one. */
export function imageRecordProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return ': expected an object';
  if (typeof value.file !== 'string' || value.file.length === 0) return '.file: expected a relative path';
  if (!positiveNumber(value.width) || !positiveNumber(value.height)) return '.width/.height: expected positive numbers';
  if (!isOneOf(IMAGE_STATUSES, value.status)) return `.status: expected one of ${IMAGE_STATUSES.join(', ')}`;
  if (value.revision !== undefined && !(Number.isInteger(value.revision) && (value.revision as number) >= 0)) return '.revision: expected a whole number';
  if (!Array.isArray(value.boxes)) return '.boxes: expected an array';
  const bad = value.boxes.findIndex((box) => !isBox(box));
  if (bad >= 0) return `.boxes[${bad}]: expected {id, x, y, w, h, score, source, state, edited}`;
  if (value.tracks !== undefined) {
    if (!Array.isArray(value.tracks)) return '.tracks: expected an array';
    const badTrack = value.tracks.findIndex((track) => trackProblem(track) !== undefined);
    if (badTrack >= 0) return `.tracks[${badTrack}]${trackProblem(value.tracks[badTrack])}`;
  }
  return undefined;
}
function isTrackKeyframe(value: unknown): value is TrackKeyframe {
  return isRect(value) && isRecord(value) && Number.isInteger(value.frame) && (value.frame as number) >= 0 && (value.score === null || isFiniteNumber(value.score));
}
/** What is wrong with a track (`.field: expected …`), or undefined when it is one. */
export function trackProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return ': expected an object';
  if (typeof value.id !== 'string' || value.id.length === 0) return '.id: expected a non-empty string';
  if (!isOneOf(BOX_SOURCES, value.source)) return `.source: expected one of ${BOX_SOURCES.join(', ')}`;
  if (!isOneOf(BOX_STATES, value.state)) return `.state: expected one of ${BOX_STATES.join(', ')}`;
  if (!(value.score === null || isFiniteNumber(value.score))) return '.score: expected a number or null';
  if (typeof value.edited !== 'boolean') return '.edited: expected a boolean';
  for (const pad of ['padBefore', 'padAfter'] as const) {
    if (!(Number.isInteger(value[pad]) && (value[pad] as number) >= 0)) return `.${pad}: expected a whole number of frames`;
  }
  if (!Array.isArray(value.keyframes) || value.keyframes.length === 0) return '.keyframes: expected a non-empty array';
  const badKey = value.keyframes.findIndex((key, i, keys) => !isTrackKeyframe(key) || (i > 0 && (key as TrackKeyframe).frame <= (keys[i - 1] as TrackKeyframe).frame));
  if (badKey >= 0) return `.keyframes[${badKey}]: expected {frame, x, y, w, h, score} after the previous keyframe's frame`;
  return undefined;
}
export function isTrack(value: unknown): value is Track {
  return trackProblem(value) === undefined;
}
export function isImageRecord(value: unknown): value is ImageRecord {
  return imageRecordProblem(value) === undefined;
}
function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
export function isReviewRow(value: unknown): value is ReviewRow {
  return (
    isRecord(value) &&
    typeof value.file === 'string' &&
    isOneOf(IMAGE_STATUSES, value.status) &&
    isCount(value.revision) &&
    (value.video === undefined || (isRecord(value.video) && positiveNumber(value.video.width) && positiveNumber(value.video.height) && positiveNumber(value.video.fps) && isCount(value.video.frames))) &&
    isRecord(value.faces) &&
    Object.entries(value.faces).every(([state, count]) => isOneOf(BOX_STATES, state) && isCount(count)) &&
    (value.manual === undefined || isCount(value.manual)) &&
    (value.lowestScore === undefined || isFiniteNumber(value.lowestScore)) &&
    (value.detectedPossible === undefined || isCount(value.detectedPossible))
  );
}
export function isDatasetReconciledParams(value: unknown): value is DatasetReconciledParams {
  return isRecord(value) && typeof value.root === 'string' && isCount(value.recorded) && (value.error === undefined || typeof value.error === 'string');
}
export function isReviewChangedParams(value: unknown): value is ReviewChangedParams {
  return isRecord(value) && typeof value.root === 'string' && Array.isArray(value.records) && value.records.every(isImageRecord);
}
export function isProgressParams(value: unknown): value is ProgressParams {
  return isRecord(value) && typeof value.token === 'string' && isFiniteNumber(value.done) && isFiniteNumber(value.total);
}
export function isCheckpoint(value: unknown): value is Checkpoint {
  return isRecord(value) && Number.isInteger(value.entries) && (value.entries as number) >= 0 && typeof value.head === 'string' && /^[0-9a-f]{64}$/.test(value.head);
}
export function isCancelParams(value: unknown): value is CancelParams {
  return isRecord(value) && (typeof value.id === 'number' || typeof value.id === 'string');
}
