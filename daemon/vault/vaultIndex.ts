/**
 * `.veil/vault-recipients.jsonl`: which recipients each vault object was last encrypted to. age's X25519 stanzas do
 * not name their recipient (only the key's holder can tell a stanza is theirs), and commit-image entries record the
 * ciphertext's hash, not its recipients; so whoever writes a vault object (a commit, a change of recipients) first
 * appends one line here, `{"vaultObject","vaultSha256","recipients"}`, and `recipients list` counts from the latest
 * line of each object. It records what Veil wrote, it proves nothing: the audit log's vault-rewrap entries (with the
 * recipients' sha256) and `age -d` are the evidence. Lines are appended without fsync — the cost stays off every
 * commit, and a line lost to a power cut only makes its object "unknown" until the next rotation — and a line that
 * does not parse is skipped for the same reason. Each change of recipients compacts the file to one line per object.
 */
import { mkdir } from 'node:fs/promises';
import { veilDir, veilPath, veilRelative } from '../dataset/layout';
import { writeAtomic } from '../storage/durable';
import { openStateFile } from '../storage/stateFile';
import { readStateTextIfPresent } from '../storage/stateFile';
import { arrayOf, object, sha256, text, type Check } from '../storage/checks';

export interface IndexedCiphertext {
  vaultObject: string;
  /** sha256 of the ciphertext written. */
  vaultSha256: string;
  recipients: string[];
}

const lineProblem: Check = object({ vaultObject: sha256, vaultSha256: sha256, recipients: arrayOf(text) });

export async function recordCiphertext(root: string, entry: IndexedCiphertext): Promise<void> {
  await mkdir(veilDir(root), { recursive: true });
  const handle = await openStateFile(veilPath(root, 'vaultRecipients'), veilRelative('vaultRecipients'), 'a');
  try {
    await handle.write(JSON.stringify(entry) + '\n');
  } finally {
    await handle.close();
  }
}

/** The latest line of each object; an index that does not exist is empty. */
export async function readVaultIndex(root: string): Promise<Map<string, IndexedCiphertext>> {
  const indexText = await readStateTextIfPresent(veilPath(root, 'vaultRecipients'), veilRelative('vaultRecipients'), 'the vault index');
  const latest = new Map<string, IndexedCiphertext>();
  for (const line of (indexText ?? '').split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (lineProblem(entry) === undefined) latest.set((entry as IndexedCiphertext).vaultObject, entry as IndexedCiphertext);
  }
  return latest;
}

/** Rewrites the index with the latest line of each object in `objects` (the vault's objects now). */
export async function compactVaultIndex(root: string, objects: Iterable<string>): Promise<void> {
  const latest = await readVaultIndex(root);
  const kept = [...objects].flatMap((id) => {
    const entry = latest.get(id);
    return entry ? [JSON.stringify(entry) + '\n'] : [];
  });
  await writeAtomic(veilPath(root, 'vaultRecipients'), Buffer.from(kept.join('')));
}
