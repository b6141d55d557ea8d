/**
 * A lowdb adapter that writes JSON crash-safely (temp + fsync + rename + fsync of the folder), where lowdb's
 * own JSONFile renames without fsync: after a power loss the file holds the old document or the new one.
 */
import type { Adapter } from 'lowdb';
import { writeAtomic } from './durable';
import { readStateText } from './stateFile';

export class DurableJsonFile<T> implements Adapter<T> {
  constructor(private readonly path: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readStateText(this.path, this.path)) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  write(data: T): Promise<void> {
    return writeAtomic(this.path, Buffer.from(JSON.stringify(data)));
  }
}
