/**
 * The mutable review state of one dataset: `<root>/.veil/review.json`, kept with lowdb.
 * One writer (the daemon process that opened it); writes are serialized and the whole file is rewritten
 * atomically by lowdb (temp + rename), so a killed daemon leaves the previous or the next state.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { ErrorCode, type ImageRecord } from '../protocol';
import { VeilError } from '../errors';

export const VEIL_DIR = '.veil';
export const REVIEW_FILE = 'review.json';

interface ReviewData {
  version: 1;
  images: Record<string, ImageRecord>;
}

export function reviewPath(root: string): string {
  return join(root, VEIL_DIR, REVIEW_FILE);
}

export class ReviewStore {
  private writes: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Low<ReviewData>, readonly path: string) {}

  static async open(root: string): Promise<ReviewStore> {
    await mkdir(join(root, VEIL_DIR), { recursive: true });
    const path = reviewPath(root);
    // Not JSONFilePreset: it silently keeps data in memory when NODE_ENV=test.
    const db = new Low<ReviewData>(new JSONFile<ReviewData>(path), { version: 1, images: {} });
    try {
      await db.read();
    } catch (error) {
      throw new VeilError(ErrorCode.Corrupt, `review state is not valid JSON (${(error as Error).message}); fix or move the file`, path);
    }
    if (typeof db.data?.images !== 'object' || db.data.images === null) {
      throw new VeilError(ErrorCode.Corrupt, 'review state has no "images" table', path);
    }
    return new ReviewStore(db, path);
  }

  get(file: string): ImageRecord | undefined {
    return this.db.data.images[file];
  }

  records(): ImageRecord[] {
    return Object.values(this.db.data.images).sort((a, b) => a.file.localeCompare(b.file));
  }

  put(record: ImageRecord): Promise<void> {
    return this.putMany([record]);
  }

  /** Replaces the records by file and writes once; writes never interleave. */
  putMany(records: ImageRecord[]): Promise<void> {
    for (const record of records) this.db.data.images[record.file] = record;
    this.writes = this.writes.then(() => this.db.write());
    return this.writes;
  }
}
