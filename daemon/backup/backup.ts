/**
 * `backup/create`: a new generation of a dataset's backup in a backup folder (README "Backup and disaster recovery").
 * Under the dataset lock (no commit, change of recipients, purge or restore meanwhile) and the folder's lock:
 *
 * 1. the picture of the state (snapshot.ts); refused while a commit or a change of recipients is unfinished;
 * 2. the blobs, each written and read back (blobStore.ts), or found there already: every vault object as it is (looked
 *    up by the ciphertext the audit log records, so an object already in the folder is not even read), each `.veil/`
 *    state file sealed to the custodians unless the cache (cache.ts) says the folder holds it sealed to them, the audit
 *    log as the parts stored before plus one part of the entries since, and with `withOutputs` the committed images;
 * 3. the cache, for the next run (also one killed after this point: the blobs it names are there);
 * 4. the `backup` audit entry, naming the manifest's sha256: before the generation exists;
 * 5. the manifest (manifest.ts), sealed, written to a temp, read back, then renamed into place: the generation exists.
 *
 * A run killed anywhere leaves every earlier generation as it was (blobs are only ever added, manifests only renamed
 * into place) and at most some blobs no manifest names yet, which the next run finds and reuses. Cancelled between
 * blobs, nothing is published.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, type BackupCreateParams, type BackupCreateResult, type FileWarning } from '../protocol';
import { VeilError } from '../errors';
import type { CallContext } from '../core/callContext';
import { eachInFlight } from '../core/inFlight';
import { isDatasetRoot, locateDataset } from '../dataset/locate';
import { isInside, realWriteTarget, resolveInside } from '../dataset/paths';
import { vaultObjectPath, vaultObjectRelative, veilRelative, VEIL_DIR } from '../dataset/layout';
import { acquireLock } from '../storage/lock';
import { openStateFile } from '../storage/stateFile';
import { publish, tempPathFor, writeSynced } from '../storage/durable';
import { sha256Hex } from '../storage/hash';
import { sha256OfRegularFile } from '../storage/regularFile';
import { appendAudit } from '../audit/log';
import { ciphertextHistories } from '../audit/ciphertexts';
import type { CommitImageEvent } from '../audit/events';
import { datasetFileRule } from '../dataset/fileRule';
import { bufferSource, fileSource, sealStreamed, type ByteSource } from '../vault/ageStream';
import { BlobStore, type StoredBlob } from './blobStore';
import { readFolderCache, writeFolderCache, type FolderCache, type HashedFile, type SealedBlob, type StoredLog } from './cache';
import { generationPath, listGenerations, lockBackupFolder, openForBackup, removeStrayTemps, type BackupFolder } from './destination';
import { formatManifest, type OriginalRecord, type StoredPart } from './manifest';
import { takeSnapshot, type Snapshot } from './snapshot';

/** Vault objects copied at once: each holds one 1 MiB block; a second fills the waits for the other's fsync. */
const OBJECTS_IN_FLIGHT = 2;
/**
 * The audit log is stored as at most this many parts (one per run): past it, a run seals the whole log again as one
 * part (a 20 MB log, ~100,000 entries: 0.2 s to seal and read back, measured on the 2-core machine), so a restore
 * concatenates a bounded number of parts.
 */
const MAX_LOG_PARTS = 100;
/** What a copy reads and writes per step. */
const COPY_BLOCK = 1024 * 1024;

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** The committed images whose output a generation can hold: each file's latest commit, unless an original was restored over it since. */
function committedImages(snapshot: Snapshot): Map<string, CommitImageEvent> {
  const latest = new Map<string, CommitImageEvent>();
  for (const entry of snapshot.entries) {
    if (entry.type === 'commit-image') latest.set(entry.file, entry);
    if (entry.type === 'restore-original') latest.delete(entry.file);
  }
  return latest;
}

/** Each committed image and the vault object keeping its original (by any commit of it), for the objects the vault holds. */
function originalsOf(snapshot: Snapshot): OriginalRecord[] {
  const vault = new Set(snapshot.vault);
  const byFile = new Map<string, string>();
  for (const entry of snapshot.entries) if (entry.type === 'commit-image' && vault.has(entry.vaultObject)) byFile.set(entry.file, entry.vaultObject);
  return [...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([file, vaultObject]) => ({ vaultObject, file }));
}

