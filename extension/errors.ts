/** The one function that turns any error into the sentence a person sees. Cancellation is not an error. */
import { DaemonError } from '../client/daemonClient';

export function isCancellation(error: unknown): boolean {
  return DaemonError.is(error) && error.cancelled;
}

export function userMessage(error: unknown): string {
  return DaemonError.is(error) && error.file ? `${error.file}: ${causeOf(error)}` : causeOf(error);
}

/** What went wrong, without the file it is about (for messages that name the file themselves). */
export function causeOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
