/**
 * `dataset/commit`: under the dataset lock, finish any commit a previous run left journaled, then commit the
 * images selected now (several at a time, cancellable between images), then close with a summary audit entry.
 * The result accounts for every file of the dataset that can hold a face (see `CommitResult`).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DEFAULT_DOUBT_MARGIN, DEFAULT_MARGIN, ErrorCode, MASK_SHAPES, REDACTION_MODES, isOneOf, type Shard, type CommitParams, type CommitResult, type FileWarning, type ImageRecord, type LeftAsIs } from '../protocol';
import { VeilError, fileFailure } from '../errors';
import type { CallContext } from '../core/callContext';
import { probeDisplayedSize, type DecodeLimits } from '../image/decode';
import type { ReviewDecision, ReviewStore } from '../review/store';
import { readExclusions } from '../review/exclusions';
import { scanFaceFiles } from '../dataset/scan';
import type { DatasetScan } from '../dataset/listFaceFiles';
import { resolveInside } from '../dataset/paths';
import { clearRenditions } from '../services/renditions';
import { datasetSigner, signAuditLog } from '../services/signers';
import { inScope } from '../dataset/locate';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { auditedFiles, catchUpAudited, type AuditedFiles } from '../audit/committed';
import { readRecipients } from '../vault/recipients';
import { acquireLock, acquireShardLock } from '../storage/lock';
import { removeTempsBeside } from '../storage/tempsBeside';
import { checkShard, inShard, shardName } from '../dataset/shard';
import { Journal, filesInCommit, type CommitPlan, type JournalState } from './journal';
import { removeStrayTemps } from './cleanup';
import { guardPossibleFaces, selectImages, type Selection } from './select';
import { damageWarning, failuresOf, leftAsIsOf, notStarted } from './accounting';
import { commitImage } from './commitImage';
import { commitVideo } from './commitVideo';
import { isVideoName } from '../image/formats';
import { PhaseTimes } from '../core/phaseTimes';
import { sidecarWriteFailure } from '../redactions/sidecarFile';
import { markedCommitted } from '../review/markedCommitted';
import { SegmentWriter } from '../review/segments';
import type { CommitImageEvent } from '../audit/events';
import type { ImageCommitContext } from './commitSteps';

export interface DatasetOpener {
  /** The dataset a folder belongs to, the folder's place in it (scope), and the daemon's one review store for it. */
  open(folder: string): Promise<{ root: string; scope: string; store: ReviewStore }>;
}

export interface CommitDeps {
  datasets: DatasetOpener;
  limits: DecodeLimits;
  /** Collects time per phase (the benchmark reads it). */
  times?: PhaseTimes;
  /** Images committed at once (default: defaultImagesInFlight()). */
  imagesInFlight?: number;
}

/** At most this many images in flight, whatever the core count: each holds its decoded pixels (36 MB at 12 MP). */
const MAX_IMAGES_IN_FLIGHT = 4;

/**
 * One image per core plus one, which keeps every core busy while an image waits for its fsyncs
 * (measured on 2 cores: 3 in flight 1.35x the raw sharp cost, 2 in flight 1.42-1.57x).
 */
export function defaultImagesInFlight(): number {
  return Math.min(MAX_IMAGES_IN_FLIGHT, availableParallelism() + 1);
}

function planOptions(params: CommitParams): CommitPlan['options'] {
  const mode = params.mode ?? 'fill';
  const shape = params.shape ?? 'rect';
  const margin = params.margin ?? DEFAULT_MARGIN;
  const doubtMargin = params.doubtMargin ?? DEFAULT_DOUBT_MARGIN;
  if (!isOneOf(REDACTION_MODES, mode)) throw new VeilError(ErrorCode.InvalidParams, `mode must be one of ${REDACTION_MODES.join(', ')}`);
  if (!isOneOf(MASK_SHAPES, shape)) throw new VeilError(ErrorCode.InvalidParams, `shape must be one of ${MASK_SHAPES.join(', ')}`);
  if (!Number.isFinite(margin) || margin < 0 || margin > 2) throw new VeilError(ErrorCode.InvalidParams, 'margin must be between 0 and 2 (a fraction of the box size)');
  if (!Number.isFinite(doubtMargin) || doubtMargin < 0 || doubtMargin > 2) throw new VeilError(ErrorCode.InvalidParams, 'doubtMargin must be between 0 and 2 (a fraction of the box size per unit of score below 1)');
  return { mode, margin, doubtMargin, shape, includeUnreviewed: params.includeUnreviewed ?? false, ...(params.keepAudio ? { keepAudio: true } : {}) };
}

interface Outcome {
  committed: string[];
  /** Failed, or not started (cancelled). */
  leftAsIs: LeftAsIs[];
  warnings: FileWarning[];
  cancelled: boolean;
}

/** Marks one image committed in the review state (its latest record: the journal kept it from changing). */
async function markCommitted(store: ReviewStore, file: string): Promise<void> {
  await store.update((get) => {
    const record = markedCommitted(get(file), new Date().toISOString());
    return { write: record ? [record] : [], result: undefined };
  });
}

