/**
 * `dataset/verify`: everything a commit promised, checked from the files alone. The audit chain (and a
 * checkpoint kept elsewhere, which catches a cut tail); every hash relation each commit-image entry states:
 * its output is not its original, its vault object is named by its original's sha256, the object's bytes hash
 * to the audited vaultSha256 and (with an identity) decrypt to content hashing to its name, the file on disk
 * is the audited output and none of its audited originals, and a reviewed image's redacted boxes are those of
 * its last review decision; no commit is left half done; optionally, the detector finds no face, neither outside
 * the redacted boxes nor through them. Every checkpoint signature against the trusted signers (see
 * audit/verifySignatures.ts), the policy against its last policy-change entry, the redaction sidecar against the log and
 * the review state (redactions/sidecarFile.ts); with `full`, every file of the vault
 * and the exclusions too (see full.ts). What it cannot prove without a checkpoint, an identity or a trusted signature
 * is said in `limits`.
 */
import { segmentFindings } from './segments';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFile } from '../storage/regularFile';
import type { AuditEntry, CommitImageEvent, ReviewChangeEvent } from '../audit/events';
import type { Detector } from '../detection/detector';
import type { CallContext } from '../core/callContext';
import { ErrorCode, type VerifyFinding, type VerifyParams, type VerifyResult } from '../protocol';
import type { DecodeLimits } from '../image/decode';
import { MAX_IMAGE_FILE_BYTES } from '../image/imageFileRule';
import { VeilError, causeFor } from '../errors';
import { resolveInside } from '../dataset/paths';
import { scanDataset } from '../dataset/scan';
import { verifyAuditLog } from '../audit/verifyLog';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { ageStructureProblem } from '../vault/ageFormat';
import { decryptUnchecked } from '../vault/vault';
import { RENDITION_DIRS, vaultObjectPath, vaultObjectRelative, veilPath, veilRelative } from '../dataset/layout';
import { sha256Hex } from '../storage/hash';
import { commitFolders, findStrayTemps } from '../commit/cleanup';
import { Journal, filesInCommit } from '../commit/journal';
import { latestDecisions, reviewUnauditedFinding, unexplainedRecords } from '../audit/explained';
import type { DatasetOpener } from '../commit/commit';
import { redetectFaces } from './redetect';
import { checkObjectStreamed, sha256OfFile, type ObjectCheck } from '../vault/storeStreamed';
import { ciphertextHistories, vaultAlteredReason, type CiphertextHistory } from '../audit/ciphertexts';
import { describeChange, finishCommand, loadRotationPlan } from '../vault/rotatePlan';
import { locateDataset } from '../dataset/locate';
import { verifySignatures } from '../audit/verifySignatures';
import { checkGovernance } from './governance';
import { checkExclusions, checkRecipientsFile, checkUnauditedVault } from './full';
import { purgedObjects, retentionFacts, type LoggedPurge } from '../vault/retention';
import { purgedObjectFinding, restoreFindings } from './retention';
import { readOrFinding } from './stateFinding';
import { checkRedactionSidecar } from '../redactions/sidecarFile';

export interface VerifyDeps {
  datasets: DatasetOpener;
  limits: DecodeLimits;
  /** The detector for `--redetect` (the daemon's default model). */
  loadDetector?: () => Promise<Pick<Detector, 'detect' | 'model'>>;
  /** Asked for when the identity file is passphrase-protected (default: VEIL_PASSPHRASE). */
  passphrase?: () => Promise<string>;
}

/** False only when nothing is at `path` (any other error is for the reader to report). */
function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
}

/** A file's bytes, or why they could not be read: 'missing' only when it does not exist (any other error is its own finding). */
async function readChecked(path: string): Promise<Buffer | { missing: true } | { unreadable: string }> {
  if (!(await exists(path))) return { missing: true };
  try {
    // A regular file within the image limit only: a FIFO or device put in a dataset must not hang or swell verify.
    return await readRegularFile(path, path, { what: 'a file', maxBytes: MAX_IMAGE_FILE_BYTES, missingCode: ErrorCode.BadPath });
  } catch (error) {
    return { unreadable: `cannot be read (${VeilError.is(error) ? error.message : String(error)})` };
  }
}

