/** What the audit log records: one typed event per line, and the check each type's fields pass when read back. */
import {
  ANNOTATION_FORMATS,
  AUDIT_ACTIONS,
  BOX_SOURCES,
  BOX_STATES,
  IMAGE_STATUSES,
  MASK_SHAPES,
  OPEN_REFUSALS,
  RECIPIENT_CHANGES,
  RECONCILE_REASONS,
  REDACTION_MODES,
  RETENTION_STATES,
  isRecord,
  type AnnotationFormat,
  type AuditAction,
  type Box,
  type BoxSource,
  type BoxState,
  type Checkpoint,
  type ImageRecord,
  type ImageStatus,
  type MarginRule,
  type MaskShape,
  type OpenRefusal,
  type RecipientChange,
  type ReconcileReason,
  type RedactionMode,
  type RetentionState,
  type Shard,
} from '../protocol';
import { actor, arrayOf, between, count, exactly, flag, finite, nullable, object, oneOf, optional, sha256, str, text, type Check } from '../storage/checks';
import { sha256Hex } from '../storage/hash';
import type { Actor } from '../core/callContext';

/** Per source and state; `possible` is absent in entries written before possible faces were kept. */
export type BoxCounts = Record<BoxSource, Record<Exclude<BoxState, 'possible'>, number> & { possible?: number }>;

export interface DetectRunEvent {
  type: 'detect-run';
  actor: Actor;
  model: string;
  threshold: number;
  thorough: boolean;
  images: number;
  faces: number;
  /** The shard detected (`veil detect --shard i/n`); absent for the whole dataset. */
  shard?: Shard;
}

/**
 * A detection shard began writing its segment (`.veil/segments/<segment>.jsonl`): from here the chain knows the segment
 * exists, so one deleted before it was folded is a finding (verify), not a silence.
 */
export interface SegmentOpenEvent {
  type: 'segment-open';
  actor: Actor;
  segment: string;
  shard: Shard;
}

/**
 * A segment folded whole into the review log (its `detect-image` lines are in this chain) and deleted: `lines` lines,
 * the last of which hashes to `head`.
 */
export interface SegmentCloseEvent {
  type: 'segment-close';
  actor: Actor;
  segment: string;
  lines: number;
  head: string;
}

/**
 * One image's review decision: written for every edit that changes its status or any box's place, size or state.
 * The boxes themselves live in review.json; `boxesSha256` binds them, so a commit can tell a decision made in Veil
 * from a review file edited outside it.
 */
export interface ReviewChangeEvent {
  type: 'review-change';
  actor: Actor;
  file: string;
  status: ImageStatus;
  boxes: BoxCounts;
  /** A video's tracks, counted like boxes (absent for an image). */
  tracks?: BoxCounts;
  /** `decisionSha256` of the image (or video) after the change. */
  boxesSha256: string;
  /** The review-state revision the change is written as (absent in logs older than per-image detection audit). */
  revision?: number;
}

/**
 * One image's detection folded into its review record, written under the review lock before the record is (the
 * record's status and boxes after the merge: a detection can add proposals and send a reviewed image back).
 */
export interface DetectImageEvent {
  type: 'detect-image';
  actor: Actor;
  file: string;
  model: string;
  threshold: number;
  thorough: boolean;
  /** Faces the model found in this run (before those overlapping a decided box were dropped). */
  faces: number;
  status: ImageStatus;
  boxes: BoxCounts;
  /** A video's tracks, counted like boxes (absent for an image). */
  tracks?: BoxCounts;
  boxesSha256: string;
  /** The review-state revision the record is written as. */
  revision: number;
}

/**
 * What an image's review record holds, recorded because the audit log did not say it (see `explained.ts`): no
 * one decided these boxes by this entry, so it never counts as a review decision for a commit.
 */
export interface ReviewReconcileEvent {
  type: 'review-reconcile';
  actor: Actor;
  file: string;
  reason: ReconcileReason;
  status: ImageStatus;
  boxes: BoxCounts;
  /** A video's tracks, counted like boxes (absent for an image). */
  tracks?: BoxCounts;
  boxesSha256: string;
  /** The record's revision in the review state. */
  revision: number;
  /** The entry number of the file's latest audited change, which the state does not hold (null: there was none). */
  lastDecision: number | null;
}

