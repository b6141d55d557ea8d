/**
 * The hash chain of the audit log: each line is one JSON object whose `prev` is the sha256 of the previous
 * line's bytes (without its newline); the first line's `prev` is GENESIS. The head is the hash of the last line.
 */
import { isRecord, type Checkpoint } from '../protocol';
import { isSha256Hex, sha256Hex } from '../storage/hash';
import { auditEventProblem, type AuditEntry, type AuditEvent } from './events';

export const GENESIS = '0'.repeat(64);
export const EMPTY_CHECKPOINT: Checkpoint = { entries: 0, head: GENESIS };

/** The serialized line (no newline) for `event` following `previous`. */
export function formatEntry(previous: Checkpoint, event: AuditEvent, at: Date): string {
  const entry = { seq: previous.entries, prev: previous.head, at: at.toISOString(), ...event };
  return JSON.stringify(entry);
}

export function lineHash(line: string): string {
  return sha256Hex(line);
}

/** The reason `parseEntry` gives for a line that is not JSON at all (a torn last line looks like this). */
export const NOT_JSON = 'not valid JSON';

/** Parses one line; returns a reason string when it is not a well-formed entry (chain fields, then the event's own). */
export function parseEntry(line: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return NOT_JSON;
  }
  if (!isRecord(value)) return 'not a JSON object';
  if (!Number.isInteger(value.seq) || (value.seq as number) < 0) return 'no valid "seq"';
  if (!isSha256Hex(value.prev)) return 'no valid "prev" hash';
  if (typeof value.at !== 'string' || typeof value.type !== 'string') return 'no "at" or "type"';
  const problem = auditEventProblem(value);
  if (problem !== undefined) return `not a valid "${value.type}" entry (${problem})`;
  return value as unknown as AuditEntry;
}

/** The checkpoint after `line` (an entry with sequence number `seq`). */
export function checkpointAfter(seq: number, line: string): Checkpoint {
  return { entries: seq + 1, head: lineHash(line) };
}
