/** Undo/redo of reversible steps: a new step clears what could be redone. */
export class UndoStack<Step> {
  private readonly done: Step[] = [];
  private readonly undone: Step[] = [];

  constructor(private readonly limit = 1000) {}

  push(step: Step): void {
    this.done.push(step);
    if (this.done.length > this.limit) this.done.shift();
    this.undone.length = 0;
  }

  /** The step to reverse, now moved to the redo side; undefined when there is none. */
  undo(): Step | undefined {
    const step = this.done.pop();
    if (step !== undefined) this.undone.push(step);
    return step;
  }

  /** The step to apply again, now back on the undo side; undefined when there is none. */
  redo(): Step | undefined {
    const step = this.undone.pop();
    if (step !== undefined) this.done.push(step);
    return step;
  }

  /** Forgets every step `matches` (e.g. the steps of an image changed elsewhere: undoing them would undo that change). */
  forget(matches: (step: Step) => boolean): void {
    for (const list of [this.done, this.undone]) {
      const kept = list.filter((step) => !matches(step));
      list.splice(0, list.length, ...kept);
    }
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
