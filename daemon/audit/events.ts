/** What the audit log records: one typed event per line. */
import type { Box, BoxSource, BoxState, Checkpoint, MaskShape, RedactionMode } from '../protocol';
import type { Actor } from '../rpc/context';

export type BoxCounts = Record<BoxSource, Record<BoxState, number>>;

export interface DetectRunEvent {
  type: 'detect-run';
  actor: Actor;
  model: string;
  threshold: number;
  thorough: boolean;
  images: number;
  faces: number;
}

/** One image's review change, summarized (the boxes themselves live in review.json). */
export interface ReviewChangeEvent {
  type: 'review-change';
  actor: Actor;
  file: string;
  status: string;
  boxes: BoxCounts;
}

export interface CommitImageEvent {
  type: 'commit-image';
  commitId: string;
  actor: Actor;
  file: string;
  model: string | null;
  threshold: number | null;
  redaction: { mode: RedactionMode; margin: number; shape: MaskShape };
  boxes: BoxCounts;
  /** Boxes actually painted over (every box not rejected). */
  redacted: number;
  originalSha256: string;
  outputSha256: string;
  /** Vault object id: the sha256 of the original; the object is `.veil/vault/<id>.age`. */
  vaultObject: string;
  /** sha256 of the encrypted object, so it can be checked without a key. */
  vaultSha256: string;
  /** Present when nobody reviewed the image and the model's boxes were used as they are. */
  modelOnly?: true;
}

export interface CommitSummaryEvent {
  type: 'commit';
  commitId: string;
  actor: Actor;
  committed: number;
  /** Images of the plan never started (the commit was cancelled). */
  notStarted: number;
  failed: number;
  cancelled: boolean;
  includeUnreviewed: boolean;
}

export interface OpenOriginalEvent {
  type: 'open-original';
  actor: Actor;
  file: string;
  vaultObject: string;
  out: string;
}

/** A partial last line (a power loss mid-append) was cut off before this entry. */
export interface AuditRepairEvent {
  type: 'audit-repair';
  droppedBytes: number;
  previous: Checkpoint;
}

export type AuditEvent = DetectRunEvent | ReviewChangeEvent | CommitImageEvent | CommitSummaryEvent | OpenOriginalEvent | AuditRepairEvent;

/** Every entry as stored: the event plus its place in the chain. */
export type AuditEntry = AuditEvent & { seq: number; prev: string; at: string };

export function countBoxes(boxes: readonly Box[]): BoxCounts {
  const counts: BoxCounts = {
    model: { proposed: 0, accepted: 0, rejected: 0 },
    manual: { proposed: 0, accepted: 0, rejected: 0 },
  };
  for (const box of boxes) counts[box.source][box.state]++;
  return counts;
}
