/**
 * What every committed file had redacted (`.veil/redactions.json`, README "Redaction sidecar for training"), derived
 * from the durable facts alone, so that it can be written again at any time: each file's latest commit-image entry in
 * the audit log (not followed by a restore of its original) and the file's review record, whose boxes (a video's
 * tracks) must be the ones that entry hashed (`boxesSha256`). The regions come from the commit's own functions —
 * `boxesToRedact` (commit/select.ts), `faceRegion` with the entry's margin rule (redact/geometry.ts), a track's frames
 * from video/trackGeometry.ts — so the file says which pixels each commit painted, not an approximation of them.
 */
import { marginFor, type MaskShape, type Rect, type RedactionMode, type ImageRecord, type Track } from '../protocol';
import { committedMarginRule, decisionSha256, type AuditEntry, type CommitImageEvent } from '../audit/events';
import type { CommitsAndRestores } from '../audit/committed';
import { boxesToRedact } from '../commit/select';
import { faceRegion, type Region } from '../redact/geometry';
import { trackFirstFrame, trackLastFrame } from '../video/trackGeometry';

export const SIDECAR_FORMAT = 'veil-redactions';
export const SIDECAR_VERSION = 1;

/** One painted region: integer pixels, columns [x, x + w) and rows [y, y + h), clamped to the image. */
export interface SidecarRegion extends Region {
  /** The face box as decided (displayed pixels), before the margin. */
  face: Rect;
  /** The margin it was grown by: a fraction of the box's width and height on every side (`marginFor`). */
  margin: number;
}

interface SidecarFileBase {
  file: string;
  /** Displayed size (EXIF orientation or rotation applied) of the picture the regions lie in, pixels. */
  width: number;
  height: number;
  /** The committed file's sha256, as its commit-image entry recorded it. */
  outputSha256: string;
  /** The `seq` of that commit-image entry in `.veil/audit.jsonl` (its time and actor are there), and its commit. */
  auditSeq: number;
  commitId: string;
  mode: RedactionMode;
  /** `rect` paints every pixel of a region; `ellipse` the pixels whose centre lies in the ellipse inscribed in it (`maskSpan`). */
  shape: MaskShape;
}

export interface SidecarImage extends SidecarFileBase {
  kind: 'image';
  regions: SidecarRegion[];
}

/** A redacted track: on frame f in [firstFrame, lastFrame], the region is `trackBoxAt(track, f)` grown by `margin` and clamped. */
export interface SidecarTrack {
  id: string;
  firstFrame: number;
  /** Clamped to the video's last frame. */
  lastFrame: number;
  padBefore: number;
  padAfter: number;
  margin: number;
  keyframes: Array<Rect & { frame: number }>;
}

export interface SidecarVideo extends SidecarFileBase {
  kind: 'video';
  frames: number;
  fps: number;
  tracks: SidecarTrack[];
}

export type SidecarFile = SidecarImage | SidecarVideo;

/** A committed file whose regions cannot be stated: its review record no longer holds what its commit hashed. */
export interface UndescribedFile {
  file: string;
  auditSeq: number;
  reason: string;
}

export interface RedactionSidecar {
  format: typeof SIDECAR_FORMAT;
  version: typeof SIDECAR_VERSION;
  /**
   * The `seq` of the latest audit entry that shaped it (a commit-image, or a restore of an original), -1 for none: the
   * log only grows, so of two sidecars the one with the higher `auditSeq` was read from more of it (sidecarFile.ts).
   */
  auditSeq: number;
  /** Sorted by file. */
  files: SidecarFile[];
  undescribed: UndescribedFile[];
}

type LoggedCommit = CommitImageEvent & AuditEntry;

function baseOf(event: LoggedCommit, width: number, height: number): SidecarFileBase {
  const { mode, shape } = event.redaction;
  return { file: event.file, width, height, outputSha256: event.outputSha256, auditSeq: event.seq, commitId: event.commitId, mode, shape };
}

