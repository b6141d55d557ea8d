/**
 * The audit log and the review state read straight from their files, and which review records the log does not
 * explain — worked out here independently of daemon/audit/explained.ts, so that tests check the daemon's rule
 * rather than repeat it: a record is explained when the latest review-change, detect-image, review-reconcile or
 * commit-image ("committed") line of its file has its status and the sha256 of its boxes.
 */
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { boxesSha256 } from '../../daemon/audit/events';
import { readReviewImages } from './reviewFiles';

export interface AuditLine {
  seq: number;
  type: string;
  file?: string;
  status?: string;
  boxesSha256?: string;
  revision?: number;
  reason?: string;
  lastDecision?: number | null;
}

export function auditLines(root: string): AuditLine[] {
  const path = join(root, '.veil', 'audit.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditLine);
}

const SAYS_WHAT_A_RECORD_HOLDS = new Set(['review-change', 'detect-image', 'review-reconcile', 'commit-image']);

/** The files whose review record is not what the audit log last says of it, sorted. */
export function unexplainedFiles(root: string): string[] {
  const last = new Map<string, { status: string; boxesSha256: string }>();
  for (const line of auditLines(root)) {
    if (!SAYS_WHAT_A_RECORD_HOLDS.has(line.type)) continue;
    last.set(line.file!, { status: line.type === 'commit-image' ? 'committed' : line.status!, boxesSha256: line.boxesSha256! });
  }
  return Object.values(readReviewImages(root))
    .filter((record) => last.get(record.file)?.status !== record.status || last.get(record.file)?.boxesSha256 !== boxesSha256(record.boxes))
    .map((record) => record.file)
    .sort();
}
