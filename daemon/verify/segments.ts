/**
 * The shard segments against the audit chain (review/segments.ts): each segment file must chain line by line and be
 * one the chain opened, and each segment the chain opened and did not close must still be there (its lines are not in
 * the review log yet).
 */
import type { VerifyFinding } from '../protocol';
import type { AuditEntry } from '../audit/events';
import { segmentRelative } from '../dataset/layout';
import { listSegments, readSegment } from '../review/segments';

export async function segmentFindings(root: string, entries: readonly AuditEntry[]): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  const present = await listSegments(root);
  for (const id of present) {
    const { problem } = await readSegment(root, id);
    if (problem !== undefined) findings.push({ kind: 'segment-broken', file: segmentRelative(id), message: `${problem}: the detections from there on are not merged into the review (run \`veil detect\` on that shard again)` });
  }
  const open = new Map<string, AuditEntry>();
  const everOpened = new Set<string>();
  for (const entry of entries) {
    if (entry.type === 'segment-open') {
      open.set(entry.segment, entry);
      everOpened.add(entry.segment);
    } else if (entry.type === 'segment-close') open.delete(entry.segment);
  }
  for (const id of present.filter((segment) => !everOpened.has(segment))) {
    findings.push({ kind: 'segment-broken', file: segmentRelative(id), message: 'no segment-open entry of the audit log names it: no Veil shard wrote it (its lines are merged and folded like a shard\'s; remove it unless you know where it came from)' });
  }
  for (const [id, entry] of open) {
    if (entry.type !== 'segment-open' || present.includes(id)) continue;
    findings.push({
      kind: 'segment-missing',
      file: segmentRelative(id),
      message: `opened by shard ${entry.shard.index}/${entry.shard.count} (audit entry ${entry.seq}) and never closed, but gone: detections it held may never have reached the review (run \`veil detect --shard ${entry.shard.index}/${entry.shard.count}\` again)`,
    });
  }
  return findings;
}
