/** One error class for everything the daemon refuses, with a stable code from the protocol. */
import { ErrorCode } from './protocol';

export class VeilError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The file the error is about, relative to the dataset when there is one. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'VeilError';
  }

  static is(value: unknown): value is VeilError {
    return value instanceof VeilError;
  }
}

/** The sentence a user sees for any error: `file: cause`, never a stack trace. */
export function describeError(error: unknown): string {
  if (VeilError.is(error)) return error.file ? `${error.file}: ${error.message}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function errorCodeOf(error: unknown): ErrorCode {
  return VeilError.is(error) ? error.code : ErrorCode.Internal;
}
