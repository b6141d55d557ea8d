/** Detection services: one image, or a whole dataset folded into its review state. */
import { performance } from 'node:perf_hooks';
import { relative, resolve } from 'node:path';
import type {
  DatasetDetectParams,
  DatasetDetectResult,
  DetectOptions,
  Face,
  FileFailure,
  ImageDetectParams,
  ImageDetectResult,
  ImageRecord,
} from '../protocol';
import { fileFailure, VeilError } from '../errors';
import { ErrorCode, faceCount, type Shard } from '../protocol';
import { inShard } from '../dataset/shard';
import type { CallContext } from '../core/callContext';
import { decodeDisplayed, readImageBytes, type DecodeLimits } from '../image/decode';
import { resolveInside } from '../dataset/paths';
import { scanDatasetReporting } from '../dataset/scan';
import { mergeDetection } from '../review/merge';
import { detectionFloor, partitionFaces } from '../review/possibleFaces';
import { filesInCommit } from '../commit/journal';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { countDecision, decisionSha256 } from '../audit/events';
import type { ModelRegistry } from '../models/registry';
import { lowestThreshold, operatingPoint, type Detector, type OperatingPoint } from '../detection/detector';
import { isVideoName } from '../image/formats';
import { probeVideo } from '../video/probe';
import { DEFAULT_VIDEO_STRIDE, detectVideoTracks } from '../video/detectVideo';
import { mergeVideoDetection } from '../video/mergeVideoDetection';
import type { ReviewDecision, ReviewStore } from '../review/store';
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

