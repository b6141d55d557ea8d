/** Reading and writing one image's review state: what a person accepted, rejected, moved or drew. */
import { ErrorCode, faceCount, type DatasetReconciledParams, type Box, type Rect, type Track, type DatasetOpenResult, type DatasetStatusResult, type DatasetEntry, type DatasetSummary, type ExcludedFile, type FileFailure, type ImageRecord, type ImageStatusEntry, type ReviewGetParams, type ReviewRow, type ReviewUpdateParams, type SizedEntry } from '../protocol';
import { fileFailure, VeilError } from '../errors';
import { probeDisplayedSize, type DecodeLimits } from '../image/decode';
import type { Actor } from '../core/callContext';
import { eachInFlight } from '../core/inFlight';
import { appendAudit } from '../audit/log';
import { countDecision, decisionSha256, type ReviewChangeEvent } from '../audit/events';
import { resolveInside, toDatasetPath } from '../dataset/paths';
import { scanDatasetReporting, type ScanReport } from '../dataset/scan';
import { isVideoName } from '../image/formats';
import { probeVideo } from '../video/probe';
import { filesInCommit } from '../commit/journal';
import { gitWarnings } from '../dataset/gitHistory';
import type { ReviewStore } from '../review/store';
import { reviewRow, rowFaces } from '../review/rows';
import type { OpenDatasets } from './datasets';

function summarize(rows: readonly ReviewRow[], images: number): DatasetSummary {
  const summary: DatasetSummary = { images, reviewed: 0, committed: 0, boxes: 0, accepted: 0, proposed: 0 };
  for (const row of rows) {
    if (row.status === 'reviewed') summary.reviewed++;
    if (row.status === 'committed') summary.committed++;
    summary.boxes += rowFaces(row, 'proposed') + rowFaces(row, 'accepted') + rowFaces(row, 'rejected');
    summary.accepted += rowFaces(row, 'accepted');
    summary.proposed += rowFaces(row, 'proposed');
  }
  return summary;
}

const PROBE_CONCURRENCY = 8;

/**
 * Opens a dataset for review, then records in the audit log any review record it does not explain (reconcile.ts) and
 * says when that is done (`reconciled`). The reconcile never changes the review state nor anything the answer holds, so
 * it runs once the answer is out: on a new daemon at 100,000 records it took 0.6 s (quiet machine) to 1.8 s (loaded),
 * the largest part of `dataset/open` after the records themselves left the answer (ReviewRow).
 */
export async function openDataset(
  rootParam: string,
  actor: Actor,
  datasets: OpenDatasets,
  limits: DecodeLimits,
  afterAnswer: { sent: Promise<void>; reconciled: (params: DatasetReconciledParams) => void },
): Promise<DatasetOpenResult> {
  const { root, scope, store, reconciler, scanned } = await datasets.openScanned(rootParam, scanDatasetReporting, { watch: true });
  const { files, records, failures, excluded } = await readImages(root, scanned, store, limits);
  const rows = records.map(reviewRow);
  // Once the answer has left (`sent`): the reconcile's long synchronous steps would hold up the pipe.
  afterAnswer.sent
    .then(() => reconciler.run(actor))
    .then(
      (recorded) => afterAnswer.reconciled({ root, recorded: recorded.length }),
      (error: Error) => afterAnswer.reconciled({ root, recorded: 0, error: error.message }),
    );
  return { root, scope, files, rows, summary: summarize(rows, files.length), failures, excluded };
}

/** Each image's review status, for the Veil view: `dataset/open` without the boxes and without the reconcile. */
export async function datasetStatus(rootParam: string, datasets: OpenDatasets, limits: DecodeLimits, options: { versionControl?: boolean } = {}): Promise<DatasetStatusResult> {
  const { root, scope, store, scanned } = await datasets.openScanned(rootParam, scanDatasetReporting, { watch: true });
  const { files, failures, excluded } = await readImages(root, scanned, store, limits);
  const images = files.map(({ file, durationS }): ImageStatusEntry => {
    const record = store.get(file);
    const video = durationS === undefined ? {} : { durationS };
    return record ? { file, status: record.status, revision: record.revision ?? 0, faces: faceCount(record.tracks ?? record.boxes), ...video } : { file, status: 'unreviewed', ...video };
  });
  if (!options.versionControl) return { root, scope, images, failures, excluded };
  const committed = images.filter((image) => image.status === 'committed').map((image) => image.file);
  return { root, scope, images, failures, excluded, gitWarnings: await gitWarnings(root, committed) };
}

