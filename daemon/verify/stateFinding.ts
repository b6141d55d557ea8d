/**
 * Verify reports what it cannot read, it does not stop at it: a file of `.veil/` that cannot be read or does not
 * parse (a hand edit, a flipped byte, a FIFO in its place) becomes a `state-corrupt` finding naming the file and the
 * field, and the checks that need that file are skipped.
 */
import type { VerifyFinding } from '../protocol';
import { VeilError } from '../errors';

/** What `read` returns, or the finding for the file its refusal names; any other error is thrown as it is. */
export async function readOrFinding<T>(read: () => Promise<T>): Promise<{ value: T } | { finding: VerifyFinding }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (!VeilError.is(error) || error.file === undefined) throw error;
    return { finding: { kind: 'state-corrupt', file: error.file, message: error.message } };
  }
}
