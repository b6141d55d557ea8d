/**
 * Group commit: items handed in one at a time are written in groups, so that a group pays once for what every write
 * pays (a lock, an fsync). The caller asks between items whether the open group is due — it holds `maxItems`, or its
 * first item has waited `maxWaitMs` — and awaits its write then, so nothing of its own runs beside a write: a write
 * holding a lock other processes wait for is not stretched by work done meanwhile (a group of 32 detections written
 * beside the next image's detection held the review lock 120 ms, median on one core, instead of 7–11 ms). Each item's promise settles when its group is written: with the writer's
 * result for it, or rejected with the writer's error.
 */
export interface GroupLimits {
  maxItems: number;
  maxWaitMs: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private open: Waiting<T, R>[] = [];
  /** When the open group's first item came (performance.now()). */
  private openedAt = 0;

  /** `writeGroup` returns one result per item, in order. */
  constructor(
    private readonly writeGroup: (items: T[]) => Promise<R[]>,
    private readonly limits: GroupLimits,
  ) {}

  add(item: T): Promise<R> {
    if (this.open.length === 0) this.openedAt = performance.now();
    return new Promise<R>((resolve, reject) => this.open.push({ item, resolve, reject }));
  }

  /** Whether the open group is to be written now. */
  get due(): boolean {
    return this.open.length >= this.limits.maxItems || (this.open.length > 0 && performance.now() - this.openedAt >= this.limits.maxWaitMs);
  }

  /** Writes the open group (if any); resolves once it is written, whatever the outcome. */
  async flush(): Promise<void> {
    const group = this.open;
    this.open = [];
    if (group.length === 0) return;
    try {
      const results = await this.writeGroup(group.map((waiting) => waiting.item));
      group.forEach((waiting, index) => waiting.resolve(results[index]!));
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }
}
