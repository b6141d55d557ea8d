/**
 * Opening an original: find the file's vault object in the audit log, log the opening (durably) BEFORE
 * decrypting, then decrypt and check it is the audited original. It goes to exactly one place: a new file outside
 * the dataset (0600, `openOriginal`), or back to the client in memory (`readOriginal`), never onto disk.
 */
import { stat } from 'node:fs/promises';
import { ErrorCode, MAX_READ_ORIGINAL_BYTES, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { isInside, realWriteTarget, resolveRoot } from '../dataset/paths';
import { vaultObjectPath } from '../dataset/layout';
import { appendAudit } from '../audit/log';
import { auditedFiles } from '../audit/committed';
import type { CommitImageEvent } from '../audit/events';
import { writeSynced } from '../storage/durable';
import { openVaultObject } from './vault';

interface OriginalRequest {
  root: string;
  /** The image, relative to the dataset. */
  file: string;
  /** The identity keys (already loaded from the identity file). */
  identities: readonly string[];
  actor: Actor;
}

export interface OpenOriginalParams extends OriginalRequest {
  /** Where to write the original: a new file outside the dataset. */
  out: string;
}

export interface ReadOriginalParams extends OriginalRequest {
  /** The client the original is shown in (its `initialize` name), recorded in the audit entry. */
  shownIn: string;
}

interface Opened {
  vaultObject: string;
  checkpoint: Checkpoint;
}

export async function openOriginal(params: OpenOriginalParams): Promise<Opened & { bytes: number }> {
  const root = resolveRoot(params.root);
  const out = realWriteTarget(params.out);
  if (isInside(root, out)) throw new VeilError(ErrorCode.BadPath, 'refusing to write an original inside the dataset; choose a path outside it', params.out);
  const commit = await committedOriginal(root, params.file);
  return decryptAudited(root, commit, params, { out }, async (original) => {
    try {
      await writeSynced(out, original, { mode: 0o600, exclusive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new VeilError(ErrorCode.BadPath, 'already exists; refusing to overwrite', params.out);
      throw error;
    }
    return { bytes: original.length };
  });
}

/** The original in memory, for a client to show; refused before anything is logged when it is too large to return. */
export async function readOriginal(params: ReadOriginalParams): Promise<Opened & { original: Uint8Array }> {
  const root = resolveRoot(params.root);
  const commit = await committedOriginal(root, params.file);
  // The encrypted object is the original plus a few hundred bytes of age framing: its size bounds the original's.
  const encrypted = await stat(vaultObjectPath(root, commit.vaultObject)).catch(() => undefined);
  if (encrypted && encrypted.size > MAX_READ_ORIGINAL_BYTES) {
    const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
    throw new VeilError(ErrorCode.TooLarge, `the original is about ${mb(encrypted.size)}, above the ${mb(MAX_READ_ORIGINAL_BYTES)} shown from memory; write it to a file with \`veil open\``, commit.file);
  }
  return decryptAudited(root, commit, params, { shownIn: params.shownIn }, async (original) => ({ original }));
}

async function committedOriginal(root: string, file: string): Promise<CommitImageEvent> {
  const normalized = file.split('\\').join('/');
  const commit = (await auditedFiles(root)).commits.get(normalized);
  if (!commit) throw new VeilError(ErrorCode.BadPath, 'has no committed original in the vault', normalized);
  return commit;
}

/** Logs the opening with where the original goes, then decrypts it and hands it to `deliver`. */
async function decryptAudited<T>(
  root: string,
  commit: CommitImageEvent,
  request: OriginalRequest,
  destination: { out: string } | { shownIn: string },
  deliver: (original: Uint8Array) => Promise<T>,
): Promise<Opened & T> {
  const { vaultObject, file } = commit;
  const { checkpoint } = await appendAudit(root, { type: 'open-original', actor: request.actor, file, vaultObject, ...destination });
  try {
    const original = await openVaultObject(root, vaultObject, request.identities);
    return { vaultObject, checkpoint, ...(await deliver(original)) };
  } catch (error) {
    // The attempt is in the audit log all the same: say so, with the checkpoint that covers its entry.
    if (VeilError.is(error)) throw new VeilError(error.code, `${error.message}; the attempt is in the audit log, checkpoint: ${JSON.stringify(checkpoint)}`, error.file);
    throw error;
  }
}
