/**
 * Opening Veil's own files (the review state and log, the audit log, the commit journal, recipients, locks, vault
 * objects): they are Veil's, but they sit in a folder anyone with the dataset can write. Why (issue #9): a named pipe
 * put in place of `.veil/review.json` made every later request wait forever for a writer that never comes, inside
 * one of libuv's four pool threads. Every open here is non-blocking (a FIFO opens at once, or fails with ENXIO for
 * writing) and the open handle must be a regular file, or the file is refused with BadPath naming it.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { checkStats } from './regularFile';

export type StateFileFlags = 'r' | 'a' | 'a+' | 'w' | 'wx';

const { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_TRUNC, O_EXCL, O_NONBLOCK } = constants;

const FLAGS: Record<StateFileFlags, number> = {
  r: O_RDONLY,
  a: O_WRONLY | O_APPEND | O_CREAT,
  'a+': O_RDWR | O_APPEND | O_CREAT,
  w: O_WRONLY | O_CREAT | O_TRUNC,
  wx: O_WRONLY | O_CREAT | O_EXCL,
};

/** Veil's state files have no size limit of their own here: what reads them bounds what it holds. */
const STATE_FILE = { what: 'a file Veil writes', maxBytes: Number.MAX_SAFE_INTEGER };

function notRegular(file: string): VeilError {
  return new VeilError(ErrorCode.BadPath, 'is a named pipe (FIFO), not a file Veil writes: Veil reads and writes regular files only; remove it', file);
}

/**
 * Opens `path` (named `file` in messages) like `fs.open` with `flags`, but never blocks on a FIFO and refuses
 * anything but a regular file. OS errors other than those (ENOENT, EACCES, …) are thrown as they are, so callers
 * keep telling a missing file from an unreadable one.
 */
export async function openStateFile(path: string, file: string, flags: StateFileFlags, mode = 0o644): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS[flags] | O_NONBLOCK, mode);
  } catch (error) {
    // ENXIO: opened for writing, non-blocking, a FIFO with no reader.
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw notRegular(file);
    throw error;
  }
  try {
    checkStats(await handle.stat(), file, STATE_FILE);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The whole of a state file (see `openStateFile`); OS errors as they are. */
export async function readStateFile(path: string, file: string): Promise<Buffer> {
  const handle = await openStateFile(path, file, 'r');
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function readStateText(path: string, file: string): Promise<string> {
  return (await readStateFile(path, file)).toString('utf8');
}

/**
 * The text of a state file that may not exist yet, or undefined when there is none. Any other failure is refused
 * naming the file — never taken for "none", which would let a writer start over a file it could not read.
 * `what` names the file in the refusal ("the commit journal").
 */
export async function readStateTextIfPresent(path: string, file: string, what: string): Promise<string | undefined> {
  try {
    return await readStateText(path, file);
  } catch (error) {
    if (VeilError.is(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new VeilError(ErrorCode.Unreadable, `cannot read ${what} (${code ?? (error as Error).message})`, file);
  }
}
