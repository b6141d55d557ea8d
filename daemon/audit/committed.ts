/** The latest commit entry of each file, read from the audit log: what each committed image must still be. */
import { parseEntry } from './chain';
import type { CommitImageEvent } from './events';
import { auditLines } from './reader';

export async function latestCommits(root: string): Promise<Map<string, CommitImageEvent>> {
  const latest = new Map<string, CommitImageEvent>();
  for await (const { text } of auditLines(root)) {
    const entry = parseEntry(text);
    if (typeof entry !== 'string' && entry.type === 'commit-image') latest.set(entry.file, entry);
  }
  return latest;
}