/** The blobs of one run: what it wrote, what it found, and the cache it leaves. */
class BackupRun {
  readonly parts: StoredPart[] = [];
  readonly warnings: FileWarning[] = [];
  readonly written = { blobs: 0, bytes: 0 };
  readonly reused = { blobs: 0, bytes: 0 };
  private readonly store: BlobStore;
  /** What this generation seals, for the next run's cache (what it no longer names is dropped). */
  private readonly sealed: Record<string, SealedBlob> = {};
  private readonly outputs: Record<string, HashedFile> = {};
  private done = 0;
  private readonly prior: FolderCache | undefined;

  constructor(
    private readonly root: string,
    private readonly snapshot: Snapshot,
    folder: BackupFolder,
    cache: FolderCache | undefined,
    private readonly ctx: CallContext,
    private readonly total: number,
  ) {
    this.store = new BlobStore(folder);
    // Blobs sealed to other custodians are never reused: a removed custodian must not open the new generation.
    this.prior = cache?.custodians === snapshot.custodiansSha256 ? cache : undefined;
  }

  private step(file: string): void {
    this.ctx.progress({ done: this.done++, total: this.total, file, message: 'backing up' });
  }

  private count(blob: StoredBlob, wrote: boolean): void {
    const tally = wrote ? this.written : this.reused;
    tally.blobs++;
    tally.bytes += blob.bytes;
  }

  async prepare(): Promise<void> {
    await this.store.prepare();
  }

  /**
   * A vault object as it is: found by its audited ciphertext, else copied (checked against that ciphertext as it is read
   * back, or hashed on the way when the log records none, or another).
   */
  async copyVaultObject(id: string, audited: string | undefined): Promise<void> {
    const file = vaultObjectRelative(id);
    this.step(file);
    const path = vaultObjectPath(this.root, id);
    const { size } = await stat(path);
    const found = audited !== undefined && (await this.store.holds(audited, size));
    let blob: StoredBlob = { sha256: audited ?? '', bytes: size };
    if (!found) {
      const copy = (expected?: string) => this.copyFile(path, file, size, expected);
      blob = (audited !== undefined ? await copy(audited) : undefined) ?? (await copy())!;
      if (audited !== undefined && blob.sha256 !== audited) {
        this.warnings.push({ file, message: `is not the ciphertext the audit log records (${short(audited)}): backed up as found (${short(blob.sha256)}); run \`veil verify\`` });
      }
    }
    this.count(blob, !found);
    this.parts.push({ kind: 'copied', blob: blob.sha256, sha256: blob.sha256, bytes: blob.bytes, path: `${VEIL_DIR}/vault/${id}.age` });
  }

  private async copyFile(path: string, file: string, size: number, expected?: string): Promise<StoredBlob | undefined> {
    const handle = await openStateFile(path, file, 'r');
    try {
      const source = fileSource(handle, size, { file, what: 'vault object' });
      return await this.store.write(async (sink) => {
        for (let position = 0; position < size; position += COPY_BLOCK) await sink([await source.read(position, Math.min(COPY_BLOCK, size - position))]);
      }, expected);
    } finally {
      await handle.close();
    }
  }

  /** Content sealed to the custodians, as a part of `path`: the blob of an earlier run when the folder holds it. */
  async seal(path: string, plainSha256: string, source: ByteSource): Promise<StoredPart> {
    const cached = this.sealed[plainSha256] ?? this.prior?.sealed[plainSha256];
    let blob: SealedBlob;
    if (cached && (await this.store.holds(cached.blob, cached.bytes))) {
      blob = cached;
      this.count({ sha256: cached.blob, bytes: cached.bytes }, false);
    } else {
      let sealedSha: string | undefined;
      const stored = (await this.store.write(async (sink) => {
        sealedSha = await sealStreamed(source, this.snapshot.custodians, sink);
      }))!;
      if (sealedSha !== plainSha256) throw new VeilError(ErrorCode.Unreadable, 'changed while it was backed up', path);
      blob = { blob: stored.sha256, bytes: stored.bytes };
      this.count(stored, true);
    }
    this.sealed[plainSha256] = blob;
    const part: StoredPart = { kind: 'sealed', blob: blob.blob, sha256: plainSha256, bytes: source.size, path };
    this.parts.push(part);
    return part;
  }

