/**
 * What the audit log says each vault object's ciphertext is. A commit-image entry records the object as its commit
 * found or wrote it: objects are written once, so a later commit of the same original must find the ciphertext the
 * log last recorded. A vault-rewrap entry records the object replaced by a new ciphertext of the same original (a
 * change of recipients re-encrypts it only after decrypting it to content whose sha256 is its name, whatever
 * ciphertext it found, which `previousSha256` keeps). verify checks each object against the latest.
 */
import type { AuditEntry } from './events';

export interface CiphertextHistory {
  /** sha256 of the ciphertext the latest entry recorded. */
  latest: string;
  latestSeq: number;
  /** The change of recipients that wrote `latest` (absent: a commit did). */
  latestRotation?: string;
  /** Ciphertexts recorded before `latest`, each with the entry that replaced it: older copies of the object. */
  replaced: Map<string, number>;
  /** Commit-image entries that did not find the object as the log last recorded it, in words. */
  breaks: string[];
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/**
 * The history of every object any commit-image or vault-rewrap entry names, in log order. A vault-purge entry ends an
 * object's history: a later commit of the same original stores a new ciphertext, which starts a new one.
 */
export function ciphertextHistories(entries: Iterable<AuditEntry>): Map<string, CiphertextHistory> {
  const histories = new Map<string, CiphertextHistory>();
  for (const entry of entries) {
    if (entry.type === 'vault-purge') histories.delete(entry.vaultObject);
    if (entry.type !== 'commit-image' && entry.type !== 'vault-rewrap') continue;
    const history = histories.get(entry.vaultObject);
    const rotation = entry.type === 'vault-rewrap' ? entry.rotationId : undefined;
    if (!history) {
      histories.set(entry.vaultObject, { latest: entry.vaultSha256, latestSeq: entry.seq, latestRotation: rotation, replaced: new Map(), breaks: [] });
      continue;
    }
    if (entry.type === 'commit-image' && entry.vaultSha256 !== history.latest) {
      history.breaks.push(`audit entry ${entry.seq} records it as ${short(entry.vaultSha256)}, but entry ${history.latestSeq} left it ${short(history.latest)}`);
    }
    if (entry.vaultSha256 !== history.latest) history.replaced.set(history.latest, entry.seq);
    Object.assign(history, { latest: entry.vaultSha256, latestSeq: entry.seq, latestRotation: rotation });
  }
  return histories;
}

/** Why an object whose bytes hash to `sha` is not what its history says; undefined when it is. */
export function vaultAlteredReason(history: CiphertextHistory, sha: string): string | undefined {
  const replacedAt = history.replaced.get(sha);
  if (sha !== history.latest && replacedAt !== undefined) {
    return (
      `holds an older ciphertext of this original, replaced at audit entry ${replacedAt}: a copy from before a change of ` +
      `recipients, which a removed key may open; put back the object of entry ${history.latestSeq} or run \`veil recipients rotate\``
    );
  }
  if (sha !== history.latest) return `differs from the encrypted object the audit log recorded (sha256 ${short(sha)})`;
  return history.breaks.length > 0 ? `differs from the encrypted object the audit log recorded (${history.breaks.join('; ')})` : undefined;
}
