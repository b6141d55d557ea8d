/**
 * Reading a file a client named (an image, a model): only a regular file, and only up to a size limit checked
 * before a byte is read. Why (issue #9): `/dev/zero` never ends, so a plain `readFile` grew the daemon past 6 GB;
 * opening a named pipe (FIFO) for reading waits for a writer, inside one of libuv's four pool threads, so a few
 * of them stalled every later file request of the daemon; sockets and devices are no files to read either.
 * The type is checked with `stat`, which opens nothing; the file is then opened non-blocking (a FIFO swapped in
 * after the stat opens at once instead of waiting) and checked again on the open handle before it is read.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';

export interface FileRule {
  /** What the file should be, for messages: "an image", "a model". */
  what: string;
  /** The largest size read, in bytes. */
  maxBytes: number;
  /** Code for a path that does not exist (default BadPath). */
  missingCode?: ErrorCode;
  /** Code for a folder in the file's place (default BadPath). */
  folderCode?: ErrorCode;
}

/** The chunk in which `sha256OfRegularFile` reads: the memory one hash holds. */
const HASH_CHUNK_BYTES = 1024 * 1024;

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** What a file that is neither a regular file, a folder nor a link is, for a message; undefined for those. */
export function specialFileKind(info: Stats): string | undefined {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return undefined;
}

function kindOf(info: Stats): string {
  return specialFileKind(info) ?? 'not a regular file';
}

/** Refuses anything but a regular file of at most `rule.maxBytes`, given its stats. */
export function checkStats(info: Stats, file: string, rule: FileRule): void {
  if (info.isDirectory()) throw new VeilError(rule.folderCode ?? ErrorCode.BadPath, `is a folder, not ${rule.what}`, file);
  if (!info.isFile()) throw new VeilError(ErrorCode.BadPath, `is ${kindOf(info)}, not ${rule.what}: Veil reads regular files only`, file);
  if (info.size > rule.maxBytes) {
    throw new VeilError(ErrorCode.TooLarge, `file is ${size(info.size)}, above the limit of ${size(rule.maxBytes)} for ${rule.what}`, file);
  }
}

function osError(error: unknown, file: string, rule: FileRule): VeilError {
  if (VeilError.is(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new VeilError(rule.missingCode ?? ErrorCode.BadPath, 'file does not exist', file);
  return new VeilError(ErrorCode.Unreadable, `cannot read file (${code ?? (error as Error).message})`, file);
}

/** Stats of `path` (symlinks followed) once it is known to be a regular file within the limit. Opens nothing. */
export async function statRegularFile(path: string, file: string, rule: FileRule): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw osError(error, file, rule);
  }
  checkStats(info, file, rule);
  return info;
}

/** Opens `path` for reading after the checks above, checks the open handle again, and passes it to `use`. */
async function withCheckedHandle<T>(path: string, file: string, rule: FileRule, use: (handle: FileHandle, info: Stats) => Promise<T>): Promise<T> {
  await statRegularFile(path, file, rule);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: should a FIFO have replaced the file since the stat, the open returns at once (and is refused below).
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw osError(error, file, rule);
  }
  try {
    const info = await handle.stat();
    checkStats(info, file, rule);
    return await use(handle, info);
  } catch (error) {
    throw osError(error, file, rule);
  } finally {
    await handle.close();
  }
}

/** The whole file: a regular file of at most `rule.maxBytes` (what it held when opened, never more). */
export async function readRegularFile(path: string, file: string, rule: FileRule): Promise<Buffer> {
  return withCheckedHandle(path, file, rule, async (handle, info) => {
    const bytes = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  });
}

/** sha256 (hex) of a regular file of at most `rule.maxBytes`, read in 1 MB chunks, and the stats of what was hashed. */
export async function sha256OfRegularFile(path: string, file: string, rule: FileRule): Promise<{ sha256: string; stats: Stats }> {
  return withCheckedHandle(path, file, rule, async (handle, info) => {
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(Math.min(HASH_CHUNK_BYTES, Math.max(1, info.size)));
    let position = 0;
    while (position < info.size) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, info.size - position), position);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
    return { sha256: hash.digest('hex'), stats: info };
  });
}
