/** Detection services: one image, or a whole dataset folded into its review state. */
import { performance } from 'node:perf_hooks';
import { relative, resolve } from 'node:path';
import type {
  DatasetDetectParams,
  DatasetDetectResult,
  DetectOptions,
  ImageDetectParams,
  ImageDetectResult,
} from '../protocol';
import { fileFailure, VeilError } from '../errors';
import { ErrorCode, faceCount, type Shard } from '../protocol';
import { inShard } from '../dataset/shard';
import type { Actor, CallContext } from '../core/callContext';
import { GroupCommit } from '../core/groupCommit';
import { decodeDisplayed, readImageBytes, type DecodeLimits } from '../image/decode';
import { resolveInside } from '../dataset/paths';
import { scanDatasetReporting } from '../dataset/scan';
import { detectionFloor, partitionFaces } from '../review/possibleFaces';
import { filesInCommit } from '../commit/journal';
import { appendAudit, appendAuditBatch, auditCheckpoint } from '../audit/log';
import type { ModelRegistry } from '../models/registry';
import { lowestThreshold, operatingPoint, type Detector, type OperatingPoint } from '../detection/detector';
import { isVideoName } from '../image/formats';
import { probeVideo } from '../video/probe';
import { DEFAULT_VIDEO_STRIDE, detectVideoTracks } from '../video/detectVideo';
import type { ReviewDecision, ReviewStore } from '../review/store';
import { applyDetections, leaveAlone, modelFaces, type DetectionAsked, type Detected, type DetectOutcome } from '../review/detectionWrite';
import { SegmentWriter, withProposalIds } from '../review/segments';
import type { OpenDatasets } from './datasets';

export interface DetectDeps {
  registry: ModelRegistry;
  datasets: OpenDatasets;
  limits: DecodeLimits;
}

interface ResolvedSettings {
  detector: Detector;
  /** The operating threshold (what the record says; a video's tracks are proposed from it)… */
  threshold: number;
  /** …and the size-dependent point images are proposed at. */
  point: OperatingPoint;
  thorough: boolean;
  /** Videos: the detector runs on every `videoStride`-th frame. */
  videoStride: number;
}

async function resolveSettings(deps: DetectDeps, options: DetectOptions): Promise<ResolvedSettings> {
  const videoStride = options.videoStride ?? DEFAULT_VIDEO_STRIDE;
  if (!Number.isInteger(videoStride) || videoStride < 1 || videoStride > 30) throw new VeilError(ErrorCode.InvalidParams, 'videoStride must be a whole number of frames from 1 to 30');
  const detector = await deps.registry.load(options.model);
  const thorough = options.thorough ?? false;
  const point = operatingPoint(detector, { threshold: options.threshold, thorough });
  return { detector, threshold: point.threshold, point, thorough, videoStride };
}

/** Decodes and detects one file with the detector asked down to `minScore`. */
async function detectFile(absolutePath: string, file: string, settings: ResolvedSettings, limits: DecodeLimits, minScore = lowestThreshold(settings.point)) {
  const bytes = await readImageBytes(absolutePath, file);
  const image = await decodeDisplayed(bytes, file, limits);
  const faces = await settings.detector.detect(image, { threshold: minScore, thorough: settings.thorough });
  return { width: image.width, height: image.height, faces };
}

/** One file for the review: the faces at the threshold, and those between the possible-face floor and it. */
async function detectForReview(absolutePath: string, file: string, settings: ResolvedSettings, limits: DecodeLimits) {
  const { width, height, faces } = await detectFile(absolutePath, file, settings, limits, detectionFloor(lowestThreshold(settings.point)));
  return { width, height, ...partitionFaces(faces, settings.point) };
}

export async function detectImage(params: ImageDetectParams, deps: DetectDeps): Promise<ImageDetectResult> {
  const settings = await resolveSettings(deps, params);
  const absolute = resolve(params.path);
  const started = performance.now();
  const { width, height, faces } = await detectFile(absolute, params.path, settings, deps.limits);
  return { path: absolute, model: settings.detector.model.name, width, height, faces: partitionFaces(faces, settings.point).faces, ms: performance.now() - started };
}

/** A video for the review: its probe, and its tracks (those below the threshold in state `possible`). */
async function detectVideoForReview(absolutePath: string, settings: ResolvedSettings, onFrame: (frame: number, frames: number) => void, signal: AbortSignal) {
  const info = await probeVideo(absolutePath, undefined, signal);
  const found = await detectVideoTracks(
    absolutePath,
    info,
    { detector: settings.detector, threshold: settings.threshold, floor: detectionFloor(settings.threshold), thorough: settings.thorough, stride: settings.videoStride },
    { signal, onFrame: (frame) => onFrame(frame, info.frames) },
  );
  return { info, ...found };
}