export interface CommitImageEvent {
  type: 'commit-image';
  commitId: string;
  actor: Actor;
  file: string;
  model: string | null;
  threshold: number | null;
  /** `doubtMargin`: see `marginFor` in protocol.ts; absent in commits made before it existed (they grew every box by `margin`). */
  redaction: { mode: RedactionMode; margin: number; doubtMargin?: number; shape: MaskShape };
  boxes: BoxCounts;
  /** A video's tracks, counted like boxes (absent for an image). */
  tracks?: BoxCounts;
  /** Boxes actually painted over (every box not rejected). */
  redacted: number;
  /**
   * `boxesSha256` of the boxes this commit redacted from. For a reviewed image it equals the hash of the image's
   * latest review-change entry before this one (the commit refuses the image otherwise, and verify checks it).
   */
  boxesSha256: string;
  originalSha256: string;
  outputSha256: string;
  /** Vault object id: the sha256 of the original; the object is `.veil/vault/<id>.age`. */
  vaultObject: string;
  /** sha256 of the encrypted object, so it can be checked without a key. */
  vaultSha256: string;
  /** Present when nobody reviewed the image and the model's boxes were used as they are. */
  modelOnly?: true;
}

export interface CommitSummaryEvent {
  type: 'commit';
  commitId: string;
  actor: Actor;
  committed: number;
  /** Images of the plan never started (the commit was cancelled). */
  notStarted: number;
  failed: number;
  cancelled: boolean;
  includeUnreviewed: boolean;
  /** Present when unreviewed images were committed while possible faces on them were unresolved (`allowPossibleFaces`). */
  possibleFacesAllowed?: PossibleFacesAllowed;
  /** The shard committed (`veil commit --shard i/n`); absent for the whole dataset. */
  shard?: Shard;
}

/** An override of the commit guard on possible faces: why, and what it let through. */
export interface PossibleFacesAllowed {
  reason: string;
  images: number;
  possible: number;
}

/**
 * Where an opened original goes, exactly one place: a new file outside the dataset (`out`, `vault/open`), the memory of
 * the client named by `shownIn` (`vault/read`: the editor shows it from memory and never writes it to disk), or back in
 * the dataset in place of the anonymized image it names (`restoredTo`, `vault/restore`).
 */
export type OpeningDestination = { out: string } | { shownIn: string } | { restoredTo: string };

/** An original decrypted for someone, logged before the decrypt, with where it went (`OpeningDestination`). */
export type OpenOriginalEvent = {
  type: 'open-original';
  actor: Actor;
  file: string;
  vaultObject: string;
  /** Why (a listed purpose in the policy's spelling, or the words given). Absent only in entries from before purposes. */
  purpose?: string;
  /** The recipient (`age1…`) of the key that opened it. Absent only in entries from before purposes. */
  recipient?: string;
} & OpeningDestination;

/**
 * An opening of an original refused (README "Access with a purpose"), logged before the refusal is answered: who
 * asked, for which file, why it was refused, and what the request held so far.
 */
export type OpenRefusedEvent = {
  type: 'open-refused';
  actor: Actor;
  file: string;
  reason: OpenRefusal;
  /** The purpose as given (normalized; absent: none was). */
  purpose?: string;
  /** The file's vault object, once it is known (every reason after `not-committed`). */
  vaultObject?: string;
  /** `wrong-key`: the recipients of the keys offered, none of which the object is encrypted to. */
  recipients?: string[];
} & OpeningDestination;

/** A person excluded a file from anonymization: commits leave it as it is, until an `include` entry of the file. */
export interface ExcludeEvent {
  type: 'exclude';
  actor: Actor;
  file: string;
  reason: string;
}

/** A person took a file's exclusion back: commits anonymize it (or report it left as is) again. */
export interface IncludeEvent {
  type: 'include';
  actor: Actor;
  file: string;
}

/**
 * The dataset's policy (`.veil/policy.json`) replaced, logged before the file is: `sha256` is the new file's, so
 * verify tells the policy in place from one edited outside Veil (or whose write a kill cut short).
 */
export interface PolicyChangeEvent {
  type: 'policy-change';
  actor: Actor;
  /** How: the starter policy (`policy/init`), or a checked file put in place (`policy/apply`). */
  source: 'init' | 'apply';
  sha256: string;
  /** sha256 of the policy file it replaced (null: there was none). */
  previousSha256: string | null;
  /**
   * The new file's text (UTF-8; its sha256 is `sha256`): the monitor judges each opening by the policy in force when it
   * happened (daemon/policy/history.ts). Absent in entries written before Veil recorded it.
   */
  content?: string;
}

