/**
 * What verify checks of purges and restores (daemon/vault/retention.ts reads them from the log). A vault object whose
 * latest entry is its purge is no finding when it is gone (a missing object with no purge logged still is:
 * `vault-missing`), and one still there is `purge-unfinished`. An image whose restore is logged after its latest commit
 * is no longer committed: it is not checked as an output, but it must hold its original and its review state must no
 * longer say committed, else `restore-unfinished`.
 */
import { lstat } from 'node:fs/promises';
import type { ImageRecord, VerifyFinding } from '../protocol';
import { vaultObjectPath, vaultObjectRelative } from '../dataset/layout';
import { resolveInside } from '../dataset/paths';
import { datasetFileRule } from '../dataset/fileRule';
import { sha256OfRegularFile } from '../storage/regularFile';
import type { LoggedPurge, RetentionFacts } from '../vault/retention';

/** `purge-unfinished` when the purged object `id` is still in the vault. */
export async function purgedObjectFinding(root: string, id: string, purge: LoggedPurge): Promise<VerifyFinding | undefined> {
  const present = await lstat(vaultObjectPath(root, id)).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  if (!present) return undefined;
  return {
    kind: 'purge-unfinished',
    file: vaultObjectRelative(id),
    message: `its purge is logged (audit entry ${purge.seq}) but it is still in the vault: a purge stopped before its unlink (run \`veil purge <dir>\` again to finish it), or a copy put back`,
  };
}

/** The sha256 of the image `file`, undefined when it cannot be read (a restored image is the person's again: no finding). */
async function imageSha256(root: string, file: string): Promise<string | undefined> {
  try {
    return (await sha256OfRegularFile(resolveInside(root, file), file, datasetFileRule(file))).sha256;
  } catch {
    return undefined;
  }
}

/** `restore-unfinished` for each image whose logged restore left the output in place or the review state committed. */
export async function restoreFindings(root: string, facts: RetentionFacts, recordOf: (file: string) => ImageRecord | undefined): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  for (const [file, restore] of [...facts.restored].sort(([a], [b]) => a.localeCompare(b))) {
    const stillThere =
      (await imageSha256(root, file)) === restore.replacedSha256 ? 'it still holds its anonymized output' : recordOf(file)?.status === 'committed' ? 'its review state still says committed' : undefined;
    if (!stillThere) continue;
    findings.push({
      kind: 'restore-unfinished',
      file,
      message: `its restore is logged (audit entry ${restore.seq}) but ${stillThere}: run \`veil restore <dir> ${file} --identity FILE --purpose TEXT\` again to finish it`,
    });
  }
  return findings;
}
