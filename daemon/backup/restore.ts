/**
 * `backup/restore`: a dataset's `.veil/` rebuilt from a backup generation, onto an empty machine. The manifest is opened
 * with a custodian's identity; every blob it names is checked against its name (sha256 of its bytes) and every part
 * against the manifest (sha256 and size of what it decrypts to); the `.veil/` is built aside
 * (`<dir>/.veil.veil-tmp-restore/.veil`), its log checked against the entries the generation covers and given a
 * `backup-restore` entry, then renamed into place: a restore killed anywhere leaves no `.veil/` (the next one starts
 * again, removing the temps of the killed one), or the whole one, which a run again finds finished (`alreadyRestored`).
 * Committed images the backup holds are written into the dataset as they come (temp + rename), never over a file that
 * differs (refused before anything is written). Drilled with kills in test/unit/backup/restoreKillDrill.test.ts.
 *
 * age does not say who wrote a file: anyone holding the custodians' public recipients could write a manifest. So a
 * manifest's paths are confined (`.veil/` state by name, vault objects by their form, images inside the dataset), and
 * the manifest's sha256, which the result gives, can be compared with the `backup` entry that names it.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, type BackupRestoreParams, type BackupRestoreResult, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import type { CallContext } from '../core/callContext';
import { eachInFlight } from '../core/inFlight';
import { LAYOUT, VEIL_DIR, veilDir, veilPath, type LayoutName } from '../dataset/layout';
import { isDatasetRoot } from '../dataset/locate';
import { isInside, realWriteTarget } from '../dataset/paths';
import { TEMP_MARKER, publish, syncDir, tempPathFor } from '../storage/durable';
import { openStateFile } from '../storage/stateFile';
import { removeTempsBeside } from '../storage/tempsBeside';
import { sha256OfRegularFile } from '../storage/regularFile';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { checkedEntries } from '../audit/entries';
import type { AuditEntry } from '../audit/events';
import { lineHash } from '../audit/chain';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { headerOpener, type HeaderOpener } from '../vault/reseal';
import { openStreamed, type ByteSink } from '../vault/ageStream';
import { blobPath, generationName, listDatasets, listGenerations, makeFolder, openForRestore, type BackupFolder } from './destination';
import type { Manifest, StoredPart } from './manifest';
import { damaged, readManifest } from './manifestFile';
import { SEALED_FILES } from './stateFiles';

/** Where the `.veil/` is built before it is renamed into place: hidden and marked as a temp (`isTempName`). */
const STAGING = `${VEIL_DIR}${TEMP_MARKER}restore`;
const COPY_BLOCK = 1024 * 1024;
/** Vault objects copied at once: as a backup copies them (a second fills the waits for the other's fsync). */
const OBJECTS_IN_FLIGHT = 2;
const ANY_SIZE = { what: 'a backup blob', maxBytes: Number.MAX_SAFE_INTEGER };

/** The `.veil/` files a manifest may name, by their dataset-relative path. */
const STATE_PATHS = new Map<string, LayoutName>([...SEALED_FILES, 'auditLog' as const].map((name) => [`${VEIL_DIR}/${LAYOUT[name]}`, name]));
const VAULT_PATH = new RegExp(`^${VEIL_DIR.replace('.', '\\.')}/${LAYOUT.vault}/[0-9a-f]{64}\\.age$`);

/** Where a part goes, relative to the dataset: a `.veil/` state file, a vault object, or a committed image (inside the dataset, outside `.veil/`). */
type Destination = { kind: 'state' | 'vault' | 'image'; path: string };

function destinationOf(part: StoredPart, manifestFile: string): Destination {
  if (part.kind === 'copied') {
    if (!VAULT_PATH.test(part.path)) throw damaged(manifestFile, `a copied part names "${part.path}", which is no vault object`);
    return { kind: 'vault', path: part.path };
  }
  if (STATE_PATHS.has(part.path)) return { kind: 'state', path: part.path };
  const segments = part.path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\0')) || segments[0] === VEIL_DIR || segments[0]!.startsWith(STAGING)) {
    throw damaged(manifestFile, `a sealed part names "${part.path}", which is neither a state file nor an image of the dataset`);
  }
  return { kind: 'image', path: part.path };
}

