/** `audit/list`: a page of a dataset's audit log, newest first, filtered by reviewer, action, file and time. */
import { AUDIT_ACTIONS, DEFAULT_AUDIT_PAGE, type AuditAction, type AuditListEntry, type AuditListParams, type AuditListResult } from '../protocol';
import { locateDataset } from '../dataset/locate';
import { describeEntry } from './describe';
import { checkedEntries } from './entries';
import type { AuditEntry } from './events';
import { reviewerOf, trailMatcher } from './trailFilter';

/** An entry as a person reads it: who, what, which file, why, and what it says in words. */
export function listed(entry: AuditEntry): AuditListEntry {
  const shown: AuditListEntry = { seq: entry.seq, at: entry.at, action: entry.type, details: describeEntry(entry) };
  if ('actor' in entry) shown.actor = entry.actor;
  if ('file' in entry) shown.file = entry.file;
  if ('purpose' in entry && entry.purpose !== undefined) shown.purpose = entry.purpose;
  return shown;
}

/**
 * Reads the whole log (10,000 entries: ~0.1 s, as a reconcile does) and keeps only the entries passing the filters;
 * a malformed entry is refused (Corrupt, naming the line).
 */
export async function listAudit(params: AuditListParams): Promise<AuditListResult> {
  const { root } = locateDataset(params.root);
  const limit = params.limit ?? DEFAULT_AUDIT_PAGE;
  const matches = trailMatcher(params);
  const actors = new Set<string>();
  const actions = new Set<AuditAction>();
  const matching: AuditEntry[] = [];
  let total = 0;
  for await (const { entry } of checkedEntries(root)) {
    total++;
    const reviewer = reviewerOf(entry);
    if (reviewer !== undefined) actors.add(reviewer);
    actions.add(entry.type);
    if (matches(entry)) matching.push(entry);
  }
  const before = params.before;
  const earlier = before === undefined ? matching : matching.filter((entry) => entry.seq < before);
  const page = earlier.slice(-limit).reverse();
  return {
    root,
    entries: page.map(listed),
    total,
    matched: matching.length,
    next: earlier.length > limit ? page[page.length - 1].seq : undefined,
    actors: [...actors].sort((a, b) => a.localeCompare(b)),
    actions: AUDIT_ACTIONS.filter((action) => actions.has(action)),
  };
}