/** What every plan of one `commitDataset` call shares. */
interface CommitSession {
  root: string;
  store: ReviewStore;
  recipients: readonly string[];
  ctx: CallContext;
  deps: CommitDeps;
}

/** Commits the plan's remaining images, then writes its summary entry and clears the journal. */
async function runPlan({ root, store, recipients, ctx, deps }: CommitSession, journal: Journal, state: JournalState, audited: AuditedFiles): Promise<Outcome> {
  const { plan } = state;
  const outcome: Outcome = { committed: [], leftAsIs: [], warnings: [], cancelled: false };
  // A shard's committed images go through its own segment: no lock another shard takes, per image (README "shards").
  const segment = plan.shard && (await SegmentWriter.open(root, 'commit', plan.shard, ctx.actor));
  const c: ImageCommitContext = {
    root,
    plan,
    journal,
    recipients,
    limits: deps.limits,
    times: deps.times ?? new PhaseTimes(),
    audited,
    journaled: state.publishing,
    recordOf: (file: string) => store.get(file),
    markCommitted: (record: ImageRecord) => markCommitted(store, record.file),
    ...(segment && {
      toSegment: async (event: CommitImageEvent) => {
        await segment.appendCommits([event]);
        await segment.foldIfDue(store);
      },
    }),
  };
  let done = 0;
  let next = 0;
  // Cancellation lets the images in flight finish and starts no new one.
  const worker = async () => {
    while (next < plan.files.length) {
      if (ctx.token.isCancelled) {
        outcome.cancelled = true;
        return;
      }
      const file = plan.files[next++];
      ctx.progress({ done, total: plan.files.length, file, message: 'committing' });
      try {
        const damage = isVideoName(file) ? await commitVideo(c, file, ctx.token.signal) : await commitImage(c, file);
        outcome.committed.push(file);
        if (damage) outcome.warnings.push(damageWarning(file, damage));
      } catch (error) {
        outcome.leftAsIs.push(leftAsIsOf(fileFailure(file, error)));
      }
      done++;
    }
  };
  try {
    await Promise.all(Array.from({ length: deps.imagesInFlight ?? defaultImagesInFlight() }, worker));
  } catch (error) {
    await segment?.release();
    throw error;
  }
  await segment?.finish(store);
  const order = new Map(plan.files.map((file, index) => [file, index]));
  outcome.committed.sort((a, b) => order.get(a)! - order.get(b)!);
  const failed = outcome.leftAsIs.length;
  outcome.leftAsIs.push(...notStarted(plan.files.slice(next)));
  ctx.progress({ done, total: plan.files.length, message: outcome.cancelled ? 'cancelled' : 'committed' });
  await appendAudit(root, {
    type: 'commit',
    commitId: plan.commitId,
    actor: plan.actor,
    committed: outcome.committed.length,
    notStarted: plan.files.length - done,
    failed,
    cancelled: outcome.cancelled,
    includeUnreviewed: plan.options.includeUnreviewed,
    ...(plan.possibleFacesAllowed && { possibleFacesAllowed: plan.possibleFacesAllowed }),
    ...(plan.shard && { shard: plan.shard }),
  });
  // Cached thumbnails and display copies show the faces just anonymized. They go before the journal does: a kill
  // after this point finds them gone, a kill before it resumes this plan and comes here again.
  await clearRenditions(root);
  await journal.clear();
  return outcome;
}

/** What the selection under the review lock decided: every file's outcome, and the journaled plan of those to commit. */
interface Selected {
  selection: Selection;
  planned?: { plan: CommitPlan; journal: Journal };
}

/** The part of `scan` under `scope` and in `shard` that `handled` does not name. */
function remaining(scan: DatasetScan, scope: string, shard: Shard | undefined, handled: ReadonlySet<string>): DatasetScan {
  const keep = (file: string) => inScope(file, scope) && inShard(file, shard) && !handled.has(file);
  return { entries: scan.entries.filter((entry) => keep(entry.file)), refused: scan.refused.filter((failure) => keep(failure.file)) };
}

/**
 * An image never run through detection may be one that detection refused (an animated GIF, a damaged file, one
 * above the pixel limit): its header says why, which is what the person needs to hear.
 */
async function explainUndetected(root: string, entry: LeftAsIs, limits: DecodeLimits): Promise<LeftAsIs> {
  if (entry.cause !== 'not-detected') return entry;
  try {
    await probeDisplayedSize(resolveInside(root, entry.file), entry.file, limits);
    return entry;
  } catch (error) {
    return leftAsIsOf(fileFailure(entry.file, error));
  }
}

