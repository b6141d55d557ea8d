/**
 * Opening an original, with a purpose (README "Access with a purpose"). In order: the purpose is checked against the
 * policy, the file's vault object found through the audit log and on disk, the identity file's keys loaded, and the key
 * that opens the object's header found; any of these failing is refused AND logged (`open-refused`, with its reason)
 * before the error returns. Then the opening is logged (durably) with the purpose and the opening key's recipient,
 * BEFORE the decrypt, and the original checked to be the audited one. It goes to exactly one place: a new file outside
 * the dataset (0600, `openOriginal`), back to the client in memory (`readOriginal`), or to `vault/restore`
 * (`writeOriginalToRestore`), which puts it back in place of the anonymized image.
 *
 * The object is never read whole (a video's original is gigabytes): its first 64 KiB and its size are enough to check
 * its structure and find the opening key; then it is decrypted a block (1 MiB) at a time straight into where it goes,
 * and what it decrypted to is checked against its name at the end. A file written before a check failed is removed.
 */
import { rm, stat, type FileHandle } from 'node:fs/promises';
import { identityToRecipient } from 'age-encryption';
import { ErrorCode, MAX_READ_ORIGINAL_BYTES, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { isInside, realWriteTarget, resolveRoot } from '../dataset/paths';
import { vaultObjectPath, vaultObjectRelative } from '../dataset/layout';
import { appendAudit } from '../audit/log';
import { auditedFiles, type AuditedFiles } from '../audit/committed';
import type { CommitImageEvent, OpenRefusedEvent, OpeningDestination } from '../audit/events';
import { openStateFile } from '../storage/stateFile';
import { readPolicy } from '../policy/policy';
import { checkPurpose } from '../policy/purpose';
import { ageHeadProblem } from './ageFormat';
import { headerIn, openStreamed, plaintextBytes, readAgeHead, type AgeFileName, type ByteSink } from './ageStream';
import { vaultObjectState } from './objectState';
import { headerOpener } from './reseal';
import { openingKey } from './vault';

export interface OriginalRequest {
  root: string;
  /** The image, relative to the dataset. */
  file: string;
  /** Why it is opened: checked against the policy's purposes first (absent or blank: refused). */
  purpose: string | undefined;
  /** Loads the identity file's keys; called once the purpose and the vault object passed (a failure is logged). */
  keys: () => Promise<readonly string[]>;
  actor: Actor;
  /**
   * Where the file's latest commit is found: a daemon's follower of the log (OpenDatasets.audit), which reads only the
   * lines appended since its last read, or the log a restore read once under the dataset lock. Absent: the log is read
   * whole, 74 ms at 10,000 entries, which every opening and every image of a restore used to pay (bench/openings.ts).
   */
  audited?: () => Promise<Pick<AuditedFiles, 'commits'>>;
}

export interface OpenOriginalParams extends OriginalRequest {
  /** Where to write the original: a new file outside the dataset. */
  out: string;
}

export interface ReadOriginalParams extends OriginalRequest {
  /** The client the original is shown in (its `initialize` name), recorded in the audit entry. */
  shownIn: string;
}

export interface RestoreOriginalParams extends OriginalRequest {
  /** The new file (a temp beside the image) the original is written to, and its permissions. */
  temp: string;
  mode: number;
}

interface Opened {
  vaultObject: string;
  /** As logged: a listed purpose in the policy's spelling, or the words given. */
  purpose: string;
  /** The recipient of the key that opened the original. */
  recipient: string;
  checkpoint: Checkpoint;
}

/** The original, decrypted a block at a time into `sink`; throws (KeyError) once it is not the audited original. */
type Decrypt = (sink: ByteSink) => Promise<void>;

export async function openOriginal(params: OpenOriginalParams): Promise<Opened & { bytes: number }> {
  const root = resolveRoot(params.root);
  const out = realWriteTarget(params.out);
  if (isInside(root, out)) throw new VeilError(ErrorCode.BadPath, 'refusing to write an original inside the dataset; choose a path outside it', params.out);
  return openAudited(root, params, { out }, async () => undefined, async (decrypt, bytes) => {
    await decryptToNewFile(decrypt, out, 0o600, params.out);
    return { bytes };
  });
}

/** The original in memory, for a client to show; refused before anything is logged when it is too large to return. */
export async function readOriginal(params: ReadOriginalParams): Promise<Opened & { original: Uint8Array }> {
  const root = resolveRoot(params.root);
  return openAudited(root, params, { shownIn: params.shownIn }, (commit) => refuseTooLarge(root, commit), async (decrypt, bytes) => {
    // One buffer of the original's size, filled as it decrypts: never the ciphertext and the original at once.
    const original = Buffer.allocUnsafe(bytes);
    let filled = 0;
    await decrypt(async (parts) => {
      for (const part of parts) filled += part.copy(original, filled);
    });
    return { original };
  });
}

/**
 * The original written to `temp` (a new file beside the image) for `vault/restore` (restore.ts), which puts it back in
 * the dataset in place of the image's anonymized output: the opening's entry (or its refusal) names the image it is
 * restored to.
 */
export async function writeOriginalToRestore(params: RestoreOriginalParams): Promise<Opened> {
  return openAudited(resolveRoot(params.root), params, { restoredTo: params.file.split('\\').join('/') }, async () => undefined, async (decrypt) => {
    await decryptToNewFile(decrypt, params.temp, params.mode, params.file);
    return {};
  });
}

/** Decrypts into a new file at `path` (refused when there is one: never overwritten), fsync'd; removed when the decrypt fails. */
async function decryptToNewFile(decrypt: Decrypt, path: string, mode: number, named: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await openStateFile(path, named, 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new VeilError(ErrorCode.BadPath, 'already exists; refusing to overwrite', named);
    throw error;
  }
  try {
    try {
      await decrypt(async (parts) => void (await handle.writev(parts)));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** The encrypted object is the original plus a few hundred bytes of age framing: its size bounds the original's. */
async function refuseTooLarge(root: string, commit: CommitImageEvent): Promise<void> {
  const encrypted = await stat(vaultObjectPath(root, commit.vaultObject)).catch(() => undefined);
  if (encrypted && encrypted.size > MAX_READ_ORIGINAL_BYTES) {
    const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
    throw new VeilError(ErrorCode.TooLarge, `the original is about ${mb(encrypted.size)}, above the ${mb(MAX_READ_ORIGINAL_BYTES)} shown from memory; write it to a file with \`veil open\``, commit.file);
  }
}

/** A refused opening: what its audit entry adds to who, which file and where it was to go. */
type Refusal = Pick<OpenRefusedEvent, 'reason' | 'purpose' | 'vaultObject' | 'recipients'> & { error: VeilError };

/** Logs the refusal, then returns the error to throw, which says it is logged (with the entry's number). */
async function logged(root: string, request: OriginalRequest, file: string, destination: OpeningDestination, refusal: Refusal): Promise<VeilError> {
  const { error, ...fields } = refusal;
  const event: OpenRefusedEvent = { type: 'open-refused', actor: request.actor, file, ...fields, ...destination };
  const { checkpoint } = await appendAudit(root, event);
  return new VeilError(error.code, `${error.message}; refused, and the refusal is in the audit log (entry ${checkpoint.entries - 1})`, error.file);
}

function keyError(message: string, file: string): VeilError {
  return new VeilError(ErrorCode.KeyError, message, file);
}

const MISSING_WORDS: Record<'missing' | 'purged', string> = {
  missing: 'vault object is missing: the original is lost (restore .veil/vault/ from a backup)',
  purged: 'vault object was purged (crypto-shredded, see the audit log): the original no longer exists',
};

/** The vault object `id` open for reading, undefined when there is none. */
async function openObject(root: string, id: string): Promise<FileHandle | undefined> {
  try {
    return await openStateFile(vaultObjectPath(root, id), vaultObjectRelative(id), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The checks of an opening, each refusal logged; then the opening's entry, the decrypt, and `deliver`. `precheck`
 * refuses, unlogged, what cannot be delivered whatever the key (an original too large to return).
 */
async function openAudited<T>(
  root: string,
  request: OriginalRequest,
  destination: OpeningDestination,
  precheck: (commit: CommitImageEvent) => Promise<void>,
  deliver: (decrypt: Decrypt, bytes: number) => Promise<T>,
): Promise<Opened & T> {
  const file = request.file.split('\\').join('/');
  const refuse = (refusal: Refusal) => logged(root, request, file, destination, refusal);

  const checked = checkPurpose(request.purpose, (await readPolicy(root)).policy.purposes);
  if (!checked.accepted) throw await refuse({ reason: checked.reason, purpose: checked.purpose, error: new VeilError(ErrorCode.PurposeRefused, checked.message, file) });
  const { purpose } = checked;
  const commit = (await (request.audited ?? (() => auditedFiles(root)))()).commits.get(file);
  if (!commit) throw await refuse({ reason: 'not-committed', purpose, error: new VeilError(ErrorCode.BadPath, 'has no committed original in the vault', file) });
  const { vaultObject } = commit;
  const objectFile = vaultObjectRelative(vaultObject);
  const gone = async (reason: 'missing' | 'purged') => refuse({ reason, purpose, vaultObject, error: keyError(MISSING_WORDS[reason], objectFile) });

  const state = await vaultObjectState(root, vaultObject);
  if (state !== 'present') throw await gone(state);
  await precheck(commit);
  let keys: readonly string[];
  try {
    keys = await request.keys();
  } catch (error) {
    const cause = VeilError.is(error) ? error : keyError(`the identity does not load (${String(error)})`, file);
    throw await refuse({ reason: 'key-unusable', purpose, vaultObject, error: cause });
  }
  const object = await openObject(root, vaultObject);
  if (!object) throw await gone('missing');
  try {
    const name: AgeFileName = { file: objectFile, what: 'vault object' };
    const { head, size } = await readAgeHead(object, name);
    const malformed = ageHeadProblem(head, size);
    if (malformed) throw await refuse({ reason: 'damaged', purpose, vaultObject, error: keyError(`vault object is malformed (${malformed})`, objectFile) });
    const header = headerIn(head, name);
    const opener = await openingKey(header, keys);
    if (!opener) {
      const recipients = await Promise.all(keys.map((key) => identityToRecipient(key)));
      const error = keyError(`vault object does not decrypt with the identity given: it is not encrypted to ${recipients.join(', ')}`, objectFile);
      throw await refuse({ reason: 'wrong-key', purpose, vaultObject, recipients, error });
    }

    const { recipient } = opener;
    const { checkpoint } = await appendAudit(root, { type: 'open-original', actor: request.actor, file, vaultObject, purpose, recipient, ...destination });
    const decrypt: Decrypt = async (sink) => {
      const opened = await openStreamed(object, name, headerOpener([opener.identity]), sink);
      if (opened.sha256 !== vaultObject) throw keyError('vault object decrypts to different content than its name says', objectFile);
    };
    try {
      return { vaultObject, purpose, recipient, checkpoint, ...(await deliver(decrypt, plaintextBytes(size, header.length, name))) };
    } catch (error) {
      // The opening is in the audit log all the same: say so, with the checkpoint that covers its entry.
      if (VeilError.is(error)) throw new VeilError(error.code, `${error.message}; the attempt is in the audit log, checkpoint: ${JSON.stringify(checkpoint)}`, error.file);
      throw error;
    }
  } finally {
    await object.close();
  }
}
