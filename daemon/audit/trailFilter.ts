/** Which entries a reading of the audit trail keeps: one filter for `audit/list` and `audit/monitor`, so both pick alike. */
import type { AuditTrailFilter } from '../protocol';
import type { AuditEntry } from './events';

/** The reviewer an entry records (absent for `audit-repair`, written by whichever process found the torn line). */
export function reviewerOf(entry: AuditEntry): string | undefined {
  return 'actor' in entry ? entry.actor.reviewer : undefined;
}

/** The dataset files an entry is about: one for most, every image of a purged original, none for a run or a policy change. */
export function filesOf(entry: AuditEntry): readonly string[] {
  if ('file' in entry) return [entry.file];
  return 'files' in entry ? entry.files : [];
}

/** A test every filter given must pass: reviewer, action, file, and `since` ≤ time < `until`. */
export function trailMatcher(filter: AuditTrailFilter): (entry: AuditEntry) => boolean {
  const actions = filter.actions === undefined ? undefined : new Set<string>(filter.actions);
  const since = filter.since === undefined ? -Infinity : Date.parse(filter.since);
  const until = filter.until === undefined ? Infinity : Date.parse(filter.until);
  return (entry) => {
    if (filter.actor !== undefined && reviewerOf(entry) !== filter.actor) return false;
    if (actions && !actions.has(entry.type)) return false;
    if (filter.file !== undefined && !filesOf(entry).includes(filter.file)) return false;
    const at = Date.parse(entry.at);
    return at >= since && at < until;
  };
}