/** A committed file's sha256, streamed (a video is gigabytes), or why it could not be read (as `readChecked`). */
async function hashChecked(path: string, file: string): Promise<{ sha256: string } | { missing: true } | { unreadable: string }> {
  if (!(await exists(path))) return { missing: true };
  try {
    // A regular file only (openStateFile refuses a FIFO or device without blocking on it).
    return await sha256OfFile(path, file);
  } catch (error) {
    return { unreadable: `cannot be read (${VeilError.is(error) ? error.message : String(error)})` };
  }
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/**
 * The relations each commit-image entry states among its own hashes, and with the review decision before it: an
 * output that redacted a box is never the original (one that redacted none may be its byte-identical re-encode);
 * the vault object is named by the original's sha256; a reviewed image redacted the boxes of its latest
 * review-change entry before this one, marked "reviewed". (Model-only commits have no decision to match.)
 * Checked for every entry, not only each file's latest: a correctly chained entry appended
 * later does not hide an earlier one.
 */
function checkCommitRelations(entries: readonly AuditEntry[], findings: VerifyFinding[]): void {
  const decisions = new Map<string, ReviewChangeEvent & AuditEntry>();
  for (const entry of entries) {
    if (entry.type === 'review-change') decisions.set(entry.file, entry);
    if (entry.type !== 'commit-image') continue;
    const { file, seq } = entry;
    if (entry.redacted > 0 && (entry.outputSha256 === entry.originalSha256 || entry.outputSha256 === entry.vaultObject)) {
      findings.push({ kind: 'commit-output-is-original', file, message: `audit entry ${seq} redacted ${entry.redacted} box(es) yet records an output equal to its original (sha256 ${short(entry.outputSha256)})` });
    }
    if (entry.vaultObject !== entry.originalSha256) {
      findings.push({
        kind: 'commit-vault-mismatch',
        file,
        message: `audit entry ${seq} keeps the original (sha256 ${short(entry.originalSha256)}) in a vault object named ${short(entry.vaultObject)}: the vault is content-addressed, the names must be equal`,
      });
    }
    if (entry.modelOnly) continue;
    const decision = decisions.get(file);
    const problem = !decision
      ? 'no review decision for it comes before it'
      : decision.status !== 'reviewed'
        ? `the last review decision before it (entry ${decision.seq}) is "${decision.status}", not "reviewed"`
        : decision.boxesSha256 !== entry.boxesSha256
          ? `its boxes (sha256 ${short(entry.boxesSha256)}) differ from the last reviewed decision before it (entry ${decision.seq}, ${short(decision.boxesSha256)})`
          : undefined;
    if (problem) findings.push({ kind: 'commit-boxes-unreviewed', file, message: `audit entry ${seq} commits a reviewed image but ${problem}` });
  }
}

/** Each committed image still holds the output its latest commit wrote, and none of the originals audited for it. */
async function checkImages(
  root: string,
  latest: ReadonlyMap<string, CommitImageEvent>,
  originals: ReadonlyMap<string, ReadonlySet<string>>,
  findings: VerifyFinding[],
  ctx: CallContext,
): Promise<void> {
  let done = 0;
  for (const [file, event] of latest) {
    ctx.token.throwIfCancelled();
    ctx.progress({ done: done++, total: latest.size, file, message: 'checking images' });
    let path: string;
    try {
      path = resolveInside(root, file);
    } catch (error) {
      // Gone, or its audited path no longer leads to a file inside the dataset.
      findings.push({ kind: 'image-missing', file, message: `committed image is missing (${causeFor(file, error)})` });
      continue;
    }
    const hashed = await hashChecked(path, file);
    if ('missing' in hashed) {
      findings.push({ kind: 'image-missing', file, message: 'committed image is missing' });
      continue;
    }
    if ('unreadable' in hashed) {
      findings.push({ kind: 'image-unreadable', file, message: `committed image ${hashed.unreadable}` });
      continue;
    }
    const sha = hashed.sha256;
    // A commit that redacted nothing may re-encode a metadata-free image to the very same bytes (a 1x1 PNG, a
    // face-free LZW TIFF): that output is as audited, not "the original again".
    if (sha === event.outputSha256 && event.redacted === 0) continue;
    // Any original audited for this file, by any of its commit entries: an entry appended later never makes one an output.
    if (originals.get(file)?.has(sha)) findings.push({ kind: 'image-not-anonymized', file, message: 'holds the original again (its audited sha256), not the committed output' });
    else if (sha !== event.outputSha256) findings.push({ kind: 'image-changed', file, message: `changed outside a commit: sha256 ${short(sha)}, audited ${short(event.outputSha256)}` });
  }
}

/**
 * One vault object: present, readable, its bytes hashing to the latest ciphertext the audit log records for it (when a
 * commit names it; a change of recipients replaces it, see audit/ciphertexts.ts), well formed, and with an identity
 * decrypting to the original its name says.
 */
async function checkVaultObject(root: string, id: string, history: CiphertextHistory | undefined, identities: readonly string[], findings: VerifyFinding[]): Promise<void> {
  const file = vaultObjectRelative(id);
  const path = vaultObjectPath(root, id);
  const checked = (await largerThanMemoryCheck(path)) ? await checkStreamed(path, id, identities) : await checkInMemory(path, id, identities);
  if ('missing' in checked) {
    findings.push({ kind: 'vault-missing', file, message: 'the original of a committed image is missing from the vault' });
    return;
  }
  if ('unreadable' in checked) {
    findings.push({ kind: 'vault-unreadable', file, message: `the encrypted original ${checked.unreadable}` });
    return;
  }
  const altered = history && vaultAlteredReason(history, checked.sha256);
  if (altered) findings.push({ kind: 'vault-altered', file, message: altered });
  if (checked.problem) findings.push({ kind: 'vault-malformed', file, message: checked.problem });
  if (checked.openError !== undefined) findings.push({ kind: 'vault-undecryptable', file, message: causeFor(file, checked.openError) });
  if (checked.plaintextSha256 !== undefined && checked.plaintextSha256 !== id) {
    findings.push({ kind: 'vault-wrong-original', file, message: `decrypts to content with sha256 ${short(checked.plaintextSha256)}, not the original its name says` });
  }
}

type ObjectRead = ObjectCheck | { missing: true } | { unreadable: string };

/** An object up to the in-memory limit, read whole: the full age structure check (every stanza) and a decrypt. */
async function checkInMemory(path: string, id: string, identities: readonly string[]): Promise<ObjectRead> {
  const bytes = await readChecked(path);
  if (!Buffer.isBuffer(bytes)) return bytes;
  const checked: ObjectCheck = { sha256: sha256Hex(bytes), problem: ageStructureProblem(bytes) };
  if (identities.length === 0) return checked;
  try {
    return { ...checked, plaintextSha256: sha256Hex(await decryptUnchecked(bytes, id, identities)) };
  } catch (error) {
    return { ...checked, openError: error };
  }
}

/** An object above it (a video's original), a block at a time (vault/storeStreamed.ts). */
async function checkStreamed(path: string, id: string, identities: readonly string[]): Promise<ObjectRead> {
  try {
    return await checkObjectStreamed(path, id, identities);
  } catch (error) {
    return { unreadable: `cannot be read (${VeilError.is(error) ? error.message : String(error)})` };
  }
}

/**
 * The largest vault object checked in memory: a whole read holds the ciphertext and what it decrypts to (2× the object,
 * 64 MiB here). Above it (a video's original, a huge TIFF) the object is checked a block at a time, with the same
 * findings (vault/storeStreamed.ts), in two reads of the file instead of one.
 */
const IN_MEMORY_OBJECT_BYTES = 32 * 1024 * 1024;

/** Whether the file at `path` is above what verify reads into memory (a video's original). */
async function largerThanMemoryCheck(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.size > IN_MEMORY_OBJECT_BYTES,
    () => false,
  );
}