  async sealStateFiles(): Promise<void> {
    for (const { name, bytes } of this.snapshot.files) {
      this.step(veilRelative(name));
      await this.seal(veilRelative(name), sha256Hex(bytes), bufferSource(bytes));
    }
  }

  /** The log as the parts stored before (when they still hold its start, sealed to these custodians) and one part of the rest. */
  async sealLog(): Promise<StoredLog> {
    const { log } = this.snapshot;
    const path = veilRelative('auditLog');
    this.step(path);
    const before = this.prior?.log;
    const parts: StoredPart[] = [];
    let from = 0;
    const prefixKept = before && before.parts.length < MAX_LOG_PARTS && before.bytes <= log.length && sha256Hex(log.subarray(0, before.bytes)) === before.sha256;
    if (before && prefixKept) {
      const held = await Promise.all(before.parts.map((part) => this.store.holds(part.blob, this.prior!.sealed[part.sha256]?.bytes ?? -1)));
      if (held.every(Boolean)) {
        for (const part of before.parts) {
          this.count({ sha256: part.blob, bytes: this.prior!.sealed[part.sha256]!.bytes }, false);
          this.sealed[part.sha256] = this.prior!.sealed[part.sha256]!;
          this.parts.push(part);
          parts.push(part);
        }
        from = before.bytes;
      }
    }
    if (from < log.length) {
      const rest = log.subarray(from);
      parts.push(await this.seal(path, sha256Hex(rest), bufferSource(rest)));
    }
    return { parts, bytes: log.length, sha256: sha256Hex(log) };
  }

  /** Each committed image, sealed: hashed only when its size or time changed since the last run. */
  async sealOutputs(images: ReadonlyMap<string, CommitImageEvent>): Promise<number> {
    let sealed = 0;
    for (const [file, event] of [...images].sort(([a], [b]) => a.localeCompare(b))) {
      this.ctx.token.throwIfCancelled();
      this.step(file);
      let path: string;
      try {
        path = resolveInside(this.root, file);
      } catch (error) {
        this.warnings.push({ file, message: `committed image is not there (${VeilError.is(error) ? error.message : String(error)}): not in this backup` });
        continue;
      }
      const info = await stat(path);
      const known = this.prior?.outputs[file];
      const sha256 = known && known.size === info.size && known.mtimeMs === info.mtimeMs ? known.sha256 : (await sha256OfRegularFile(path, file, datasetFileRule(file))).sha256;
      if (sha256 !== event.outputSha256) {
        this.warnings.push({ file, message: `is not the output its commit recorded (sha256 ${short(sha256)}, audited ${short(event.outputSha256)}): backed up as found; run \`veil verify\`` });
      }
      const handle = await openStateFile(path, file, 'r');
      try {
        await this.seal(file, sha256, fileSource(handle, info.size, { file, what: 'image' }));
      } finally {
        await handle.close();
      }
      this.outputs[file] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
      sealed++;
    }
    return sealed;
  }

  async syncAll(): Promise<void> {
    await this.store.syncAll();
  }

  cacheAfter(log: StoredLog): FolderCache {
    return { custodians: this.snapshot.custodiansSha256, sealed: this.sealed, log, outputs: this.outputs };
  }
}