/**
 * An Ed25519 signature over a checkpoint of this log (see daemon/audit/signatures.ts): a key holder vouches that the
 * log's first `checkpoint.entries` lines hash to `checkpoint.head`. It covers only lines before its own.
 */
export interface CheckpointSignatureEvent {
  type: 'checkpoint-signature';
  actor: Actor;
  checkpoint: Checkpoint;
  /** The signer's name when it signed (verify names the signer as the trusted list does). */
  signer: string;
  /** `veil-ed25519:<base64>`. */
  publicKey: string;
  signedAt: string;
  /** base64 of the 64-byte signature. */
  signature: string;
}

/**
 * A change of who can open the originals (`recipients/add`, `remove`, `rotate`), logged before anything changes:
 * `.veil/recipients.txt` is edited after it, then every object it counts is re-encrypted (one vault-rewrap entry
 * each). A run killed midway is finished by the next one under the same `rotationId`.
 */
export interface RecipientsChangeEvent {
  type: 'recipients-change';
  actor: Actor;
  rotationId: string;
  change: RecipientChange;
  /** The recipient added or removed (absent for a rotation). */
  recipient?: string;
  /** The recipients listed after the change: every object is re-encrypted to exactly these. */
  recipients: string[];
  /** `recipientsSha256(recipients)`, which each vault-rewrap entry of the change names. */
  recipientsSha256: string;
  /** Vault objects the change re-encrypts. */
  objects: number;
}

/**
 * One vault object re-encrypted under a new file key, logged (fsync'd) before the new ciphertext is renamed over the
 * old one: from this entry on, verify checks the object against `vaultSha256`, and `previousSha256` must be what the
 * log last said of it (an older copy put back is reported, see audit/ciphertexts.ts).
 */
export interface VaultRewrapEvent {
  type: 'vault-rewrap';
  actor: Actor;
  rotationId: string;
  vaultObject: string;
  previousSha256: string;
  vaultSha256: string;
  recipientsSha256: string;
}

/**
 * A legal hold (or any other reason to keep them) on an image's originals, logged before it counts: purge refuses every
 * vault object any commit of `file` named while the hold lasts (until `until`, or until a retention-release entry of
 * the file when null), unless forced with a reason (README "Retention, purge and restore").
 */
export interface RetentionHoldEvent {
  type: 'retention-hold';
  actor: Actor;
  file: string;
  reason: string;
  /** ISO time the hold ends by itself; null: until released. */
  until: string | null;
}

/** A hold of `file` taken back (the latest retention-hold entry of the file no longer counts). */
export interface RetentionReleaseEvent {
  type: 'retention-release';
  actor: Actor;
  file: string;
  reason: string;
}

/**
 * One vault object purged (crypto-shredded), logged (fsync'd) before the object is unlinked: from this entry on, the
 * object's absence is no finding (verify), an opening of it is refused as purged, and a purge run finishes any object
 * whose entry it finds but whose file is still there. `state` is where it stood against the retention when purged:
 * anything but "expired" was forced, and `reason` says why.
 */
export interface VaultPurgeEvent {
  type: 'vault-purge';
  actor: Actor;
  vaultObject: string;
  /** sha256 of the ciphertext destroyed (as the file held it when the purge was decided). */
  vaultSha256: string;
  /** The images whose commits named it. */
  files: string[];
  /** Time of the latest commit-image entry naming it: its retention ran from there. */
  committedAt: string;
  /** The policy's retention days when purged (null: the policy set none). */
  retentionDays: number | null;
  state: RetentionState;
  /** Why it was purged although not expired (required then), in words. */
  reason?: string;
}

/**
 * A committed image's original put back in place of its anonymized output (`vault/restore`), logged before the file is
 * replaced; an open-original entry (the decrypt, with its purpose) comes before it. From this entry on, until the
 * file's next commit-image entry, the image is no longer committed: verify expects its original, and a commit takes it
 * again once it is reviewed.
 */
export interface RestoreOriginalEvent {
  type: 'restore-original';
  actor: Actor;
  file: string;
  vaultObject: string;
  /** Why, as the opening recorded it. */
  purpose: string;
  /** sha256 of the anonymized output it replaces (the latest commit-image entry's `outputSha256`). */
  replacedSha256: string;
}

