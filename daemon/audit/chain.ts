/**
 * The hash chain of the audit log: each line is one JSON object whose `prev` is the sha256 of the previous
 * line's bytes (without its newline); the first line's `prev` is GENESIS. The head is the hash of the last line.
 */
import { isRecord, type Checkpoint } from '../protocol';
import { isSha256Hex, sha256Hex } from '../storage/hash';
import type { AuditEntry, AuditEvent } from './events';

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

/** Parses one line; returns a reason string when it is not a well-formed entry. */
export function parseEntry(line: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (!isRecord(value)) return 'not a JSON object';
  if (!Number.isInteger(value.seq) || (value.seq as number) < 0) return 'no valid "seq"';
  if (!isSha256Hex(value.prev)) return 'no valid "prev" hash';
  if (typeof value.at !== 'string' || typeof value.type !== 'string') return 'no "at" or "type"';
  return value as unknown as AuditEntry;
}

/** The checkpoint after `line` (an entry with sequence number `seq`). */
export function checkpointAfter(seq: number, line: string): Checkpoint {
  return { entries: seq + 1, head: lineHash(line) };
}

export function isCheckpoint(value: unknown): value is Checkpoint {
  return isRecord(value) && Number.isInteger(value.entries) && (value.entries as number) >= 0 && isSha256Hex(value.head);
}
