/** Every RPC method: validate params, call the service. The one place methods are bound to services. */
import {
  ANNOTATION_FORMATS,
  AUDIT_ACTIONS,
  BOX_STATES,
  EDITABLE_STATUSES,
  MAX_AUDIT_PAGE,
  MAX_PURPOSE_CHARS,
  ErrorCode,
  MASK_SHAPES,
  MODEL_DECODERS,
  NOTIFY_DATASET_RECONCILED,
  NOTIFY_REVIEW_CHANGED,
  PROTOCOL_VERSION,
  REDACTION_MODES,
  type AnnotationFormat,
  type AuditTrailFilter,
  type MethodName,
  type DatasetReconciledParams,
  type ReviewChangedParams,
} from './protocol';
import { VeilError } from './errors';
import type { Handlers, Notify } from './rpc/server';
import type { Actor } from './core/callContext';
import {
  optionalBoolean,
  optionalNumber,
  optionalString,
  optionalShard,
  optionalStringArray,
  optionalText,
  requiredStringArray,
  paramsObject,
  requiredBoxes,
  optionalTracks,
  requiredString,
  requiredPath,
  optionalPath,
  optionalEnum,
  optionalEnumArray,
  optionalCheckpoint,
  optionalTime,
  MAX_NAME_CHARS,
} from './rpc/params';
import type { ModelRegistry } from './models/registry';
import type { DecodeLimits } from './image/decode';
import { OpenDatasets } from './services/datasets';
import { detectDataset, detectImage } from './services/detect';
import { datasetStatus, getReview, openDataset, updateReview } from './services/review';
import { displayCopy, thumbnail } from './services/renditions';
import { videoDisplayCopy } from './services/videoDisplayCopy';
import { DEFAULT_VIDEO_LIMITS } from './video/probe';
import { commitDataset } from './commit/commit';
import { excludeFiles, includeFiles } from './services/exclusions';
import { verifyDataset } from './verify/verify';
import { createKey, inspectIdentity } from './services/keys';
import { openOriginalFile, readOriginalBytes } from './services/originals';
import { listAudit } from './audit/list';
import { monitorAudit } from './services/auditMonitor';
import { createReport } from './report/create';
import { checkReport } from './report/check';
import { changeRecipients, listRecipients } from './services/recipients';
import { createBackup } from './backup/backup';
import { restoreBackup } from './backup/restore';
import { pruneBackup } from './backup/prune';
import { applyPolicy, initPolicy, showPolicy } from './services/policy';
import { commitSigningKey, createSigner, signCheckpoint } from './services/signers';
import { holdFiles, releaseFiles } from './services/retentionHold';
import { purgeVault } from './services/purge';
import { restoreOriginals } from './services/restore';
import { exportAnnotations } from './services/annotationsExport';
import { importAnnotations } from './services/annotationsImport';
import { exportRedactions } from './services/redactionsExport';

export const DAEMON_VERSION = '0.1.0';

export interface DaemonState {
  registry: ModelRegistry;
  limits: DecodeLimits;
  actor: Actor;
  /** The reviewer recorded when no client named one (VEIL_REVIEWER, else the OS user). */
  defaultReviewer: string;
  initialized: boolean;
  /** The client's name from `initialize`: `vault/read` records it as where an original was shown. */
  clientName?: string;
  onShutdown: () => void;
  /** Sends a notification to the client (set once the transport is up). */
  notify: Notify;
}

function detectOptions(p: Record<string, unknown>) {
  return {
    model: optionalString(p, 'model'),
    threshold: optionalNumber(p, 'threshold', 0, 1),
    thorough: optionalBoolean(p, 'thorough'),
    videoStride: optionalNumber(p, 'videoStride', 1, 30),
  };
}

/** The trail filter `audit/list` and `audit/monitor` take. */
function trailFilter(p: Record<string, unknown>): AuditTrailFilter {
  return {
    actor: optionalString(p, 'actor', MAX_NAME_CHARS),
    actions: optionalEnumArray(p, 'actions', AUDIT_ACTIONS),
    file: optionalString(p, 'file'),
    since: optionalTime(p, 'since'),
    until: optionalTime(p, 'until'),
  };
}