/**
 * The images under `scope` with their displayed size (their review record's, else read from the file's header), and
 * those that cannot be reviewed: refused by the scan (a link leading outside the dataset among them) or with a header
 * that cannot be read.
 */
async function readImages(root: string, { entries: scanned, refused, excluded }: ScanReport, store: ReviewStore, limits: DecodeLimits): Promise<{ files: SizedEntry[]; records: ImageRecord[]; failures: FileFailure[]; excluded: ExcludedFile[] }> {
  const files: SizedEntry[] = [];
  const records: ImageRecord[] = [];
  const failures: FileFailure[] = [...refused];
  // The images with a record are sized from it at once; only the others wait for their header (a promise each for all
  // of them cost 150–250 ms of CPU and garbage per dataset/open of 100,000 images).
  const unsized: DatasetEntry[] = [];
  for (const entry of scanned) {
    const record = store.get(entry.file);
    if (!record) unsized.push(entry);
    else {
      records.push(record);
      files.push(sized(entry, record.video ?? record));
    }
  }
  await eachInFlight(unsized, PROBE_CONCURRENCY, async (entry) => {
    try {
      const path = resolveInside(root, entry.file);
      files.push(sized(entry, isVideoName(entry.file) ? await probeVideo(path) : await probeDisplayedSize(path, entry.file, limits)));
    } catch (error) {
      failures.push(fileFailure(entry.file, error));
    }
  });
  files.sort((a, b) => a.file.localeCompare(b.file));
  return { files, records, failures, excluded };
}

function sized({ file, bytes, mtimeMs }: DatasetEntry, { width, height, durationS }: { width: number; height: number; durationS?: number }): SizedEntry {
  return durationS === undefined ? { file, bytes, mtimeMs, width, height } : { file, bytes, mtimeMs, width, height, durationS };
}

async function locate(params: ReviewGetParams, datasets: OpenDatasets) {
  const { root, store } = await datasets.open(params.root);
  const file = toDatasetPath(root, resolveInside(root, params.file));
  return { root, store, file };
}

/**
 * One audit line per decision: any change of the status or of a box's place, size or state (the line carries the
 * boxes' hash, which a commit of the image must match, and the revision the record is written as). Called under
 * the review lock, before the record is written (write-ahead): a commit planned right after this edit always finds
 * its line. Should the write then fail or its writer be killed, the image is refused by commit until its next
 * edit — never committed on boxes nobody decided — and the next reconcile records what the state still holds.
 */
async function auditIfDecisionChanged(root: string, actor: Actor, before: ImageRecord, after: ImageRecord, revision: number): Promise<void> {
  const event = reviewChangeEvent(actor, before, after, revision);
  if (event) await appendAudit(root, event);
}

/** The `review-change` entry of an edit from `before` (undefined: a new record) to `after`; undefined when it decides nothing new. */
export function reviewChangeEvent(actor: Actor, before: ImageRecord | undefined, after: ImageRecord, revision: number): ReviewChangeEvent | undefined {
  const hash = decisionSha256(after);
  if (before && before.status === after.status && decisionSha256(before) === hash) return undefined;
  return { type: 'review-change', actor, file: after.file, status: after.status, ...countDecision(after), boxesSha256: hash, revision };
}

export async function getReview(params: ReviewGetParams, datasets: OpenDatasets): Promise<ImageRecord> {
  const { store, file } = await locate(params, datasets);
  await store.refresh();
  const record = store.get(file);
  if (!record) throw new VeilError(ErrorCode.BadPath, 'has no review state yet (run detection first)', file);
  return record;
}

/** The edit is refused when it was made on another state than the one stored now, or the image is (being) committed. */
async function refuseConflicts(root: string, file: string, stored: ImageRecord, baseRevision: number | undefined, shownAs: number | undefined): Promise<void> {
  const conflict = commitConflict(file, stored, await filesInCommit(root));
  if (conflict) throw conflict;
  // Made on the view a shard's segment merged in, which this write's fold has just stored as shown: no one else's change.
  if (baseRevision !== undefined && baseRevision !== (stored.revision ?? 0) && baseRevision !== shownAs) {
    throw new VeilError(ErrorCode.Conflict, `was changed elsewhere (revision ${stored.revision ?? 0}, the edit was made on ${baseRevision}); the edit was not saved, the current state is shown`, file);
  }
}