/**
 * Each vault object named by a commit matches every hash audited for it, and decrypts when it can (one purged on
 * purpose must be gone instead); with `full`, every other file of the vault is reported and checked as far as it can
 * be. Returns the objects checked.
 */
async function checkVault(
  root: string,
  commits: readonly CommitImageEvent[],
  histories: ReadonlyMap<string, CiphertextHistory>,
  purged: ReadonlyMap<string, LoggedPurge>,
  identities: readonly string[],
  findings: VerifyFinding[],
  ctx: CallContext,
  full: boolean,
): Promise<number> {
  const audited = new Set(commits.map((event) => event.vaultObject));
  let done = 0;
  for (const id of audited) {
    ctx.token.throwIfCancelled();
    ctx.progress({ done: done++, total: audited.size, file: vaultObjectRelative(id), message: 'checking vault objects' });
    const purge = purged.get(id);
    const finding = purge && (await purgedObjectFinding(root, id, purge));
    if (finding) findings.push(finding);
    if (!purge) await checkVaultObject(root, id, histories.get(id), identities, findings);
  }
  const unaudited = full ? await checkUnauditedVault(root, audited, (id) => checkVaultObject(root, id, undefined, identities, findings), findings) : 0;
  return audited.size + unaudited;
}

/**
 * One progress scale over every phase (images, vault objects, re-detection), each phase counting from where the
 * previous one ended: a progress bar fed by it never runs backwards when a phase starts again from 0.
 */
