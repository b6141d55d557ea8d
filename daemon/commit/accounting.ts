/** How a commit accounts for the files it leaves as they were, and for what it has to say about those it committed. */
import { ErrorCode, type FileFailure, type FileWarning, type LeftAsIs, type LeftAsIsCause } from '../protocol';

/** Codes that mean the file cannot be read as an image at all (as opposed to a commit that failed on it). */
const UNREADABLE_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.BadImage, ErrorCode.Unreadable, ErrorCode.TooLarge, ErrorCode.BadPath]);

function causeOf(code: ErrorCode): LeftAsIsCause {
  if (code === ErrorCode.UnsupportedFormat) return 'unsupported';
  return UNREADABLE_CODES.has(code) ? 'unreadable' : 'failed';
}

/** A refused or failed file, left as it was. */
export function leftAsIsOf({ file, code, message }: FileFailure): LeftAsIs {
  return { file, cause: causeOf(code), message, code };
}

/** The files left as they were because of an error, as per-file failures (each entry with a code came from one). */
export function failuresOf(leftAsIs: readonly LeftAsIs[]): FileFailure[] {
  return leftAsIs.flatMap(({ file, code, message }) => (code === undefined ? [] : [{ file, code, message }]));
}

/** Planned images a cancelled commit never started. */
export function notStarted(files: readonly string[]): LeftAsIs[] {
  return files.map((file) => ({ file, cause: 'not-started', message: 'not started: the commit was cancelled (run it again to continue)' }));
}

/** A committed image whose original was damaged or truncated (`damage`: what the decoder said). */
export function damageWarning(file: string, damage: string): FileWarning {
  return { file, message: `the original is damaged or truncated (${damage}): anonymized from the part that could be decoded` };
}