/** Why the boxes of `file` cannot change now: it is committed, or held by a commit (`inCommit`: filesInCommit). */
export function commitConflict(file: string, stored: ImageRecord | undefined, inCommit: ReadonlySet<string>): VeilError | undefined {
  if (stored?.status === 'committed') return new VeilError(ErrorCode.Conflict, 'is committed (anonymized); its boxes can no longer change', file);
  if (inCommit.has(file)) {
    return new VeilError(ErrorCode.Conflict, 'is part of a commit that is running or was interrupted; its boxes cannot change until that commit finishes (run commit again to finish it)', file);
  }
  return undefined;
}

/** Whether a box leaves the image (half a pixel of rounding allowed). */
export function outside(rect: Rect, record: { width: number; height: number }): boolean {
  return rect.x < 0 || rect.y < 0 || rect.x + rect.w > record.width + 0.5 || rect.y + rect.h > record.height + 0.5;
}

/** A video's tracks: only on a video, with no boxes beside them, each keyframe inside the picture and the video. */
function checkTracks(tracks: readonly Track[], boxes: readonly Box[], before: ImageRecord, file: string): void {
  const video = before.video;
  if (!video) throw new VeilError(ErrorCode.InvalidParams, 'is an image: it has boxes, not tracks', file);
  if (boxes.length > 0) throw new VeilError(ErrorCode.InvalidParams, 'is a video: its faces are tracks, its boxes must be empty', file);
  for (const track of tracks) {
    for (const key of track.keyframes) {
      if (outside(key, before)) throw new VeilError(ErrorCode.InvalidParams, `track ${track.id} at frame ${key.frame} lies outside the ${before.width}x${before.height} picture`, file);
      if (key.frame >= video.frames) throw new VeilError(ErrorCode.InvalidParams, `track ${track.id} has a keyframe at frame ${key.frame}, past the video's last frame (${video.frames - 1})`, file);
    }
  }
}

function checkEdit(params: ReviewUpdateParams, before: ImageRecord, file: string): void {
  for (const box of params.boxes) {
    if (outside(box, before)) throw new VeilError(ErrorCode.InvalidParams, `box ${box.id} lies outside the ${before.width}x${before.height} image`, file);
  }
  if (params.tracks) checkTracks(params.tracks, params.boxes, before, file);
  const status = params.status ?? before.status;
  const undecided = [...params.boxes, ...(params.tracks ?? before.tracks ?? [])].some((face) => face.state === 'proposed');
  if (status === 'reviewed' && undecided) {
    throw new VeilError(ErrorCode.InvalidParams, `cannot be marked reviewed while a proposed ${before.video ? 'track' : 'box'} is neither accepted nor rejected`, file);
  }
}

/** Applies one edit to the latest stored state of the image, under the dataset's review lock. */
export async function updateReview(params: ReviewUpdateParams, actor: Actor, datasets: OpenDatasets): Promise<{ before: ImageRecord; after: ImageRecord }> {
  const { root, store, file } = await locate(params, datasets);
  const { written, result: before } = await store.update(async (get, revision, shownAs) => {
    const stored = get(file);
    if (!stored) throw new VeilError(ErrorCode.BadPath, 'has no review state yet (run detection first)', file);
    await refuseConflicts(root, file, stored, params.baseRevision, shownAs(file));
    checkEdit(params, stored, file);
    const status = params.status ?? stored.status;
    const after: ImageRecord = {
      ...stored,
      boxes: params.boxes,
      ...(params.tracks ? { tracks: params.tracks } : {}),
      status,
      ...(status === 'reviewed' && stored.status !== 'reviewed' ? { reviewer: actor.reviewer, reviewedAt: new Date().toISOString() } : {}),
    };
    await auditIfDecisionChanged(root, actor, stored, after, revision);
    return { write: [after], result: stored };
  });
  const after = written[0];
  return { before, after };
}
