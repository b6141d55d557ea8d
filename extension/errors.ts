/** The one function that turns any error into the sentence a person sees. Cancellation is not an error. */
import { DaemonError } from '../daemon/client';

export function isCancellation(error: unknown): boolean {
  return DaemonError.is(error) && error.cancelled;
}

export function userMessage(error: unknown): string {
  if (DaemonError.is(error)) return error.file ? `${error.file}: ${error.message}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
