/**
 * What the audit log says of each file (AuditedFiles), followed by a daemon for a dataset it opened: each read takes
 * only the lines appended since the last one (by this process or any other), and the whole log again when it was
 * replaced, cut, or rewritten where the last read stopped (see `auditLogAt`), or when the first line appended does not
 * chain to the last line read. Why: the reconcile that every `dataset/open` and detection run starts with read the
 * whole log each time, 63–68 ms at 10,000 entries on the quiet 2-core machine and growing with the log; following it
 * takes 0.45 ms with nothing new and 0.71 ms with a line appended (medians, bench/viewCounts.ts, in a loaded run where
 * the whole read took 104 ms).
 */
import type { FileHandle } from 'node:fs/promises';
import { veilRelative } from '../dataset/layout';
import { lineHash } from './chain';
import { noAuditedFiles, noteEntry, type AuditedFiles } from './committed';
import { checkedEntriesOf } from './entries';
import { NOTHING_READ, auditLogAt, linesOf, openAuditLog, type AuditMark } from './reader';

export class AuditFollower {
  private files = noAuditedFiles();
  private mark: AuditMark = NOTHING_READ;
  /** One read at a time: each goes on from where the one before stopped. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly root: string) {}

  /**
   * What the log says now. A malformed entry is refused (Corrupt, naming the line) as `auditedFiles` refuses it; the
   * next read tries again from that line. The answer is this follower's own: a later read changes it.
   */
  latest(): Promise<AuditedFiles> {
    const read = this.queue.then(() => this.catchUp());
    this.queue = read.catch(() => undefined);
    return read;
  }

  private async catchUp(): Promise<AuditedFiles> {
    const handle = await openAuditLog(this.root);
    if (!handle) {
      if (this.mark.byte > 0) this.startOver('removed');
      return this.files;
    }
    try {
      const { ino, continues } = await auditLogAt(handle, this.mark);
      if (!continues) this.startOver('replaced, cut or rewritten');
      if (!(await this.follow(handle, ino))) {
        this.startOver('rewritten (the lines appended do not chain to the last one read)');
        await this.follow(handle, ino);
      }
      return this.files;
    } finally {
      await handle.close();
    }
  }

  /** Folds in the lines after the mark; false (nothing folded) when the first does not chain to the line at the mark. */
  private async follow(handle: FileHandle, ino: number): Promise<boolean> {
    let last: { start: number; text: string } | undefined;
    try {
      for await (const { entry, line } of checkedEntriesOf(linesOf(handle, this.mark))) {
        if (last === undefined && this.mark.byte > 0 && entry.prev !== this.mark.head) return false;
        noteEntry(this.files, entry, line);
        last = line;
      }
    } finally {
      // Also when a malformed entry stops the read: the mark stays on the last entry folded in.
      this.mark = last ? { ...this.files.readTo, ino, headStart: last.start, head: lineHash(last.text) } : { ...this.mark, ino };
    }
    return true;
  }

  private startOver(why: string): void {
    if (this.mark.byte > 0) process.stderr.write(`[veil] ${veilRelative('auditLog')} of ${this.root} was ${why} since it was last read: reading it again from the start\n`);
    this.files = noAuditedFiles();
    this.mark = NOTHING_READ;
  }
}
