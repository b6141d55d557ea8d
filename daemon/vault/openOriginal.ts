/**
 * Opening an original: find the file's vault object in the audit log, log the opening (durably) BEFORE
 * decrypting, then decrypt, check it is the audited original and write it outside the dataset (0600).
 */
import { ErrorCode, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { isInside, realWriteTarget, resolveRoot } from '../dataset/paths';
import { appendAudit } from '../audit/log';
import { auditedFiles } from '../audit/committed';
import { writeSynced } from '../storage/durable';
import { openVaultObject } from './vault';

export interface OpenOriginalParams {
  root: string;
  /** The image, relative to the dataset. */
  file: string;
  /** The identity keys (already loaded from the identity file). */
  identities: readonly string[];
  /** Where to write the original: a new file outside the dataset. */
  out: string;
  actor: Actor;
}

export async function openOriginal(params: OpenOriginalParams): Promise<{ vaultObject: string; bytes: number; checkpoint: Checkpoint }> {
  const root = resolveRoot(params.root);
  const file = params.file.split('\\').join('/');
  const out = realWriteTarget(params.out);
  if (isInside(root, out)) throw new VeilError(ErrorCode.BadPath, 'refusing to write an original inside the dataset; choose a path outside it', params.out);
  const commit = (await auditedFiles(root)).commits.get(file);
  if (!commit) throw new VeilError(ErrorCode.BadPath, 'has no committed original in the vault', file);
  const { checkpoint } = await appendAudit(root, { type: 'open-original', actor: params.actor, file, vaultObject: commit.vaultObject, out });
  try {
    const original = await openVaultObject(root, commit.vaultObject, params.identities);
    try {
      await writeSynced(out, original, { mode: 0o600, exclusive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new VeilError(ErrorCode.BadPath, 'already exists; refusing to overwrite', params.out);
      throw error;
    }
    return { vaultObject: commit.vaultObject, bytes: original.length, checkpoint };
  } catch (error) {
    // The attempt is in the audit log all the same: say so, with the checkpoint that covers its entry.
    if (VeilError.is(error)) throw new VeilError(error.code, `${error.message}; the attempt is in the audit log, checkpoint: ${JSON.stringify(checkpoint)}`, error.file);
    throw error;
  }
}