/**
 * Results wait for their group's write until it holds 32 images or its first has waited a second. A write holds the
 * review lock for its two fsync'd appends (audit, then review) whatever its size: 4–15 ms for 1 to 64 images on the
 * loaded 2-core machine. Alone, each image held it 6–9 ms (400 images of 256 px, one process: 6.3–9.3 ms per image);
 * in groups 0.07–0.7 ms per image, and the run used 10 % less CPU. At one core's 25–50 images/s of 256 px a group
 * closes every 0.6–1 s, so each shard holds the lock 0.4–2.3 % of the time (README "shards"). A second bounds what a
 * killed run loses and how late another process sees the records.
 */
const DETECTION_GROUP = { maxItems: 32, maxWaitMs: 1000 };

/**
 * Detects faces in a dataset's images and folds them into its review state. Inference runs one image at a time,
 * outside any lock; the results are written in groups (DETECTION_GROUP): one review write holding the group's records,
 * after one audit append holding their `detect-image` lines (write-ahead, under the review lock), so a run killed at
 * any moment leaves no record the audit log does not explain (but perhaps lines whose records never landed: the
 * reconcile at the start of the next run or review records those). The run's `detect-run` summary closes it.
 */
export async function detectDataset(params: DatasetDetectParams, ctx: CallContext, deps: DetectDeps): Promise<DatasetDetectResult> {
  const { root, scope, store, reconciler } = await deps.datasets.open(params.root);
  const { shard } = params;
  await reconciler.run(ctx.actor, shard && ((file) => inShard(file, shard)));
  const settings = await resolveSettings(deps, params);
  const model = settings.detector.model.name;
  // Named files are each checked when read; a scan reports what is named like an image but is no file at once.
  const scanned = params.files === undefined ? await scanDatasetReporting(root, scope) : { entries: [], refused: [] };
  // A shard takes its files only: the split depends on each file's dataset-relative path (daemon/dataset/shard.ts). A
  // scanned entry is named so already (a link by its own name, as a commit takes it): resolving every path of the
  // dataset again cost each shard 53–58 ms of CPU at 2,000 images, twice the scan.
  const files = params.files
    ? params.files.filter((file) => inRequestedShard(root, file, shard))
    : scanned.entries.map((entry) => entry.file).filter((file) => inShard(file, shard));
  const result: Omit<DatasetDetectResult, 'checkpoint'> = {
    model,
    threshold: settings.threshold,
    thorough: settings.thorough,
    processed: 0,
    skipped: 0,
    faces: 0,
    // Each shard reports the refusals of its own files, as it detects its own: n shards said each one n times.
    failures: scanned.refused.filter((failure) => inShard(failure.file, shard)),
    cancelled: false,
    images: [],
    reviewPath: relative(root, store.path),
  };
  const asked: DetectionAsked = { model, threshold: settings.threshold, thorough: settings.thorough, videoStride: settings.videoStride, force: params.force ?? false };
  // A shard writes its images into its own segment, under no lock another shard takes (review/segments.ts).
  const segment = shard && (await SegmentWriter.open(root, 'detect', shard, ctx.actor));
  const groups = new GroupCommit<Detected, DetectOutcome>(
    (detected) => (segment ? writeToSegment(root, store, segment, detected, asked, ctx.actor) : writeDetections(root, store, detected, asked, ctx.actor)),
    DETECTION_GROUP,
  );
  const outcomes: Array<Promise<DetectOutcome>> = [];
  // An image is reported done once its record is written (with its group): whoever reads it then (the Veil view reads
  // the images a batch reports, `review/get`) finds it, and a run stopped after "20 done" has 20 records.
  let done = 0;
  const reported = (file: string) => (outcome: DetectOutcome) => {
    ctx.progress({ done: ++done, total: files.length, file });
    return outcome;
  };
  ctx.progress({ done: 0, total: files.length, message: `detecting with ${model}` });
  for (const requested of files) {
    if (ctx.token.isCancelled) {
      result.cancelled = true;
      break;
    }
    // A video's detection takes minutes: the images before it are written first.
    if (isVideoName(requested)) await groups.flush();
    const outcome = await detectOne(root, requested, settings, asked, deps, store, ctx, (frame, frames) =>
      ctx.progress({ done, total: files.length, file: requested, message: `frame ${frame + 1} of ${frames}` }),
    );
    const written = 'detected' in outcome ? groups.add(outcome.detected).catch((error: unknown): DetectOutcome => ({ failure: fileFailure(outcome.detected.file, error) })) : Promise.resolve(outcome);
    outcomes.push(written.then(reported(requested)));
    if (groups.due) await groups.flush();
  }
  // A cancelled run writes what it detected too.
  await groups.flush();
  await segment?.finish(store);
  for (const outcome of await Promise.all(outcomes)) {
    if ('failure' in outcome) result.failures.push(outcome.failure);
    else {
      const { file, width, height } = outcome.record;
      result.images.push({ file, width, height, faces: outcome.faces, ...(outcome.record.tracks ? { tracks: faceCount(outcome.record.tracks) } : {}) });
      result.faces += outcome.faces.length;
      if (outcome.skipped) result.skipped++;
      else result.processed++;
    }
  }
  // The checkpoint after the run's entry (printed by `veil detect`), or the current one when nothing was detected.
  const checkpoint =
    result.processed > 0
      ? (await appendAudit(root, { type: 'detect-run', actor: ctx.actor, model, threshold: settings.threshold, thorough: settings.thorough, images: result.processed, faces: result.faces, ...(shard && { shard }) })).checkpoint
      : await auditCheckpoint(root);
  return { ...result, checkpoint };
}

