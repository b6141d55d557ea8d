/** Reading the audit log line by line, from the start or from a byte offset, without loading it whole. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { auditPath } from './log';

export interface AuditLine {
  /** 1-based line number in the file (counted from `fromByte`). */
  number: number;
  text: string;
}

/** Size of the log in bytes, 0 when it does not exist. */
export async function auditSize(root: string): Promise<number> {
  try {
    return (await stat(auditPath(root))).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Every line of the log (a missing log has none); a torn last line is yielded as it is. */
export async function* auditLines(root: string, fromByte = 0): AsyncGenerator<AuditLine> {
  if ((await auditSize(root)) <= fromByte) return;
  const lines = createInterface({ input: createReadStream(auditPath(root), { start: fromByte }), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) yield { number: ++number, text };
}
