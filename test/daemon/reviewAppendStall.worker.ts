/**
 * Preloaded into a real daemon (`NODE_OPTIONS=--require <this file>`) to hold it still inside the write-ahead window,
 * so that a test can kill it there every time rather than by luck: the Nth append to a review log
 * (`VEIL_TEST_STALL_REVIEW_APPEND=N`, counted from 1) never completes. The writer has appended and fsync'd its audit
 * line by then; the daemon says "review append stalled" on stderr and waits for its SIGKILL.
 */
import { constants, promises } from 'node:fs';

const stallAt = Number(process.env.VEIL_TEST_STALL_REVIEW_APPEND);
const realOpen = promises.open;
let appends = 0;

/** Opened to append only ('a', or its numeric flags): how the review store opens its log to write a line ('a+' and 'r' are its reads). */
function appendOnly(flags: string | number | undefined): boolean {
  return flags === 'a' || (typeof flags === 'number' && (flags & constants.O_APPEND) !== 0 && (flags & (constants.O_WRONLY | constants.O_RDWR)) === constants.O_WRONLY);
}

Object.assign(promises, {
  open(path: Parameters<typeof realOpen>[0], flags?: string | number, mode?: number) {
    if (String(path).endsWith('/.veil/review.jsonl') && appendOnly(flags) && ++appends === stallAt) {
      process.stderr.write('review append stalled\n');
      return new Promise<never>(() => undefined);
    }
    return realOpen(path, flags, mode);
  },
});