function phasedProgress(ctx: CallContext, total: number) {
  let next = 0;
  return {
    phase(size: number): CallContext {
      const offset = next;
      next += size;
      return { token: ctx.token, actor: ctx.actor, answered: ctx.answered, progress: (update) => ctx.progress({ ...update, done: offset + update.done, total }) };
    },
    finished(): void {
      ctx.progress({ done: total, total, message: 'verified' });
    },
  };
}

/** Renditions (thumbnails, display copies) made before the latest committed image: they may show its old face. */
async function staleRenditions(root: string, commits: ReadonlyArray<{ at: string }>): Promise<VerifyFinding[]> {
  const lastCommit = Math.max(...commits.map((entry) => Date.parse(entry.at)));
  if (!Number.isFinite(lastCommit)) return [];
  const findings: VerifyFinding[] = [];
  for (const dir of RENDITION_DIRS) {
    const names = await readdir(veilPath(root, dir)).catch(() => [] as string[]);
    for (const name of names) {
      const info = await stat(join(veilPath(root, dir), name)).catch(() => undefined);
      if (info && info.mtimeMs < lastCommit) {
        findings.push({ kind: 'rendition-stale', file: `${veilRelative(dir)}/${name}`, message: 'cached before the latest commit: it may show a face that commit removed (run `veil commit` to clear it)' });
      }
    }
  }
  return findings;
}