function annotationFormat(p: Record<string, unknown>): AnnotationFormat {
  const format = optionalEnum(p, 'format', ANNOTATION_FORMATS);
  if (!format) throw new VeilError(ErrorCode.InvalidParams, `format: expected one of ${ANNOTATION_FORMATS.join(', ')}`);
  return format;
}

/** What every change of recipients takes: the dataset and an identity (with its passphrase) that opens the originals. */
function rewrapParams(p: Record<string, unknown>) {
  return { root: requiredPath(p, 'root'), identity: requiredPath(p, 'identity'), passphrase: optionalString(p, 'passphrase') };
}

export function createHandlers(state: DaemonState): Handlers {
  const datasets = new OpenDatasets((root, records) => {
    const params: ReviewChangedParams = { root, records };
    state.notify(NOTIFY_REVIEW_CHANGED, params);
  });
  const deps = { registry: state.registry, datasets, limits: state.limits };
  const handlers: Handlers = {
    async initialize(raw) {
      const p = paramsObject(raw);
      state.clientName = requiredString(p, 'clientName', MAX_NAME_CHARS);
      const reviewer = optionalString(p, 'reviewer', MAX_NAME_CHARS);
      if (reviewer) state.actor = { ...state.actor, reviewer };
      state.initialized = true;
      const models = await state.registry.list();
      return { protocolVersion: PROTOCOL_VERSION, daemonVersion: DAEMON_VERSION, models, defaultModel: await state.registry.defaultModelName() };
    },
    async 'session/configure'(raw) {
      const p = paramsObject(raw);
      const reviewer = optionalText(p, 'reviewer', MAX_NAME_CHARS)?.trim();
      // Set before any await: a request sent right after this one must already be recorded under the new name.
      state.actor = { ...state.actor, reviewer: reviewer || state.defaultReviewer };
      return { reviewer: state.actor.reviewer };
    },
    async shutdown() {
      setImmediate(state.onShutdown);
      return { ok: true };
    },
    async 'image/detect'(raw) {
      const p = paramsObject(raw);
      return detectImage({ path: requiredPath(p, 'path'), ...detectOptions(p) }, deps);
    },
    async 'dataset/open'(raw, ctx) {
      const afterAnswer = { sent: ctx.answered, reconciled: (params: DatasetReconciledParams) => state.notify(NOTIFY_DATASET_RECONCILED, params) };
      return openDataset(requiredPath(paramsObject(raw), 'root'), ctx.actor, datasets, state.limits, afterAnswer);
    },
    async 'dataset/status'(raw) {
      const p = paramsObject(raw);
      return datasetStatus(requiredPath(p, 'root'), datasets, state.limits, { versionControl: optionalBoolean(p, 'versionControl') });
    },
    async 'dataset/detect'(raw, ctx) {
      const p = paramsObject(raw);
      const params = { root: requiredPath(p, 'root'), files: optionalStringArray(p, 'files'), force: optionalBoolean(p, 'force'), shard: optionalShard(p, 'shard'), ...detectOptions(p) };
      return detectDataset(params, ctx, deps);
    },
    async 'review/get'(raw) {
      const p = paramsObject(raw);
      return getReview({ root: requiredPath(p, 'root'), file: requiredString(p, 'file') }, datasets);
    },
    async 'review/update'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        file: requiredString(p, 'file'),
        boxes: requiredBoxes(p, 'boxes'),
        tracks: optionalTracks(p, 'tracks'),
        status: optionalEnum(p, 'status', EDITABLE_STATUSES),
        baseRevision: optionalNumber(p, 'baseRevision', 0, Number.MAX_SAFE_INTEGER),
      };
      const { after } = await updateReview(params, ctx.actor, datasets);
      return after;
    },
    async 'image/thumbnail'(raw) {
      const p = paramsObject(raw);
      const size = optionalNumber(p, 'size', 16, 1024) ?? 256;
      return thumbnail({ root: requiredPath(p, 'root'), file: requiredString(p, 'file'), size: Math.round(size) }, state.limits);
    },
    async 'image/displayCopy'(raw) {
      const p = paramsObject(raw);
      return displayCopy({ root: requiredPath(p, 'root'), file: requiredString(p, 'file') }, state.limits);
    },
    async 'video/displayCopy'(raw, ctx) {
      const p = paramsObject(raw);
      return videoDisplayCopy({ root: requiredPath(p, 'root'), file: requiredString(p, 'file') }, DEFAULT_VIDEO_LIMITS, ctx);
    },
    async 'dataset/commit'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        shard: optionalShard(p, 'shard'),
        mode: optionalEnum(p, 'mode', REDACTION_MODES),
        margin: optionalNumber(p, 'margin', 0, 2),
        doubtMargin: optionalNumber(p, 'doubtMargin', 0, 2),
        shape: optionalEnum(p, 'shape', MASK_SHAPES),
        includeUnreviewed: optionalBoolean(p, 'includeUnreviewed'),
        keepAudio: optionalBoolean(p, 'keepAudio'),
        allowPossibleFaces: optionalString(p, 'allowPossibleFaces', MAX_NAME_CHARS),
        signingKey: commitSigningKey(optionalPath(p, 'signingKey')),
      };
      return commitDataset(params, ctx, deps);
    },
    async 'dataset/exclude'(raw, ctx) {
      const p = paramsObject(raw);
      const params = { root: requiredPath(p, 'root'), files: requiredStringArray(p, 'files'), reason: requiredString(p, 'reason', MAX_NAME_CHARS) };
      return excludeFiles(params, ctx.actor, datasets);
    },
    async 'dataset/include'(raw, ctx) {
      const p = paramsObject(raw);
      return includeFiles({ root: requiredPath(p, 'root'), files: requiredStringArray(p, 'files') }, ctx.actor, datasets);
    },
    async 'dataset/verify'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        identity: optionalPath(p, 'identity'),
        redetect: optionalBoolean(p, 'redetect'),
        checkpoint: optionalCheckpoint(p, 'checkpoint'),
        full: optionalBoolean(p, 'full'),
        signers: optionalStringArray(p, 'signers', MAX_NAME_CHARS),
      };
      const passphrase = optionalString(p, 'passphrase');
      return verifyDataset(params, ctx, { ...deps, loadDetector: () => state.registry.load(), passphrase: passphrase === undefined ? undefined : async () => passphrase });
    },
    async 'models/list'() {
      return state.registry.list();
    },
    async 'models/install'(raw, ctx) {
      const p = paramsObject(raw);
      return state.registry.install(
        { name: requiredString(p, 'name', MAX_NAME_CHARS), url: optionalString(p, 'url') },
        ({ received, total }) => ctx.progress({ done: received, total: total ?? 0, message: 'downloading' }),
        ctx.token.signal,
      );
    },
    async 'models/add'(raw) {
      const p = paramsObject(raw);
      const decoder = optionalEnum(p, 'decoder', MODEL_DECODERS);
      if (!decoder) throw new VeilError(ErrorCode.InvalidParams, `"decoder" is required: one of ${MODEL_DECODERS.join(', ')}`);
      return state.registry.add({ file: requiredPath(p, 'file'), decoder, name: optionalString(p, 'name', MAX_NAME_CHARS) });
    },
    async 'keys/create'(raw) {
      const p = paramsObject(raw);
      return createKey({ out: requiredPath(p, 'out'), passphrase: optionalString(p, 'passphrase'), addTo: optionalPath(p, 'addTo') });
    },
    async 'keys/inspect'(raw) {
      return inspectIdentity({ identity: requiredPath(paramsObject(raw), 'identity') });
    },
    async 'vault/open'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        file: requiredString(p, 'file'),
        identity: requiredPath(p, 'identity'),
        passphrase: optionalString(p, 'passphrase'),
        out: requiredPath(p, 'out'),
        // May be empty or absent: the daemon refuses that opening and logs the refusal (no-purpose).
        purpose: optionalText(p, 'purpose', MAX_PURPOSE_CHARS),
      };
      return openOriginalFile(params, ctx.actor, datasets);
    },
    async 'vault/read'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        file: requiredString(p, 'file'),
        identity: requiredPath(p, 'identity'),
        passphrase: optionalString(p, 'passphrase'),
        purpose: optionalText(p, 'purpose', MAX_PURPOSE_CHARS),
      };
      return readOriginalBytes(params, ctx.actor, state.clientName ?? 'an unnamed client', datasets);
    },
    async 'audit/list'(raw) {
      const p = paramsObject(raw);
      const limit = optionalNumber(p, 'limit', 1, MAX_AUDIT_PAGE);
      const before = optionalNumber(p, 'before', 0, Number.MAX_SAFE_INTEGER);
      return listAudit({
        root: requiredPath(p, 'root'),
        limit: limit === undefined ? undefined : Math.floor(limit),
        before: before === undefined ? undefined : Math.ceil(before),
        ...trailFilter(p),
      });
    },
    async 'audit/monitor'(raw) {
      const p = paramsObject(raw);
      return monitorAudit({ root: requiredPath(p, 'root'), signers: optionalStringArray(p, 'signers', MAX_NAME_CHARS), trail: optionalBoolean(p, 'trail'), ...trailFilter(p) });
    },
    async 'report/create'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        out: optionalPath(p, 'out'),
        signingKey: commitSigningKey(optionalPath(p, 'signingKey')),
        identity: optionalPath(p, 'identity'),
        passphrase: optionalString(p, 'passphrase'),
        redetect: optionalBoolean(p, 'redetect'),
      };
      return createReport(params, ctx, { ...deps, registry: state.registry, loadDetector: () => state.registry.load(), daemonVersion: DAEMON_VERSION });
    },
    async 'report/check'(raw) {
      const p = paramsObject(raw);
      return checkReport({ file: requiredPath(p, 'file'), root: optionalPath(p, 'root'), signers: optionalStringArray(p, 'signers', MAX_NAME_CHARS) });
    },
    async 'policy/show'(raw) {
      return showPolicy({ root: requiredPath(paramsObject(raw), 'root') });
    },
    async 'policy/init'(raw, ctx) {
      return initPolicy({ root: requiredPath(paramsObject(raw), 'root') }, ctx.actor);
    },
    async 'policy/apply'(raw, ctx) {
      const p = paramsObject(raw);
      return applyPolicy({ root: requiredPath(p, 'root'), file: requiredPath(p, 'file') }, ctx.actor);
    },
    async 'signer/create'(raw) {
      return createSigner({ out: requiredPath(paramsObject(raw), 'out') });
    },
    async 'checkpoint/sign'(raw, ctx) {
      const p = paramsObject(raw);
      return signCheckpoint({ root: requiredPath(p, 'root'), key: requiredPath(p, 'key') }, ctx.actor);
    },
    async 'recipients/list'(raw) {
      return listRecipients({ root: requiredPath(paramsObject(raw), 'root') });
    },
    async 'recipients/add'(raw, ctx) {
      const p = paramsObject(raw);
      return changeRecipients({ ...rewrapParams(p), change: 'add', recipient: requiredString(p, 'recipient') }, ctx);
    },
    async 'recipients/remove'(raw, ctx) {
      const p = paramsObject(raw);
      return changeRecipients({ ...rewrapParams(p), change: 'remove', recipient: requiredString(p, 'recipient') }, ctx);
    },
    async 'recipients/rotate'(raw, ctx) {
      return changeRecipients({ ...rewrapParams(paramsObject(raw)), change: 'rotate' }, ctx);
    },
    async 'backup/create'(raw, ctx) {
      const p = paramsObject(raw);
      return createBackup({ root: requiredPath(p, 'root'), destination: requiredPath(p, 'destination'), withOutputs: optionalBoolean(p, 'withOutputs') }, ctx);
    },
    async 'backup/restore'(raw, ctx) {
      const p = paramsObject(raw);
      const generation = optionalNumber(p, 'generation', 1, Number.MAX_SAFE_INTEGER);
      if (generation !== undefined && !Number.isInteger(generation)) throw new VeilError(ErrorCode.InvalidParams, '"generation" must be a whole number');
      const params = {
        backup: requiredPath(p, 'backup'),
        root: requiredPath(p, 'root'),
        identity: requiredPath(p, 'identity'),
        passphrase: optionalString(p, 'passphrase'),
        generation,
        dataset: optionalString(p, 'dataset', MAX_NAME_CHARS),
      };
      return restoreBackup(params, ctx);
    },
    async 'backup/prune'(raw, ctx) {
      const p = paramsObject(raw);
      const keep = optionalNumber(p, 'keep', 1, Number.MAX_SAFE_INTEGER);
      if (keep === undefined || !Number.isInteger(keep)) throw new VeilError(ErrorCode.InvalidParams, '"keep" must be a whole number of at least 1: the generations of each dataset to keep');
      const params = {
        backup: requiredPath(p, 'backup'),
        keep,
        identity: requiredPath(p, 'identity'),
        passphrase: optionalString(p, 'passphrase'),
        dataset: optionalString(p, 'dataset', MAX_NAME_CHARS),
        dryRun: optionalBoolean(p, 'dryRun'),
      };
      return pruneBackup(params, ctx);
    },
    async 'retention/hold'(raw, ctx) {
      const p = paramsObject(raw);
      const params = { root: requiredPath(p, 'root'), files: requiredStringArray(p, 'files'), reason: requiredString(p, 'reason', MAX_NAME_CHARS), until: optionalString(p, 'until', MAX_NAME_CHARS) };
      return holdFiles(params, ctx.actor);
    },
    async 'retention/release'(raw, ctx) {
      const p = paramsObject(raw);
      return releaseFiles({ root: requiredPath(p, 'root'), files: requiredStringArray(p, 'files'), reason: requiredString(p, 'reason', MAX_NAME_CHARS) }, ctx.actor);
    },
    async 'vault/purge'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        files: optionalStringArray(p, 'files'),
        dryRun: optionalBoolean(p, 'dryRun'),
        force: optionalBoolean(p, 'force'),
        reason: optionalString(p, 'reason', MAX_NAME_CHARS),
      };
      return purgeVault(params, ctx);
    },
    async 'vault/restore'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        files: optionalStringArray(p, 'files'),
        identity: requiredPath(p, 'identity'),
        passphrase: optionalString(p, 'passphrase'),
        // May be empty or absent: the opening refuses it and logs the refusal (no-purpose).
        purpose: optionalText(p, 'purpose', MAX_PURPOSE_CHARS),
      };
      return restoreOriginals(params, ctx, deps);
    },
    async 'annotations/export'(raw) {
      const p = paramsObject(raw);
      return exportAnnotations({ root: requiredPath(p, 'root'), format: annotationFormat(p), out: optionalPath(p, 'out'), states: optionalEnumArray(p, 'states', BOX_STATES) }, datasets);
    },
    async 'annotations/import'(raw, ctx) {
      const p = paramsObject(raw);
      const params = {
        root: requiredPath(p, 'root'),
        format: annotationFormat(p),
        file: requiredPath(p, 'file'),
        labels: optionalStringArray(p, 'labels', MAX_NAME_CHARS),
        trust: optionalBoolean(p, 'trust'),
        reason: optionalText(p, 'reason', MAX_PURPOSE_CHARS),
      };
      return importAnnotations(params, ctx.actor, datasets, state.limits);
    },
    async 'redactions/export'(raw) {
      const p = paramsObject(raw);
      return exportRedactions({ root: requiredPath(p, 'root'), out: optionalPath(p, 'out'), merge: optionalPath(p, 'merge') }, datasets);
    },
  };
  return guardInitialized(handlers, state);
}

/** Every method but `initialize` and `shutdown` refuses to run before `initialize`. */
function guardInitialized(handlers: Handlers, state: DaemonState): Handlers {
  const guarded = { ...handlers } as Record<MethodName, Handlers[MethodName]>;
  for (const name of Object.keys(handlers) as MethodName[]) {
    if (name === 'initialize' || name === 'shutdown') continue;
    const inner = handlers[name] as (params: unknown, ctx: Parameters<Handlers[MethodName]>[1]) => Promise<never>;
    guarded[name] = (params, ctx) => {
      if (!state.initialized) throw new VeilError(ErrorCode.NotInitialized, 'call initialize first');
      return inner(params, ctx);
    };
  }
  return guarded as Handlers;
}
