/**
 * Reading the audit log line by line, from the start or from where an earlier read stopped, without loading it whole;
 * and telling whether the log still holds what an earlier read saw (so that a reader can go on from there).
 */
import { stat, type FileHandle } from 'node:fs/promises';
import { veilRelative } from '../dataset/layout';
import { openStateFile } from '../storage/stateFile';
import { GENESIS, lineHash } from './chain';
import { auditPath } from './log';

export interface AuditLine {
  /** 1-based line number in the file. */
  number: number;
  text: string;
  /** Byte offset where this line starts. */
  start: number;
  /** Byte offset just past this line (past its newline when it has one). */
  end: number;
  /** False for a last line without its newline: torn by a power loss mid-append (the next append cuts it off). */
  complete: boolean;
}

/** Where a read starts: a byte offset at a line boundary, and the number of lines before it. */
export interface AuditPosition {
  byte: number;
  line: number;
}

export const LOG_START: AuditPosition = { byte: 0, line: 0 };

/**
 * Where a read stopped and what it saw there: the file (inode) and the last line read (where it starts, and its
 * hash: the chain's head at `byte`). Enough to tell whether the log still continues from there (`auditLogAt`).
 */
export interface AuditMark extends AuditPosition {
  /** -1 while nothing was read. */
  ino: number;
  headStart: number;
  head: string;
}

export const NOTHING_READ: AuditMark = { ...LOG_START, ino: -1, headStart: 0, head: GENESIS };

const CHUNK_BYTES = 1 << 20;

/** Size of the log in bytes, 0 when it does not exist. */
export async function auditSize(root: string): Promise<number> {
  try {
    return (await stat(auditPath(root))).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * The log opened for reading, or undefined when there is none. Opened as a state file: a named pipe in its place is
 * refused (BadPath), never waited on (opening the dataset for review reads it).
 */
export async function openAuditLog(root: string): Promise<FileHandle | undefined> {
  try {
    return await openStateFile(auditPath(root), veilRelative('auditLog'), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every line of the log from `from` on (a missing log has none); a torn last line is yielded as it is. */
export async function* auditLines(root: string, from: AuditPosition = LOG_START): AsyncGenerator<AuditLine> {
  const handle = await openAuditLog(root);
  if (!handle) return;
  try {
    yield* linesOf(handle, from);
  } finally {
    await handle.close();
  }
}

/** Every line of the open log from `from` on; a torn last line is yielded as it is. */
export async function* linesOf(handle: FileHandle, from: AuditPosition): AsyncGenerator<AuditLine> {
  let position = from.byte;
  let number = from.line;
  let carry = Buffer.alloc(0);
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) break;
    const data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    const base = position - carry.length;
    position += bytesRead;
    let start = 0;
    // A newline byte never occurs inside a UTF-8 sequence: splitting the bytes on it is safe.
    for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, start)) {
      yield { number: ++number, text: data.toString('utf8', start, newline), start: base + start, end: base + newline + 1, complete: true };
      start = newline + 1;
    }
    carry = data.subarray(start);
  }
  if (carry.length > 0) yield { number: ++number, text: carry.toString('utf8'), start: position - carry.length, end: position, complete: false };
}

/**
 * The open log's inode, and whether it still holds what was read up to `mark`: the same file, at least as long, and
 * the same bytes in the last line read. Appends by any process keep all three; a log replaced, cut, or rewritten at
 * that line does not. An edit further back that keeps every byte where it was is not seen here (that would take
 * reading it all): the chain check of `veil verify`, which reads every line, reports it.
 */
export async function auditLogAt(handle: FileHandle, mark: AuditMark): Promise<{ ino: number; continues: boolean }> {
  const { ino, size } = await handle.stat();
  if (mark.byte === 0) return { ino, continues: true };
  if (ino !== mark.ino || size < mark.byte) return { ino, continues: false };
  const line = Buffer.alloc(mark.byte - mark.headStart);
  const { bytesRead } = await handle.read(line, 0, line.length, mark.headStart);
  const continues = bytesRead === line.length && line[line.length - 1] === 0x0a && lineHash(line.toString('utf8', 0, line.length - 1)) === mark.head;
  return { ino, continues };
}
