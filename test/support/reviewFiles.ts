/**
 * Reads a dataset's review state straight from its files (snapshot + log), independently of the daemon's
 * ReviewStore, so tests check what is really on disk; and writes a record through a store, as an edit would.
 */
import type { ReviewStore } from '../../daemon/review/store';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord } from '../../daemon/protocol';

export function readReviewImages(root: string): Record<string, ImageRecord> {
  const snapshotPath = join(root, '.veil', 'review.json');
  const snapshot = existsSync(snapshotPath) ? (JSON.parse(readFileSync(snapshotPath, 'utf8')) as { seq?: number; images: Record<string, ImageRecord> }) : { seq: 0, images: {} };
  const images = { ...snapshot.images };
  const logPath = join(root, '.veil', 'review.jsonl');
  const lines = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter((line) => line.length > 0) : [];
  for (const line of lines) {
    const parsed = JSON.parse(line) as { seq: number; records: ImageRecord[] };
    if (parsed.seq <= (snapshot.seq ?? 0)) continue;
    for (const record of parsed.records) images[record.file] = record;
  }
  return images;
}

/** Writes one record as `store`, as a review edit would: under the lock, on whatever that store sees as latest. */
export function putRecord(store: ReviewStore, value: ImageRecord) {
  return store.update(() => ({ write: [value], result: undefined }));
}
