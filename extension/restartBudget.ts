/**
 * How many times the daemon may crash or fail to start before the supervisor stops trying: at most `limit`
 * restarts within `windowMs` (4 in 3 minutes, as VS Code's language clients do). A daemon that dies at once on
 * every start would otherwise be respawned forever.
 */
export class RestartBudget {
  private readonly failures: number[] = [];

  constructor(
    readonly limit = 4,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash or failed start; true while another start is still allowed. */
  spend(): boolean {
    const now = this.now();
    this.failures.push(now);
    while (this.failures.length > 0 && now - this.failures[0] > this.windowMs) this.failures.shift();
    return this.failures.length <= this.limit;
  }

  /** Failures recorded within the window (as of the last `spend`). */
  get spent(): number {
    return this.failures.length;
  }

  /** A person asked for a restart: the count starts again. */
  reset(): void {
    this.failures.length = 0;
  }
}
