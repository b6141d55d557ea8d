/** Working through a list a few items at a time: the pool commits and changes of recipients use to keep both cores busy. */
import type { CancellationToken } from './callContext';

/**
 * Runs `work` over `items`, at most `inFlight` at once, in order of start; with a token, starts no item once it is
 * cancelled (those in flight finish). Returns whether it stopped for the token.
 */
export async function eachInFlight<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>, token?: CancellationToken): Promise<boolean> {
  let next = 0;
  let cancelled = false;
  const worker = async () => {
    while (next < items.length) {
      if (token?.isCancelled) {
        cancelled = true;
        return;
      }
      await work(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return cancelled;
}
