/** Reading the audit log line by line, from the start or from where an earlier read stopped, without loading it whole. */
import { stat, type FileHandle } from 'node:fs/promises';
import { veilRelative } from '../dataset/layout';
import { openStateFile } from '../storage/stateFile';
import { auditPath } from './log';

export interface AuditLine {
  /** 1-based line number in the file. */
  number: number;
  text: string;
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
 * Every line of the log from `from` on (a missing log has none); a torn last line is yielded as it is. Opened as a
 * state file: a named pipe in its place is refused (BadPath), never waited on (opening the dataset for review reads it).
 */
export async function* auditLines(root: string, from: AuditPosition = LOG_START): AsyncGenerator<AuditLine> {
  let handle: FileHandle;
  try {
    handle = await openStateFile(auditPath(root), veilRelative('auditLog'), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
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
        yield { number: ++number, text: data.toString('utf8', start, newline), end: base + newline + 1, complete: true };
        start = newline + 1;
      }
      carry = data.subarray(start);
    }
    if (carry.length > 0) yield { number: ++number, text: carry.toString('utf8'), end: position, complete: false };
  } finally {
    await handle.close();
  }
}
