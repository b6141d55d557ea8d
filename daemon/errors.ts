/** One error class for everything the daemon refuses, with a stable code from the protocol. */
import { ErrorCode, type FileFailure } from './protocol';

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

/**
 * The cause of an error about `file`, for a message shown next to that file's name: without the name itself (the
 * printer adds it once); an error about another file (the journal, the vault, the recipients) keeps that name.
 */
export function causeFor(file: string, error: unknown): string {
  if (VeilError.is(error)) return error.file !== undefined && error.file !== file ? describeError(error) : error.message;
  return describeError(error);
}

/** The one way a per-file failure is built (detection, review, commit): `message` is the cause only (`causeFor`). */
export function fileFailure(file: string, error: unknown): FileFailure {
  return { file, code: errorCodeOf(error), message: causeFor(file, error) };
}