/** Where each part goes; a path named twice is refused (only the audit log comes in parts). */
function placeParts(manifest: Manifest, manifestFile: string): Array<{ part: StoredPart; to: Destination }> {
  const seen = new Set<string>();
  return manifest.parts.map((part) => {
    const to = destinationOf(part, manifestFile);
    if (seen.has(part.path) && part.path !== `${VEIL_DIR}/${LAYOUT.auditLog}`) throw damaged(manifestFile, `"${part.path}" is named twice`);
    seen.add(part.path);
    return { part, to };
  });
}

/** The folder to rebuild: created when missing; refused when it holds a `.veil/` or lies inside a dataset. */
async function prepareTarget(requested: string): Promise<string> {
  const real = realWriteTarget(requested);
  for (let dir = dirname(real); dir !== dirname(dir); dir = dirname(dir)) {
    if (isDatasetRoot(dir)) throw new VeilError(ErrorCode.BadPath, `lies inside the dataset ${dir}: restore into a folder of its own`, requested);
  }
  const info = await stat(real).catch(() => undefined);
  if (info && !info.isDirectory()) throw new VeilError(ErrorCode.BadPath, 'is not a folder', requested);
  if (await stat(veilDir(real)).catch(() => undefined)) {
    throw new VeilError(ErrorCode.Conflict, `already holds a ${VEIL_DIR}/ that is not this backup's restore: a restore never replaces a dataset's state; restore into an empty folder`, requested);
  }
  await makeFolder(real);
  return real;
}

/**
 * The checkpoint of the target's log when it is exactly this restore, finished: its last entry is the `backup-restore`
 * of this generation of this folder, after the entries the generation covers. What a restore killed after renaming
 * `.veil/` into place (before removing its staging folder, or before answering) leaves; a run again completes on it.
 */
async function finishedRestore(root: string, folder: BackupFolder, manifest: Manifest, manifestSha256: string): Promise<Checkpoint | undefined> {
  if (!(await stat(veilDir(root)).catch(() => undefined))) return undefined;
  const checkpoint = await auditCheckpoint(root).catch(() => undefined);
  if (checkpoint?.entries !== manifest.covers.entries + 1) return undefined;
  let last: AuditEntry | undefined;
  try {
    for await (const { entry } of checkedEntries(root)) last = entry;
  } catch {
    return undefined;
  }
  const restoredHere =
    last?.type === 'backup-restore' &&
    last.backupId === folder.backupId &&
    last.datasetId === manifest.datasetId &&
    last.generation === manifest.generation &&
    last.manifestSha256 === manifestSha256 &&
    last.covers.head === manifest.covers.head;
  return restoredHere ? checkpoint : undefined;
}

function chooseDataset(folder: BackupFolder, datasets: readonly string[], asked: string | undefined): string {
  if (asked !== undefined) {
    if (!datasets.includes(asked)) throw new VeilError(ErrorCode.BadPath, `holds no backup of dataset ${asked} (it holds ${datasets.join(', ') || 'none'})`, folder.dir);
    return asked;
  }
  if (datasets.length === 1) return datasets[0]!;
  if (datasets.length === 0) throw new VeilError(ErrorCode.BadPath, 'holds no backup generation yet', folder.dir);
  throw new VeilError(ErrorCode.InvalidParams, `holds backups of ${datasets.length} datasets (${datasets.join(', ')}): say which one`, folder.dir);
}