/** The manifest sealed to the custodians, in memory (it is small: a line per file). */
async function sealManifest(text: string, custodians: readonly string[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  await sealStreamed(bufferSource(Buffer.from(text)), custodians, async (emitted) => void parts.push(...emitted));
  return Buffer.concat(parts);
}

/** Writes the generation's manifest: temp, fsync, read back and compared, then renamed into place (the generation exists). */
async function publishManifest(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  await writeSynced(temp, bytes, { exclusive: true });
  const read = await sha256OfRegularFile(temp, temp, { what: 'a backup manifest', maxBytes: bytes.length });
  if (read.sha256 !== sha256Hex(bytes)) throw new VeilError(ErrorCode.Unreadable, 'the manifest read back differs from what was written: the backup disk loses writes', temp);
  await publish(temp, path);
}

/** Refuses a backup folder inside the dataset it backs up (it would back itself up, and hold the state next to it). */
function refuseInsideDataset(root: string, destination: string): void {
  if (isInside(root, realWriteTarget(destination))) {
    throw new VeilError(ErrorCode.BadPath, 'the backup folder lies inside the dataset it backs up; choose a folder on another disk', destination);
  }
}

export async function createBackup(params: Omit<BackupCreateParams, 'progressToken'>, ctx: CallContext): Promise<BackupCreateResult> {
  const { root } = locateDataset(params.root);
  if (!isDatasetRoot(root)) throw new VeilError(ErrorCode.BadPath, `holds no Veil dataset (no ${VEIL_DIR}/ with an audit log or review state)`, params.root);
  refuseInsideDataset(root, params.destination);
  const lock = await acquireLock(root, 'backup');
  try {
    const snapshot = await takeSnapshot(root);
    const folder = await openForBackup(params.destination);
    const folderLock = await lockBackupFolder(folder, `backup of ${root}`);
    try {
      await removeStrayTemps(folder);
      return await backUp(root, snapshot, folder, params.withOutputs ?? false, ctx);
    } finally {
      await folderLock.release();
    }
  } finally {
    await lock.release();
  }
}

async function backUp(root: string, snapshot: Snapshot, folder: BackupFolder, withOutputs: boolean, ctx: CallContext): Promise<BackupCreateResult> {
  const images = withOutputs ? committedImages(snapshot) : new Map<string, CommitImageEvent>();
  const total = snapshot.vault.length + snapshot.files.length + 1 + images.size;
  const run = new BackupRun(root, snapshot, folder, await readFolderCache(root, folder.backupId), ctx, total);
  await run.prepare();
  if (snapshot.unparsed.length > 0) {
    run.warnings.push({ file: veilRelative('auditLog'), message: `line(s) ${snapshot.unparsed.join(', ')} do not parse: backed up as they are; run \`veil verify\`` });
  }
  const histories = ciphertextHistories(snapshot.entries);
  const base = { root, destination: folder.dir, backupId: folder.backupId, datasetId: snapshot.datasetId, covers: snapshot.covers, vaultObjects: snapshot.vault.length };
  const cancelled = await eachInFlight(snapshot.vault, OBJECTS_IN_FLIGHT, (id) => run.copyVaultObject(id, histories.get(id)?.latest), ctx.token);
  const cancelledResult = async (): Promise<BackupCreateResult> => ({
    ...base,
    generation: 0,
    stateFiles: 0,
    outputs: 0,
    written: run.written,
    reused: run.reused,
    warnings: run.warnings,
    cancelled: true,
    checkpoint: snapshot.covers,
  });
  if (cancelled) return cancelledResult();
  await run.sealStateFiles();
  const log = await run.sealLog();
  let outputs: number;
  try {
    outputs = await run.sealOutputs(images);
  } catch (error) {
    if (VeilError.is(error) && error.code === ErrorCode.Cancelled) return cancelledResult();
    throw error;
  }
  await run.syncAll();
  // Before the entry: a run killed from here on leaves blobs the next one then finds through the cache (they are there).
  await writeFolderCache(root, folder.backupId, run.cacheAfter(log));

  const generation = ((await listGenerations(folder, snapshot.datasetId)).at(-1) ?? 0) + 1;
  const manifest = await sealManifest(
    formatManifest({ datasetId: snapshot.datasetId, root, generation, createdAt: new Date().toISOString(), covers: snapshot.covers, parts: run.parts, originals: originalsOf(snapshot) }),
    snapshot.custodians,
  );
  const manifestSha256 = sha256Hex(manifest);
  const entry = await appendAudit(root, {
    type: 'backup',
    actor: ctx.actor,
    destination: folder.dir,
    backupId: folder.backupId,
    datasetId: snapshot.datasetId,
    generation,
    manifestSha256,
    covers: snapshot.covers,
    vaultObjects: snapshot.vault.length,
    withOutputs,
  });
  const manifestPath = generationPath(folder, snapshot.datasetId, generation);
  await publishManifest(manifestPath, manifest);
  ctx.progress({ done: total, total, message: 'backed up' });
  return {
    ...base,
    generation,
    manifest: manifestPath,
    manifestSha256,
    stateFiles: snapshot.files.length + 1,
    outputs,
    written: run.written,
    reused: run.reused,
    warnings: run.warnings,
    cancelled: false,
    checkpoint: entry.checkpoint,
  };
}
