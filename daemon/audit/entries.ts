/** The audit log's entries, parsed and checked, for every reader that decides or shows something from them. */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { veilRelative } from '../dataset/layout';
import { NOT_JSON, parseEntry } from './chain';
import type { AuditEntry } from './events';
import { LOG_START, auditLines, type AuditLine, type AuditPosition } from './reader';

/**
 * Every complete entry from `from` on, with its line. A malformed entry (hand-edited, or damaged) is refused with
 * Corrupt naming the line and the field: what a reader decides from the log would be wrong. Only a last line that is
 * not JSON at all is passed over: a line torn by a power loss mid-append, which the next append cuts off.
 */
export function checkedEntries(root: string, from: AuditPosition = LOG_START): AsyncGenerator<{ entry: AuditEntry; line: AuditLine }> {
  return checkedEntriesOf(auditLines(root, from));
}

/** `checkedEntries` of lines read some other way (a log already open: see audit/follower.ts). */
export async function* checkedEntriesOf(lines: AsyncIterable<AuditLine>): AsyncGenerator<{ entry: AuditEntry; line: AuditLine }> {
  let malformed: { number: number; reason: string } | undefined;
  for await (const line of lines) {
    if (malformed) throw refusal(malformed);
    const entry = parseEntry(line.text);
    if (typeof entry === 'string') malformed = { number: line.number, reason: entry };
    else if (line.complete) yield { entry, line };
  }
  if (malformed && malformed.reason !== NOT_JSON) throw refusal(malformed);
}

function refusal({ number, reason }: { number: number; reason: string }): VeilError {
  return new VeilError(ErrorCode.Corrupt, `line ${number}: ${reason}; run \`veil verify\``, veilRelative('auditLog'));
}