/** Opens the sealed blob of `part` into `sink` after checking the blob against its name; checks what it decrypts to. */
async function openPart(folder: BackupFolder, part: StoredPart, opener: HeaderOpener, sink: ByteSink): Promise<void> {
  const path = blobPath(folder, part.blob);
  const { sha256 } = await sha256OfRegularFile(path, path, ANY_SIZE).catch((error: unknown) => {
    throw damaged(path, `the blob of ${part.path} cannot be read (${VeilError.is(error) ? error.message : String(error)})`);
  });
  if (sha256 !== part.blob) throw damaged(path, `the blob of ${part.path} does not hash to its name`);
  const handle = await openStateFile(path, path, 'r');
  try {
    const opened = await openStreamed(handle, { file: path, what: `the blob of ${part.path}` }, opener, sink);
    if (opened.sha256 !== part.sha256 || opened.bytes !== part.bytes) throw damaged(path, `${part.path} decrypts to other content than the manifest records`);
  } finally {
    await handle.close();
  }
}

/** Copies the blob of a vault object as it is, checking its bytes against its name on the way. */
async function copyPart(folder: BackupFolder, part: StoredPart, target: string): Promise<void> {
  const path = blobPath(folder, part.blob);
  const input = await openStateFile(path, path, 'r').catch((error: unknown) => {
    throw damaged(path, `the blob of ${part.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  });
  const hash = createHash('sha256');
  try {
    const output = await openStateFile(target, part.path, 'wx');
    try {
      const block = Buffer.allocUnsafe(COPY_BLOCK);
      for (let position = 0; ; ) {
        const { bytesRead } = await input.read(block, 0, COPY_BLOCK, position);
        if (bytesRead === 0) break;
        hash.update(block.subarray(0, bytesRead));
        await output.write(block, 0, bytesRead);
        position += bytesRead;
      }
      await output.sync();
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  if (hash.digest('hex') !== part.blob) throw damaged(path, `the blob of ${part.path} does not hash to its name`);
}

/** Appends the decryption of a sealed part to a file (the audit log comes in parts, in order), fsync'd. */
async function writeSealedPart(folder: BackupFolder, part: StoredPart, opener: HeaderOpener, target: string, label: string): Promise<void> {
  const output = await openStateFile(target, label, 'a');
  try {
    await openPart(folder, part, opener, async (parts) => void (await output.writev(parts)));
    await output.sync();
  } finally {
    await output.close();
  }
}

/** A committed image: left when the file there is the same, written (temp + rename) when there is none. */
async function restoreImage(folder: BackupFolder, part: StoredPart, opener: HeaderOpener, path: string): Promise<number> {
  if ((await stat(path).catch(() => undefined))?.isFile() && (await sha256OfRegularFile(path, part.path, ANY_SIZE)).sha256 === part.sha256) return 0;
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    await writeSealedPart(folder, part, opener, temp, part.path);
    await publish(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return part.bytes;
}

/** Refuses, before anything is written, an image of the backup whose place holds another file or leads outside the dataset. */
async function refuseDifferentImages(root: string, images: readonly StoredPart[]): Promise<void> {
  for (const part of images) {
    const path = join(root, part.path);
    if (!isInside(root, realWriteTarget(path))) throw new VeilError(ErrorCode.BadPath, 'leads outside the dataset (a link in its path): nothing was written', part.path);
    const info = await stat(path).catch(() => undefined);
    if (!info) continue;
    if (!info.isFile() || (await sha256OfRegularFile(path, part.path, ANY_SIZE)).sha256 !== part.sha256) {
      throw new VeilError(ErrorCode.Conflict, 'holds another file than the committed image the backup restores here; move it away first (nothing was written)', part.path);
    }
  }
}

/** The checkpoint of a log file: its line count and the hash of its last line. */
async function checkpointOfLog(path: string): Promise<Checkpoint> {
  const handle = await openStateFile(path, path, 'r');
  try {
    const lines = (await handle.readFile('utf8')).split('\n');
    lines.pop();
    return { entries: lines.length, head: lines.length === 0 ? '' : lineHash(lines.at(-1)!) };
  } finally {
    await handle.close();
  }
}

export async function restoreBackup(params: Omit<BackupRestoreParams, 'progressToken'>, ctx: CallContext): Promise<BackupRestoreResult> {
  const { passphrase } = params;
  const identities = await loadIdentities(resolve(params.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv());
  const opener = headerOpener(identities);
  const folder = await openForRestore(params.backup);
  const datasetId = chooseDataset(folder, await listDatasets(folder), params.dataset);
  const generations = await listGenerations(folder, datasetId);
  if (generations.length === 0) throw new VeilError(ErrorCode.BadPath, `holds no backup generation of dataset ${datasetId} yet`, folder.dir);
  const generation = params.generation ?? generations.at(-1)!;
  if (!generations.includes(generation)) {
    throw new VeilError(ErrorCode.BadPath, `holds no generation ${generation} of dataset ${datasetId} (it holds ${generations[0]} to ${generations.at(-1)})`, folder.dir);
  }
  const { manifest, sha256: manifestSha256 } = await readManifest(folder, datasetId, generation, opener);
  const placed = placeParts(manifest, generationName(generation));
  const count = (kind: Destination['kind']) => placed.filter(({ to }) => to.kind === kind).length;
  const summary = {
    backup: folder.dir,
    backupId: folder.backupId,
    datasetId,
    generation,
    createdAt: manifest.createdAt,
    manifestSha256,
    covers: manifest.covers,
    vaultObjects: count('vault'),
    stateFiles: new Set(placed.filter(({ to }) => to.kind === 'state').map(({ part }) => part.path)).size,
    outputs: count('image'),
  };
  const target = realWriteTarget(params.root);
  const finished = await finishedRestore(target, folder, manifest, manifestSha256);
  if (finished) {
    await rm(join(target, STAGING), { recursive: true, force: true });
    return { root: target, ...summary, bytes: 0, checkpoint: finished, alreadyRestored: true };
  }
  const root = await prepareTarget(params.root);
  const images = placed.filter(({ to }) => to.kind === 'image').map(({ part }) => part);
  await refuseDifferentImages(root, images);
  // A restore killed while it wrote an image left its temp beside it (no other writer runs in a folder without a .veil/).
  await removeTempsBeside(images.map((part) => join(root, part.path)));

  const staging = join(root, STAGING);
  await rm(staging, { recursive: true, force: true });
  await mkdir(veilPath(staging, 'vault'), { recursive: true });
  let bytes = 0;
  try {
    let done = 0;
    const restorePart = async ({ part, to }: { part: StoredPart; to: Destination }) => {
      ctx.progress({ done: done++, total: placed.length, file: part.path, message: 'restoring' });
      if (to.kind === 'vault') await copyPart(folder, part, join(staging, part.path));
      else if (to.kind === 'state') await writeSealedPart(folder, part, opener, join(staging, part.path), part.path);
      bytes += to.kind === 'image' ? await restoreImage(folder, part, opener, join(root, part.path)) : part.bytes;
    };
    // Vault objects a few at a time (each its own file); the rest in manifest order (the log's parts are appended in it).
    const cancelled = await eachInFlight(placed.filter(({ to }) => to.kind === 'vault'), OBJECTS_IN_FLIGHT, restorePart, ctx.token);
    if (cancelled) ctx.token.throwIfCancelled();
    for (const placedPart of placed.filter(({ to }) => to.kind !== 'vault')) {
      ctx.token.throwIfCancelled();
      await restorePart(placedPart);
    }
    await syncDir(veilPath(staging, 'vault'));
    const restored = await checkpointOfLog(veilPath(staging, 'auditLog'));
    if (restored.entries !== manifest.covers.entries || restored.head !== manifest.covers.head) {
      throw damaged(generationName(generation), `the restored audit log holds ${restored.entries} entries, not the ${manifest.covers.entries} the manifest covers`);
    }
    const entry = await appendAudit(staging, {
      type: 'backup-restore',
      actor: ctx.actor,
      source: folder.dir,
      backupId: folder.backupId,
      datasetId,
      generation,
      manifestSha256,
      covers: manifest.covers,
    });
    await syncDir(veilDir(staging));
    await rename(veilDir(staging), veilDir(root));
    await syncDir(root);
    ctx.progress({ done: placed.length, total: placed.length, message: 'restored' });
    return { root, ...summary, bytes, checkpoint: entry.checkpoint };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
