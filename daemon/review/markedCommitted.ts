/** An image's record once its commit is published: its latest record, marked committed (none when there is none, or it is already). */
import type { ImageRecord } from '../protocol';

export function markedCommitted(latest: ImageRecord | undefined, at: string): ImageRecord | undefined {
  if (!latest || latest.status === 'committed') return undefined;
  return { ...latest, status: 'committed', committedAt: at };
}