export async function verifyDataset(params: VerifyParams, ctx: CallContext, deps: VerifyDeps): Promise<VerifyResult> {
  const { root } = locateDataset(params.root);
  // A review state that cannot be read is a finding of its file, and the checks of the records are skipped.
  const opened = await readOrFinding(async () => (await deps.datasets.open(root)).store);
  const identities = params.identity ? await loadIdentities(params.identity, deps.passphrase ?? passphraseFromEnv()) : [];
  const audit = await verifyAuditLog(root, params.checkpoint);
  const findings = [...audit.findings];
  const governance = await checkGovernance(root, audit.entries, params.signers);
  const signatures = verifySignatures(audit, governance.trusted);
  findings.push(...governance.findings, ...signatures.findings);
  const commits = audit.entries.filter((entry): entry is CommitImageEvent & typeof entry => entry.type === 'commit-image');
  const latestByFile = new Map(commits.map((event) => [event.file, event]));
  const retention = retentionFacts(audit.entries);
  // An image restored after its latest commit is not committed now: it is checked as a restore, not as an output.
  const latest = new Map([...latestByFile].filter(([file]) => !retention.restored.has(file)).sort(([a], [b]) => a.localeCompare(b)));
  const originals = new Map<string, Set<string>>();
  for (const event of commits) originals.set(event.file, (originals.get(event.file) ?? new Set()).add(event.originalSha256).add(event.vaultObject));
  checkCommitRelations(audit.entries, findings);

  const vaultIds = new Set(commits.map((event) => event.vaultObject));
  const progress = phasedProgress(ctx, latest.size + vaultIds.size + (params.redetect ? latest.size : 0));

  await checkImages(root, latest, originals, findings, progress.phase(latest.size));
  const vaultObjects = await checkVault(root, commits, ciphertextHistories(audit.entries), purgedObjects(retention), identities, findings, progress.phase(vaultIds.size), params.full ?? false);
  if (params.full) {
    await checkExclusions(root, audit.entries, findings);
    await checkRecipientsFile(root, findings);
  }

  findings.push(...(await staleRenditions(root, commits)));
  // Files an interrupted or running commit holds: read once, for the review-state and the sidecar checks.
  const held = await filesInCommit(root);
  const review = 'finding' in opened ? opened : await readOrFinding(async () => (await opened.value.refresh(), opened.value));
  if ('finding' in review) findings.push(review.finding);
  else {
    for (const record of review.value.loggedRecords()) {
      if (record.status === 'committed' && !latestByFile.has(record.file)) {
        findings.push({ kind: 'commit-unaudited', file: record.file, message: 'review state says committed but the audit log has no commit for it' });
      }
    }
    findings.push(...unexplainedRecords(review.value.loggedRecords(), latestDecisions(audit.entries), held).map(reviewUnauditedFinding));
  }
  findings.push(...(await segmentFindings(root, audit.entries)));
  const recordOf = (file: string) => ('value' in review ? review.value.get(file) : undefined);
  const unfinishedRestores = await restoreFindings(root, retention, recordOf);
  findings.push(...unfinishedRestores);
  if ('value' in review) {
    // Files an interrupted commit or restore holds are the sidecar's to catch up with when it is run again (named above).
    const settling = new Set([...held, ...unfinishedRestores.flatMap((finding) => (finding.file === undefined ? [] : [finding.file]))]);
    const sidecar = await checkRedactionSidecar(root, retention, recordOf, settling);
    if (sidecar) findings.push(sidecar);
  }
  for (const { journal } of await Journal.unfinished(root)) findings.push({ kind: 'commit-unfinished', file: journal.label, message: 'a commit was interrupted; run `veil commit` again (with its --shard, for a shard\'s) to finish it' });
  const rotation = await loadRotationPlan(root);
  if (rotation) {
    const message = `a change of recipients (${describeChange(rotation)}) was interrupted: some originals may still be encrypted to the recipients before it; run \`${finishCommand(rotation)}\` again to finish it`;
    findings.push({ kind: 'rotation-unfinished', file: veilRelative('rotationPlan'), message });
  }
  const entries = await scanDataset(root);
  for (const path of await findStrayTemps(commitFolders(root, entries.map((entry) => entry.file)))) {
    findings.push({ kind: 'stray-temp', file: path, message: 'temp file left by an interrupted writer' });
  }
  if (params.redetect) {
    if (!deps.loadDetector) throw new VeilError(ErrorCode.ModelNotFound, 're-detection needs a face detector, and none is available here');
    findings.push(...(await redetectFaces(root, latest, recordOf, await deps.loadDetector(), deps.limits, progress.phase(latest.size))));
  }
  progress.finished();
  return {
    root,
    ok: findings.length === 0,
    findings,
    checked: { auditEntries: audit.checkpoint.entries, images: latest.size, vaultObjects, signatures: signatures.signatures },
    signedThrough: signatures.signedThrough,
    limits: [...limitsOf(params), ...signatures.limits],
  };
}

/** What a run with these parameters cannot prove (said, not reported as findings). */
function limitsOf(params: VerifyParams): string[] {
  const limits: string[] = [];
  if (!params.checkpoint) {
    limits.push(
      'no checkpoint given: the chain shows only that its entries agree with each other; a log whose tail was cut or rewritten ' +
        '(and the outputs and vault with it) looks just as sound. Pass --checkpoint with the line the last commit, detect or open printed, kept outside the dataset',
    );
  }
  if (!params.identity) {
    const unaudited = params.full ? ' (those no commit names: only their structure)' : '';
    limits.push(`no identity given: vault objects were matched against their audited hashes${unaudited}, not decrypted; pass --identity to prove they hold the originals`);
  }
  return limits;
}