/**
 * A backup generation about to exist (README "Backup and disaster recovery"): logged after its blobs are written and
 * read back, before its manifest is renamed into place, which is what makes the generation. It names the manifest by
 * the sha256 of its bytes (anyone can check the file against it without a key) and the log entries it holds, which are
 * those before this one. An entry whose manifest is not in the folder is a run killed between the two.
 */
export interface BackupEvent {
  type: 'backup';
  actor: Actor;
  /** The backup folder (real path) and its id (in its VEIL-BACKUP file). */
  destination: string;
  backupId: string;
  datasetId: string;
  generation: number;
  manifestSha256: string;
  /** The audit entries the generation holds. */
  covers: Checkpoint;
  vaultObjects: number;
  withOutputs: boolean;
}

/**
 * The dataset was rebuilt from a backup: the first entry after those the backup held, appended before the rebuilt
 * `.veil/` is renamed into place.
 */
export interface BackupRestoreEvent {
  type: 'backup-restore';
  actor: Actor;
  /** The backup folder it was restored from (real path), its id, and the generation. */
  source: string;
  backupId: string;
  datasetId: string;
  generation: number;
  manifestSha256: string;
  /** The entries restored: the log as the generation held it. */
  covers: Checkpoint;
}

/**
 * Old generations of this dataset's backup removed from a backup folder (`veil backup prune`), logged before anything is
 * removed: the generations removed and kept, and the blobs (shared by every dataset backed up there) no kept generation
 * names, which go with them. A `backup` entry whose generation is listed here no longer has its manifest.
 */
export interface BackupPruneEvent {
  type: 'backup-prune';
  actor: Actor;
  /** The backup folder (real path) and its id. */
  destination: string;
  backupId: string;
  datasetId: string;
  removed: number[];
  kept: number[];
  /** Blobs to remove and their bytes. */
  blobs: number;
  bytes: number;
}

/**
 * Boxes loaded from a label file (`annotations/import`), logged before the review state changes, in one append with the
 * `review-change` entry of each image it changes (those are what a commit's decision check reads).
 */
export interface AnnotationsImportEvent {
  type: 'annotations-import';
  actor: Actor;
  format: AnnotationFormat;
  /** The label file or folder, as given. */
  source: string;
  /** sha256 of the file's bytes; of a folder, of its listing (`<path>\0<sha256 of its bytes>\n` per file, sorted by path). */
  sha256: string;
  /** Images whose review record the import changes, and boxes it adds to them. */
  images: number;
  boxes: number;
  /** The file's decisions taken (accepted boxes), not only its places (proposals). */
  trust: boolean;
  /** Why (required with `trust`). */
  reason?: string;
}

/** A partial last line (a power loss mid-append) was cut off before this entry. */
export interface AuditRepairEvent {
  type: 'audit-repair';
  droppedBytes: number;
  previous: Checkpoint;
}

export type AuditEvent =
  | DetectRunEvent
  | DetectImageEvent
  | ReviewChangeEvent
  | ReviewReconcileEvent
  | CommitImageEvent
  | CommitSummaryEvent
  | OpenOriginalEvent
  | OpenRefusedEvent
  | ExcludeEvent
  | IncludeEvent
  | PolicyChangeEvent
  | CheckpointSignatureEvent
  | RecipientsChangeEvent
  | VaultRewrapEvent
  | RetentionHoldEvent
  | RetentionReleaseEvent
  | VaultPurgeEvent
  | RestoreOriginalEvent
  | BackupEvent
  | BackupRestoreEvent
  | BackupPruneEvent
  | AuditRepairEvent
  | AnnotationsImportEvent
  | SegmentOpenEvent
  | SegmentCloseEvent;

/** Every entry as stored: the event plus its place in the chain. */
export type AuditEntry = AuditEvent & { seq: number; prev: string; at: string };

/** Per source and state; `possible` only where there are any (entries of images without them read as before). A video's tracks are counted the same way. */
/** The margin rule a commit redacted with (entries from before `doubtMargin` existed grew every box by `margin` alone). */
export function committedMarginRule(event: Pick<CommitImageEvent, 'redaction'>): MarginRule {
  return { margin: event.redaction.margin, doubtMargin: event.redaction.doubtMargin ?? 0 };
}

export function countBoxes(boxes: readonly Pick<Box, 'source' | 'state'>[]): BoxCounts {
  const counts: BoxCounts = {
    model: { proposed: 0, accepted: 0, rejected: 0 },
    manual: { proposed: 0, accepted: 0, rejected: 0 },
  };
  for (const box of boxes) counts[box.source][box.state] = (counts[box.source][box.state] ?? 0) + 1;
  return counts;
}