/** Whether a named file is in the shard; one the dataset cannot name is kept, for `detectOne` to report. */
function inRequestedShard(root: string, requested: string, shard: Shard | undefined): boolean {
  if (shard === undefined) return true;
  try {
    return inShard(datasetRelative(root, requested), shard);
  } catch {
    return true;
  }
}

/** A requested file as the dataset names it (relative, forward slashes); refused (BadPath) outside the dataset. */
function datasetRelative(root: string, requested: string): string {
  return relative(root, resolveInside(root, requested)).split('\\').join('/');
}

/** A video's frames are reported at most this often (a 10-minute video has 18,000). */
const FRAME_PROGRESS_EVERY = 30;

/** Detects one file: its outcome when there is nothing to write (done already, or failed), else what it found. */
async function detectOne(
  root: string,
  requested: string,
  settings: ResolvedSettings,
  asked: DetectionAsked,
  deps: DetectDeps,
  store: ReviewStore,
  ctx: Pick<CallContext, 'token'>,
  reportFrame: (frame: number, frames: number) => void,
): Promise<DetectOutcome | { detected: Detected }> {
  let file = requested;
  try {
    file = datasetRelative(root, requested);
    const absolute = resolveInside(root, file);
    const seen = store.get(file);
    if (leaveAlone(seen, asked)) return { record: seen, faces: modelFaces(seen), skipped: true };
    const video = isVideoName(file);
    const onFrame = (frame: number, frames: number) => frame % FRAME_PROGRESS_EVERY === 0 && reportFrame(frame, frames);
    const found = video ? await detectVideoForReview(absolute, settings, onFrame, ctx.token.signal) : await detectForReview(absolute, file, settings, deps.limits);
    const detection = { model: settings.detector.model.name, threshold: settings.threshold, thorough: settings.thorough, at: new Date().toISOString(), ...(video ? { videoStride: settings.videoStride } : {}) };
    return { detected: { file, found, detection } };
  } catch (error) {
    return { failure: fileFailure(file, error) };
  }
}

/**
 * Writes a group of detections in one review write: under the review lock, each is folded into the record stored *now*
 * (inference ran outside the lock: a person may have edited meanwhile), their `detect-image` lines are appended with one
 * fsync, then the records as one review line, whose revision each line names. A file that cannot be written (held by a
 * commit, a merge that fails) is that file's failure; the rest of the group is written.
 */
async function writeDetections(root: string, store: ReviewStore, group: Detected[], asked: DetectionAsked, actor: Actor): Promise<DetectOutcome[]> {
  const { result } = await store.update(async (get, revision): Promise<ReviewDecision<DetectOutcome[]>> => {
    const { written, lines, outcomes } = applyDetections(group, asked, { get, held: await filesInCommit(root), actor, revision });
    // Write-ahead: the lines say what the records will hold; a kill before the write leaves lines, never a record without one.
    if (lines.length > 0) await appendAuditBatch(root, lines);
    return { write: [...written.values()], result: outcomes };
  });
  return result;
}

/**
 * A shard's group: its images are appended to the shard's segment as one line (no lock another shard takes), and folded
 * into the log every few seconds if the review lock is free then (never waited for mid-run: a busy lock means another
 * writer, whose write folds them). A video goes to the log as before: a review write, which folds the segment's earlier lines first.
 * Each image's outcome is what the merge gives on the records as they stand (what every reader sees from now on).
 */
async function writeToSegment(root: string, store: ReviewStore, segment: SegmentWriter, group: Detected[], asked: DetectionAsked, actor: Actor): Promise<DetectOutcome[]> {
  const outcomes = new Map<Detected, DetectOutcome>();
  const videos = group.filter((detected) => 'info' in detected.found);
  if (videos.length > 0) (await writeDetections(root, store, videos, asked, actor)).forEach((outcome, index) => outcomes.set(videos[index]!, outcome));
  const images = group.filter((detected) => !('info' in detected.found));
  if (images.length > 0) {
    const identified = images.map(withProposalIds);
    const merged = applyDetections(identified, asked, { get: (file) => store.get(file), held: await filesInCommit(root), actor, revision: 0 });
    merged.outcomes.forEach((outcome, index) => outcomes.set(images[index]!, outcome));
    // A file left alone or refused (a running commit holds it) is reported so now, and not written.
    const written = identified.filter((_, index) => {
      const outcome = merged.outcomes[index]!;
      return 'record' in outcome && !outcome.skipped;
    });
    if (written.length > 0) await segment.appendDetections(asked, written);
    await segment.foldIfDue(store);
  }
  return group.map((detected) => outcomes.get(detected)!);
}
