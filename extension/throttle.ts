/**
 * Runs some work at most once per interval: a request while idle runs it at once; requests made while it runs or
 * during the interval after it are folded into one run at the end of that interval. Never two runs at once.
 */
import type * as vscode from 'vscode';

export class Throttle implements vscode.Disposable {
  private busy = false;
  private wanted = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  /** `work` must not reject: it reports its own failures. */
  constructor(
    private readonly intervalMs: number,
    private readonly work: () => Promise<void> | void,
  ) {}

  request(): void {
    if (this.disposed) return;
    if (this.busy) this.wanted = true;
    else void this.run();
  }

  private async run(): Promise<void> {
    this.busy = true;
    this.wanted = false;
    await this.work();
    if (this.disposed) return;
    this.timer = setTimeout(() => {
      this.busy = false;
      if (this.wanted) void this.run();
    }, this.intervalMs);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}