export async function commitDataset(params: CommitParams, ctx: CallContext, deps: CommitDeps): Promise<CommitResult> {
  const options = planOptions(params);
  const { root, scope, store } = await deps.datasets.open(params.root);
  const recipients = await readRecipients(root);
  // The key is loaded before anything is committed: a wrong key refuses the commit instead of leaving it unsigned.
  const signer = params.signingKey === undefined ? undefined : await datasetSigner(root, params.signingKey, ctx.actor);
  const shard = params.shard === undefined ? undefined : checkShard(params.shard);
  // A shard commits beside the other shards of its split, under its own lock; without --shard, the whole dataset's.
  const lock = shard ? await acquireShardLock(root, `commit ${shardName(shard)}`, shard) : await acquireLock(root, 'commit');
  const session: CommitSession = { root, store, recipients, ctx, deps };
  try {
    const scan = await scanFaceFiles(root);
    // Other shards write their temp files at this moment: a shard sweeps only those beside its own images (the vault's
    // are swept by the next commit of the whole dataset, which shuts every shard out).
    if (shard) await removeTempsBeside(scan.entries.filter((entry) => inShard(entry.file, shard)).map((entry) => resolveInside(root, entry.file)));
    else await removeStrayTemps(root, scan.entries.map((entry) => entry.file));
    const result: CommitResult = { committed: [], alreadyCommitted: [], excluded: [], leftAsIs: [], failures: [], warnings: [], cancelled: false, checkpoint: await auditCheckpoint(root) };
    const absorb = (outcome: Outcome) => {
      result.committed.push(...outcome.committed);
      result.leftAsIs.push(...outcome.leftAsIs);
      result.warnings.push(...outcome.warnings);
      result.cancelled ||= outcome.cancelled;
    };

    // Folded first: a killed shard's committed images reach the chain, so that what its plan finished is read as audited.
    await store.fold();
    // A shard finishes its own interrupted commit; the whole dataset's commit finishes every one (no shard runs now).
    const unfinished = shard ? [await Journal.load(root, shard)].filter((found) => found !== undefined) : await Journal.unfinished(root);
    for (const { journal, state } of unfinished) absorb(await runPlan(session, journal, state, await auditedFiles(root)));

    // Files the resumed plans just handled are accounted for already (a failure is reported once per call).
    const rest = remaining(scan, scope, shard, new Set([...result.committed, ...result.leftAsIs.map((entry) => entry.file)]));
    const audited = await auditedFiles(root);
    // Select and journal under the review lock: from then on no edit, detection or exclusion can change a planned image.
    // Exclusions are audited under that lock too: the log's tail read there holds every exclusion the state holds.
    const { result: selected } = await store.update(async (get): Promise<ReviewDecision<Selected>> => {
      // Plans are journaled under this lock: a file another running commit planned (a shard of an overlapping split,
      // `1/2` beside `1/4`) is seen here and left to it, never committed twice at once.
      const held = shard ? await filesInCommit(root) : new Set<string>();
      for (const entry of rest.entries.filter((entry) => held.has(entry.file))) {
        result.leftAsIs.push(leftAsIsOf(fileFailure(entry.file, new VeilError(ErrorCode.Conflict, 'is being committed by another running commit (a shard of an overlapping split); left to it'))));
      }
      const selection = selectImages(held.size === 0 ? rest : { ...rest, entries: rest.entries.filter((entry) => !held.has(entry.file)) }, {
        recordOf: get,
        exclusions: await readExclusions(root),
        audited: (await catchUpAudited(root, audited)).exclusions,
        includeUnreviewed: options.includeUnreviewed,
      });
      if (selection.files.length === 0 || result.cancelled) return { write: [], result: { selection } };
      const possibleFacesAllowed = guardPossibleFaces(selection.files, get, params.allowPossibleFaces);
      const plan: CommitPlan = { commitId: randomUUID(), startedAt: new Date().toISOString(), actor: ctx.actor, options, files: selection.files, ...(possibleFacesAllowed && { possibleFacesAllowed }), ...(shard && { shard }) };
      return { write: [], result: { selection, planned: { plan, journal: await Journal.begin(root, plan, shard) } } };
    });
    const { selection, planned } = selected;
    result.alreadyCommitted.push(...selection.alreadyCommitted);
    result.excluded.push(...selection.excluded);
    result.leftAsIs.push(...selection.leftAsIs);
    if (planned) absorb(await runPlan(session, planned.journal, { plan: planned.plan, publishing: new Map() }, audited));
    // Cancelled during the resumed plan: nothing selected now was started.
    else result.leftAsIs.push(...notStarted(selection.files));

    // One at a time: a fresh dataset may hold thousands never detected, and each probe opens its file.
    for (const [index, entry] of result.leftAsIs.entries()) result.leftAsIs[index] = await explainUndetected(root, entry, deps.limits);
    result.leftAsIs.sort((a, b) => a.file.localeCompare(b.file));
    result.failures = failuresOf(result.leftAsIs);
    // Every commit writes the sidecar again from the log and the state: one missing or stale is mended here.
    await store.refresh(); // the records other shards committed meanwhile
    const sidecarFailure = await sidecarWriteFailure(root, (file) => store.get(file), audited);
    if (sidecarFailure) result.warnings.push({ file: sidecarFailure.file, message: sidecarFailure.message });
    // Signed last, when this commit wrote anything: the signature covers every entry it wrote.
    if (signer && (await auditCheckpoint(root)).entries > result.checkpoint.entries) result.signed = await signAuditLog(root, signer, ctx.actor);
    result.checkpoint = await auditCheckpoint(root);
    return result;
  } finally {
    await lock.release();
  }
}