function alreadyDetected(record: ImageRecord | undefined, model: string, settings: ResolvedSettings): boolean {
  const last = record?.detection;
  const sameStride = record?.video === undefined || last?.videoStride === settings.videoStride;
  return last !== undefined && last.model === model && last.threshold === settings.threshold && last.thorough === settings.thorough && sameStride;
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
 * Detects faces in a dataset's images and folds them into its review state, one image at a time: each record is
 * written after its `detect-image` audit line (write-ahead, under the review lock), so a run killed at any moment
 * leaves no record the audit log does not explain (but perhaps a line whose record never landed: the reconcile
 * at the start of the next run or review records that). The run's `detect-run` summary closes it.
 */
export async function detectDataset(params: DatasetDetectParams, ctx: CallContext, deps: DetectDeps): Promise<DatasetDetectResult> {
  const { root, scope, store, reconciler } = await deps.datasets.open(params.root);
  await reconciler.run(ctx.actor);
  const settings = await resolveSettings(deps, params);
  const model = settings.detector.model.name;
  // Named files are each checked when read; a scan reports what is named like an image but is no file at once.
  const scanned = params.files === undefined ? await scanDatasetReporting(root, scope) : { entries: [], refused: [] };
  // A shard takes its files only: the split depends on each file's dataset-relative path (daemon/dataset/shard.ts).
  const files = (params.files ?? scanned.entries.map((entry) => entry.file)).filter((file) => inRequestedShard(root, file, params.shard));
  const result: Omit<DatasetDetectResult, 'checkpoint'> = {
    model,
    threshold: settings.threshold,
    thorough: settings.thorough,
    processed: 0,
    skipped: 0,
    faces: 0,
    failures: [...scanned.refused],
    cancelled: false,
    images: [],
    reviewPath: relative(root, store.path),
  };
  ctx.progress({ done: 0, total: files.length, message: `detecting with ${model}` });
  for (const [index, requested] of files.entries()) {
    if (ctx.token.isCancelled) {
      result.cancelled = true;
      break;
    }
    const outcome = await detectOne(root, requested, settings, params.force ?? false, deps, store, ctx, (frame, frames) =>
      ctx.progress({ done: index, total: files.length, file: requested, message: `frame ${frame + 1} of ${frames}` }),
    );
    if ('failure' in outcome) result.failures.push(outcome.failure);
    else {
      const { file, width, height } = outcome.record;
      result.images.push({ file, width, height, faces: outcome.faces, ...(outcome.record.tracks ? { tracks: faceCount(outcome.record.tracks) } : {}) });
      result.faces += outcome.faces.length;
      if (outcome.skipped) result.skipped++;
      else result.processed++;
    }
    ctx.progress({ done: index + 1, total: files.length, file: requested });
  }
  // The checkpoint after the run's entry (printed by `veil detect`), or the current one when nothing was detected.
  const checkpoint =
    result.processed > 0
      ? (await appendAudit(root, { type: 'detect-run', actor: ctx.actor, model, threshold: settings.threshold, thorough: settings.thorough, images: result.processed, faces: result.faces, ...(params.shard && { shard: params.shard }) })).checkpoint
      : await auditCheckpoint(root);
  return { ...result, checkpoint };
}

/** Whether a requested file is in the shard; one the dataset cannot name is kept, for `detectOne` to report. */
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

function modelFaces(record: ImageRecord): Face[] {
  return record.boxes.flatMap((box) => (box.source === 'model' && box.state !== 'possible' && box.score !== null ? [{ x: box.x, y: box.y, w: box.w, h: box.h, score: box.score }] : []));
}

type DetectOutcome =
  | { failure: FileFailure }
  | { record: ImageRecord; faces: Face[]; skipped: boolean };

async function detectOne(
  root: string,
  requested: string,
  settings: ResolvedSettings,
  force: boolean,
  deps: DetectDeps,
  store: ReviewStore,
  ctx: Pick<CallContext, 'actor' | 'token'>,
  reportFrame: (frame: number, frames: number) => void,
): Promise<DetectOutcome> {
  const actor = ctx.actor;
  let file = requested;
  try {
    file = datasetRelative(root, requested);
    const absolute = resolveInside(root, file);
    const model = settings.detector.model.name;
    // Committed images are anonymized already (`verify --redetect` checks them); finished ones are not redone.
    const leaveAlone = (record: ImageRecord | undefined): record is ImageRecord =>
      record !== undefined && (record.status === 'committed' || (!force && alreadyDetected(record, model, settings)));
    const seen = store.get(file);
    if (leaveAlone(seen)) return { record: seen, faces: modelFaces(seen), skipped: true };
    const video = isVideoName(file);
    const onFrame = (frame: number, frames: number) => frame % FRAME_PROGRESS_EVERY === 0 && reportFrame(frame, frames);
    const found = video ? await detectVideoForReview(absolute, settings, onFrame, ctx.token.signal) : await detectForReview(absolute, file, settings, deps.limits);
    const detection = { model, threshold: settings.threshold, thorough: settings.thorough, at: new Date().toISOString(), ...(video ? { videoStride: settings.videoStride } : {}) };
    // Inference ran outside the lock: fold its faces into the state stored *now* (a person may have edited meanwhile).
    const { result: outcome } = await store.update(async (get, revision): Promise<ReviewDecision<DetectOutcome>> => {
      const latest = get(file);
      if (leaveAlone(latest)) return { write: [], result: { record: latest, faces: modelFaces(latest), skipped: true } };
      if ((await filesInCommit(root)).has(file)) throw new VeilError(ErrorCode.Conflict, 'is part of a running or interrupted commit; not re-detected', file);
      const record =
        'info' in found
          ? mergeVideoDetection(latest, { file, info: found.info, tracks: found.tracks, detection })
          : mergeDetection(latest, { file, width: found.width, height: found.height, faces: found.faces, possible: found.possible, detection });
      const { status } = record;
      const facesFound = 'info' in found ? found.tracks.filter((track) => track.state === 'proposed').length : found.faces.length;
      // Write-ahead: the line says what the record will hold; a kill before the write leaves a line, never a record without one.
      await appendAudit(root, {
        type: 'detect-image',
        actor,
        file,
        model,
        threshold: settings.threshold,
        thorough: settings.thorough,
        faces: facesFound,
        status,
        ...countDecision(record),
        boxesSha256: decisionSha256(record),
        revision,
      });
      return { write: [record], result: { record, faces: 'info' in found ? [] : found.faces, skipped: false } };
    });
    return outcome;
  } catch (error) {
    return { failure: fileFailure(file, error) };
  }
}
