/**
 * Which review edits the daemon has stored, and on which revision each new edit is made.
 *
 * Every edit is sent at once. An edit made while an earlier edit of the same image is unconfirmed says so
 * (`afterSeq`): the extension sends it once that one is stored, on the revision it got, so this panel's own
 * edits never conflict with each other. The daemon refuses an edit made on an older revision than the stored
 * one (the image changed elsewhere): the panel then shows the daemon's state, never one it did not save.
 * Changes made elsewhere are shown at once, unless an edit of this panel is still on its way: then the answer
 * to that edit decides (stored: the newer change elsewhere is shown after it; refused: the daemon's state).
 */
import type { ImageRecord } from '../daemon/protocol';

export type SaveState = 'saved' | 'saving' | 'not-saved';

export interface SaveRequest {
  record: ImageRecord;
  baseRevision: number;
  /** The unconfirmed edit of the same image this one was made on top of. */
  afterSeq?: number;
  seq: number;
}

export class SaveQueue {
  /** The daemon's revision of each image as last heard (load, confirmation, change elsewhere). */
  private readonly known = new Map<string, number>();
  /** Numbers of the unconfirmed edits, per image, oldest first. */
  private readonly inFlight = new Map<string, number[]>();
  /** A change made elsewhere that arrived while an edit was in flight. */
  private readonly deferred = new Map<string, ImageRecord>();
  private refused = false;
  private sequence = 0;

  constructor(
    private readonly send: (request: SaveRequest) => void,
    private readonly onStateChange: (state: SaveState) => void,
  ) {}

  get state(): SaveState {
    if (this.inFlight.size > 0) return 'saving';
    return this.refused ? 'not-saved' : 'saved';
  }

  /** A new dataset from the daemon: everything it holds is saved. */
  reset(rows: ReadonlyArray<{ file: string; revision: number }>): void {
    this.known.clear();
    this.inFlight.clear();
    this.deferred.clear();
    this.refused = false;
    for (const row of rows) this.known.set(row.file, row.revision);
    this.onStateChange(this.state);
  }

  /** A local edit: sent now, stamped with what it was made on. */
  edited(record: ImageRecord): void {
    const seq = ++this.sequence;
    const waiting = this.inFlight.get(record.file) ?? [];
    const afterSeq = waiting.at(-1);
    this.inFlight.set(record.file, [...waiting, seq]);
    this.send({ record, baseRevision: this.known.get(record.file) ?? 0, seq, ...(afterSeq === undefined ? {} : { afterSeq }) });
    this.onStateChange(this.state);
  }

  /**
   * The daemon stored edit `seq`. Returns the record to show: the daemon's (or a newer change made elsewhere),
   * or undefined while a later edit of this panel is still on its way (the local state stays on screen).
   */
  confirmed(record: ImageRecord, seq: number): ImageRecord | undefined {
    const waiting = this.inFlight.get(record.file);
    if (!waiting?.includes(seq)) return undefined;
    this.known.set(record.file, Math.max(record.revision ?? 0, this.known.get(record.file) ?? 0));
    const rest = waiting.filter((pending) => pending > seq);
    if (rest.length > 0) {
      this.inFlight.set(record.file, rest);
      return undefined;
    }
    this.inFlight.delete(record.file);
    this.refused = false;
    this.onStateChange(this.state);
    const elsewhere = this.deferred.get(record.file);
    this.deferred.delete(record.file);
    return elsewhere && (elsewhere.revision ?? 0) > (record.revision ?? 0) ? this.adopt(elsewhere) : record;
  }

  /** The daemon refused edit `seq` (and so every later edit of that image): the panel shows `current`, the daemon's state. */
  refusedEdit(file: string, seq: number, current: ImageRecord | undefined): boolean {
    if (!this.inFlight.get(file)?.includes(seq)) return false;
    this.inFlight.delete(file);
    this.deferred.delete(file);
    if (current) this.known.set(file, current.revision ?? 0);
    this.refused = true;
    this.onStateChange(this.state);
    return true;
  }

  /** A change made elsewhere: the record to show now, or undefined (old news, or an edit of ours is on its way). */
  changedElsewhere(record: ImageRecord): ImageRecord | undefined {
    if ((record.revision ?? 0) <= (this.known.get(record.file) ?? -1)) return undefined;
    if (this.inFlight.has(record.file)) {
      this.deferred.set(record.file, record);
      return undefined;
    }
    return this.adopt(record);
  }

  private adopt(record: ImageRecord): ImageRecord {
    this.known.set(record.file, record.revision ?? 0);
    return record;
  }
}