function imageOf(event: LoggedCommit, record: ImageRecord): SidecarImage {
  const rule = committedMarginRule(event);
  const regions = boxesToRedact(record.boxes).flatMap((box): SidecarRegion[] => {
    const { faceSize: _faceSize, ...region } = faceRegion(box, rule, record.width, record.height);
    // An empty region (a box wholly outside the image) is skipped by the renderer: nothing was painted.
    if (region.w === 0 || region.h === 0) return [];
    return [{ ...region, face: { x: box.x, y: box.y, w: box.w, h: box.h }, margin: marginFor(box, rule) }];
  });
  return { kind: 'image', ...baseOf(event, record.width, record.height), regions };
}

function trackOf(track: Track, event: LoggedCommit, frames: number): SidecarTrack | undefined {
  const firstFrame = trackFirstFrame(track);
  const lastFrame = Math.min(frames - 1, trackLastFrame(track));
  if (firstFrame > lastFrame) return undefined;
  const keyframes = track.keyframes.map(({ frame, x, y, w, h }) => ({ frame, x, y, w, h }));
  return { id: track.id, firstFrame, lastFrame, padBefore: track.padBefore, padAfter: track.padAfter, margin: marginFor(track, committedMarginRule(event)), keyframes };
}

function videoOf(event: LoggedCommit, record: ImageRecord & Required<Pick<ImageRecord, 'video' | 'tracks'>>): SidecarVideo {
  const { width, height, frames, fps } = record.video;
  const tracks = boxesToRedact(record.tracks).flatMap((track) => trackOf(track, event, frames) ?? []);
  return { kind: 'video', ...baseOf(event, width, height), frames, fps, tracks };
}

/** `record` when it holds the decision `event` committed (the regions follow from it), else why the regions are unknown. */
function committedRecord(event: LoggedCommit, record: ImageRecord | undefined): ImageRecord | { reason: string } {
  if (!record) return { reason: 'it has no review record any more: the regions its commit painted are unknown' };
  if (decisionSha256(record) !== event.boxesSha256) return { reason: 'its review record no longer holds the boxes its commit hashed (edited outside Veil?): the regions are unknown' };
  if (record.tracks && !record.video) return { reason: 'its review record holds tracks but no video probe: the frames its commit painted are unknown' };
  return record;
}

/**
 * The sidecar of a dataset whose audit log says `facts` (its latest commits and the restores after them: a commit has
 * them from the log it follows, others read it: `auditedFiles`) and whose review state holds `recordOf`'s records.
 */
export function describeRedactions(facts: CommitsAndRestores, recordOf: (file: string) => ImageRecord | undefined): RedactionSidecar {
  const shaping = [...facts.commits.values(), ...facts.restored.values()];
  const auditSeq = shaping.reduce((latest, event) => Math.max(latest, event.seq), -1);
  const sidecar: RedactionSidecar = { format: SIDECAR_FORMAT, version: SIDECAR_VERSION, auditSeq, files: [], undescribed: [] };
  const committed = [...facts.commits.values()].filter((event) => !facts.restored.has(event.file)).sort((a, b) => a.file.localeCompare(b.file));
  for (const event of committed) {
    const record = committedRecord(event, recordOf(event.file));
    if ('reason' in record) sidecar.undescribed.push({ file: event.file, auditSeq: event.seq, reason: record.reason });
    else if (record.video && record.tracks) sidecar.files.push(videoOf(event, { ...record, video: record.video, tracks: record.tracks }));
    else sidecar.files.push(imageOf(event, record));
  }
  return sidecar;
}

/** The file's text: plain JSON, one file per line (a commit changes a few lines: version control diffs stay small). */
export function sidecarText(sidecar: RedactionSidecar): string {
  const lines = (items: readonly unknown[]) => (items.length === 0 ? '' : `\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n`);
  return `{"format":${JSON.stringify(sidecar.format)},"version":${sidecar.version},"auditSeq":${sidecar.auditSeq},\n"files":[${lines(sidecar.files)}],\n"undescribed":[${lines(sidecar.undescribed)}]}\n`;
}

/** The `auditSeq` a sidecar's text states; -1 for none (no file, or one written before the field, or unreadable). */
export function sidecarSeq(text: string | undefined): number {
  const stated = text === undefined ? undefined : /^\{"format":"[^"]*","version":\d+,"auditSeq":(-?\d+),/.exec(text);
  return stated ? Number(stated[1]) : -1;
}