/**
 * sha256 of the boxes' canonical JSON: `[{"id","x","y","w","h","state"}, …]` in that key order, sorted by id
 * (code-unit order, not the locale's). Score, source and the edited flag do not change what is redacted.
 */
export function boxesSha256(boxes: readonly Box[]): string {
  const canonical = boxes
    .map(({ id, x, y, w, h, state }) => ({ id, x, y, w, h, state }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256Hex(JSON.stringify(canonical));
}

/**
 * sha256 of what a review decided for a file, the hash audit entries carry as `boxesSha256`: an image's
 * `boxesSha256` (unchanged, so every earlier entry still matches); for a video, of its boxes' hash and its tracks'
 * canonical JSON `[{"id","state","padBefore","padAfter","keyframes":[[frame,x,y,w,h], …]}, …]` sorted by id (what
 * decides the redacted area at each frame; scores, source and the edited flag do not).
 */
export function decisionSha256(record: Pick<ImageRecord, 'boxes' | 'tracks'>): string {
  const boxes = boxesSha256(record.boxes);
  if (record.tracks === undefined) return boxes;
  const tracks = record.tracks
    .map(({ id, state, padBefore, padAfter, keyframes }) => ({ id, state, padBefore, padAfter, keyframes: keyframes.map(({ frame, x, y, w, h }) => [frame, x, y, w, h]) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256Hex(JSON.stringify({ boxes, tracks }));
}

/** The counts of a record's decision for an audit entry: its boxes, and its tracks when it is a video. */
export function countDecision(record: Pick<ImageRecord, 'boxes' | 'tracks'>): { boxes: BoxCounts; tracks?: BoxCounts } {
  return { boxes: countBoxes(record.boxes), ...(record.tracks ? { tracks: countBoxes(record.tracks) } : {}) };
}

// ---- Checks: what each event type must hold when read back (audit log, commit journal) --------------------

const boxCounts = object(Object.fromEntries(BOX_SOURCES.map((source) => [source, object(Object.fromEntries(BOX_STATES.map((state) => [state, state === 'possible' ? optional(count) : count])))])));
const checkpoint = object({ entries: count, head: sha256 });

/** The fields of each event type, besides `type`. */
const EVENT_FIELDS: { [T in AuditAction]: Record<string, Check> } = {
  'detect-run': { actor, model: text, threshold: between(0, 1), thorough: flag, images: count, faces: count, shard: optional(object({ index: count, count: count })) },
  'review-change': { actor, file: text, status: oneOf(IMAGE_STATUSES), boxes: boxCounts, tracks: optional(boxCounts), boxesSha256: sha256, revision: optional(count) },
  'commit-image': {
    commitId: text,
    actor,
    file: text,
    model: nullable(text),
    threshold: nullable(finite),
    redaction: object({ mode: oneOf(REDACTION_MODES), margin: finite, doubtMargin: optional(finite), shape: oneOf(MASK_SHAPES) }),
    boxes: boxCounts,
    tracks: optional(boxCounts),
    redacted: count,
    boxesSha256: sha256,
    originalSha256: sha256,
    outputSha256: sha256,
    vaultObject: sha256,
    vaultSha256: sha256,
    modelOnly: optional(exactly(true)),
  },
  commit: { commitId: text, actor, committed: count, notStarted: count, failed: count, cancelled: flag, includeUnreviewed: flag, possibleFacesAllowed: optional(object({ reason: text, images: count, possible: count })), shard: optional(object({ index: count, count: count })) },
  'open-original': { actor, file: text, vaultObject: sha256, purpose: optional(text), recipient: optional(text), out: optional(str), shownIn: optional(text), restoredTo: optional(text) },
  'open-refused': {
    actor,
    file: text,
    reason: oneOf(OPEN_REFUSALS),
    purpose: optional(text),
    vaultObject: optional(sha256),
    recipients: optional(arrayOf(text)),
    out: optional(str),
    shownIn: optional(text),
    restoredTo: optional(text),
  },
  exclude: { actor, file: text, reason: text },
  include: { actor, file: text },
  'policy-change': { actor, source: oneOf(['init', 'apply']), sha256, previousSha256: nullable(sha256), content: optional(text) },
  // The key and the signature are checked by verify (signature-invalid), not here: a line that parses is kept readable.
  'checkpoint-signature': { actor, checkpoint, signer: text, publicKey: text, signedAt: text, signature: text },
  'recipients-change': {
    actor,
    rotationId: text,
    change: oneOf(RECIPIENT_CHANGES),
    recipient: optional(text),
    recipients: arrayOf(text),
    recipientsSha256: sha256,
    objects: count,
  },
  'vault-rewrap': { actor, rotationId: text, vaultObject: sha256, previousSha256: sha256, vaultSha256: sha256, recipientsSha256: sha256 },
  'retention-hold': { actor, file: text, reason: text, until: nullable(text) },
  'retention-release': { actor, file: text, reason: text },
  'vault-purge': {
    actor,
    vaultObject: sha256,
    vaultSha256: sha256,
    files: arrayOf(text),
    committedAt: text,
    retentionDays: nullable(count),
    state: oneOf(RETENTION_STATES),
    reason: optional(text),
  },
  'restore-original': { actor, file: text, vaultObject: sha256, purpose: text, replacedSha256: sha256 },
  backup: {
    actor,
    destination: text,
    backupId: text,
    datasetId: text,
    generation: count,
    manifestSha256: sha256,
    covers: checkpoint,
    vaultObjects: count,
    withOutputs: flag,
  },
  'backup-restore': { actor, source: text, backupId: text, datasetId: text, generation: count, manifestSha256: sha256, covers: checkpoint },
  'backup-prune': { actor, destination: text, backupId: text, datasetId: text, removed: arrayOf(count), kept: arrayOf(count), blobs: count, bytes: count },
  'audit-repair': { droppedBytes: count, previous: checkpoint },
  'annotations-import': { actor, format: oneOf(ANNOTATION_FORMATS), source: text, sha256, images: count, boxes: count, trust: flag, reason: optional(text) },
  'detect-image': { actor, file: text, model: text, threshold: between(0, 1), thorough: flag, faces: count, status: oneOf(IMAGE_STATUSES), boxes: boxCounts, tracks: optional(boxCounts), boxesSha256: sha256, revision: count },
  'segment-open': { actor, segment: text, shard: object({ index: count, count: count }) },
  'segment-close': { actor, segment: text, lines: count, head: sha256 },
  'review-reconcile': {
    actor,
    file: text,
    reason: oneOf(RECONCILE_REASONS),
    status: oneOf(IMAGE_STATUSES),
    boxes: boxCounts,
    tracks: optional(boxCounts),
    boxesSha256: sha256,
    revision: count,
    lastDecision: nullable(count),
  },
};
const oneDestination: Check = (value) =>
  isRecord(value) && [value.out, value.shownIn, value.restoredTo].filter((field) => field !== undefined).length === 1 ? undefined : ': expected exactly one of "out", "shownIn", "restoredTo"';
/** Rules across an event's fields, checked once each field passed. */
const EVENT_RULES: Partial<Record<AuditAction, Check>> = {
  'vault-purge': (value) => (isRecord(value) && (value.state === 'expired' || value.reason !== undefined) ? undefined : '.reason: expected one for a purge of an original that had not expired'),
  'open-original': oneDestination,
  'open-refused': oneDestination,
  'annotations-import': (value) => (isRecord(value) && (value.trust !== true || value.reason !== undefined) ? undefined : '.reason: expected one for a trusted import'),
};
export const AUDIT_EVENT_TYPES: readonly AuditAction[] = AUDIT_ACTIONS;
const eventChecks = new Map(
  AUDIT_EVENT_TYPES.map((type): [AuditAction, Check] => {
    const fields = object(EVENT_FIELDS[type]);
    const rule = EVENT_RULES[type];
    return [type, rule ? (value) => fields(value) ?? rule(value) : fields];
  }),
);

/** What is wrong with an audit event (`.field: expected …`), or undefined when it is one. */
export const auditEventProblem: Check = (value) => {
  if (!isRecord(value)) return ': expected an object';
  const check = eventChecks.get(value.type as AuditAction);
  return check ? check(value) : `.type${oneOf(AUDIT_EVENT_TYPES)(value.type)}`;
};

/** What is wrong with a commit-image event (a line of the commit journal's progress), or undefined. */
export const commitImageEventProblem: Check = (value) =>
  isRecord(value) && value.type !== 'commit-image' ? `.type${exactly('commit-image')(value.type)}` : auditEventProblem(value);
