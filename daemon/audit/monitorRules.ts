/**
 * The monitor's rules over the audit log's entries: openings of originals outside the working hours, beyond the
 * openings allowed per reviewer and day, without a purpose or with one the policy does not allow, each judged by the
 * policy in force when it happened (policy/history.ts); refused openings; purges of originals whose retention had not
 * run out. Pure: the entries and the policy history in, the flags out (each naming its entry).
 */
import { acceptsFreeTextPurpose, type AuditFlag, type Policy, type PolicyMonitoring, type PolicyPurposes } from '../protocol';
import type { AuditEntry, OpenOriginalEvent, VaultPurgeEvent } from './events';
import { describeEntry } from './describe';
import { describeHours, wallClock, withinHours } from './monitorClock';
import { filesOf } from './trailFilter';
import { checkPurpose } from '../policy/purpose';
import type { PolicyHistory, PolicyInForce } from '../policy/history';

const DAY_MS = 24 * 60 * 60 * 1000;

type Opening = OpenOriginalEvent & AuditEntry;

/** Counts per reviewer and day are made in the working hours' time zone, so a night shift counts on one day; else UTC. */
function countingZone(monitoring: PolicyMonitoring): string {
  return monitoring.workingHours?.timeZone ?? 'UTC';
}

function flagOf(entry: AuditEntry, kind: AuditFlag['kind'], message: string): AuditFlag {
  const flag: AuditFlag = { kind, seq: entry.seq, at: entry.at, message };
  if ('actor' in entry) flag.actor = entry.actor.reviewer;
  const files = filesOf(entry);
  if (files.length > 0) flag.file = files[0];
  return flag;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The purpose an opening states (absent in entries written before purposes were recorded). */
export function purposeOf(entry: Opening): string | undefined {
  return entry.purpose || undefined;
}

/** Which policy judged an opening, for its flag: the one of a policy-change entry, or today's standing in for it. */
function judgedBy({ since, known }: PolicyInForce): string {
  if (since === null) return known ? '' : ' (by the policy in place now: the one in force then is not in the log)';
  return known ? ` (policy of entry ${since})` : ` (by the policy in place now: entry ${since} records only its policy's sha256)`;
}

/** An opening's purpose judged as an opening is judged (policy/purpose.ts), by the policy in force then. */
function purposeFlag(entry: Opening, purposes: PolicyPurposes, by: string): AuditFlag | undefined {
  const purpose = purposeOf(entry);
  if (purpose === undefined) return flagOf(entry, 'opening-without-purpose', 'original opened without a stated purpose');
  const check = checkPurpose(purpose, purposes);
  return check.accepted ? undefined : flagOf(entry, 'purpose-not-allowed', `original opened, but ${check.message}${by}`);
}

/** Flags of the openings, each by the policy in force then: hours, counts per reviewer and day, purposes. */
function openingFlags(openings: readonly Opening[], history: PolicyHistory): AuditFlag[] {
  const perDay = new Map<string, number>();
  const flags: AuditFlag[] = [];
  for (const entry of openings) {
    const inForce = history.at(entry.seq);
    const { workingHours, maxOpeningsPerActorPerDay: max } = inForce.policy.monitoring;
    const by = judgedBy(inForce);
    const at = new Date(entry.at);
    if (workingHours) {
      const clock = wallClock(at, workingHours.timeZone);
      if (!withinHours(clock, workingHours)) {
        flags.push(flagOf(entry, 'outside-working-hours', `original opened on ${clock.day} ${clock.date} at ${clock.time} (${workingHours.timeZone}), outside the working hours ${describeHours(workingHours)}${by}`));
      }
    }
    // Every opening is counted, on its day in the zone of the policy in force, whether or not that policy sets a limit.
    const zone = countingZone(inForce.policy.monitoring);
    const { date } = wallClock(at, zone);
    const key = JSON.stringify([entry.actor.reviewer, zone, date]);
    const count = (perDay.get(key) ?? 0) + 1;
    perDay.set(key, count);
    if (max !== null && count > max) {
      flags.push(flagOf(entry, 'too-many-openings', `${entry.actor.reviewer}'s ${ordinal(count)} opening on ${date} (${zone}); the policy allows ${max} per reviewer a day${by}`));
    }
    const purpose = purposeFlag(entry, inForce.policy.purposes, by);
    if (purpose) flags.push(purpose);
  }
  return flags;
}

/**
 * A purge before its retention ran out: forced (any state but "expired", with the reason the entry records), or
 * recorded as expired although the retention it states from the commit had not run out when it was written.
 */
function purgeFlag(entry: VaultPurgeEvent & AuditEntry): AuditFlag | undefined {
  const object = `vault object ${entry.vaultObject.slice(0, 12)}… (${entry.files.join(', ')})`;
  if (entry.state !== 'expired') return flagOf(entry, 'forced-purge', `${object} purged while ${entry.state}, forced: ${entry.reason ?? 'no reason recorded'}`);
  const { retentionDays: days } = entry;
  const expires = days === null ? Infinity : Date.parse(entry.committedAt) + days * DAY_MS;
  if (Date.parse(entry.at) >= expires) return undefined;
  const until = days === null ? 'the policy set no retention' : `its ${days} days from the commit at ${entry.committedAt} ran until ${new Date(expires).toISOString()}`;
  return flagOf(entry, 'forced-purge', `${object} purged as expired, but ${until}`);
}

/** Every flag the entries raise, each opening under the policy in force when it happened, in log order. */
export function entryFlags(entries: readonly AuditEntry[], history: PolicyHistory): AuditFlag[] {
  const openings = entries.filter((entry): entry is Opening => entry.type === 'open-original');
  const flags = openingFlags(openings, history);
  for (const entry of entries) {
    if (entry.type === 'open-refused') flags.push(flagOf(entry, 'opening-refused', describeEntry(entry)));
    if (entry.type === 'vault-purge') {
      const flag = purgeFlag(entry);
      if (flag) flags.push(flag);
    }
  }
  return flags.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** The policy's monitoring rules in words, each said as checked or as not set; then how earlier openings are judged. */
export function describeRules(policy: Policy, history: PolicyHistory): string[] {
  const { workingHours, maxOpeningsPerActorPerDay: max } = policy.monitoring;
  const { allowed } = policy.purposes;
  return [
    workingHours ? `openings outside the working hours ${describeHours(workingHours)} are flagged` : 'working hours: not set in the policy (monitoring.workingHours), no opening is judged by its hour',
    max !== null
      ? `more than ${max} opening(s) by one reviewer in a day (${countingZone(policy.monitoring)}) are flagged`
      : 'openings per reviewer and day: not set in the policy (monitoring.maxOpeningsPerActorPerDay), not counted',
    `openings without a purpose are flagged${acceptsFreeTextPurpose(policy.purposes) ? '' : `, as are purposes other than ${allowed.join(', ') || '(none listed)'}`}`,
    'refused openings and forced purges are flagged; so are problems of the audit chain, its checkpoint signatures and the policy',
    history.changes === 0
      ? 'the log records no change of policy: every opening is judged by these rules'
      : `these are the rules in place now; each opening is judged by the policy in force when it happened (${history.changes} policy change(s) in the log)`,
    ...history.notes,
  ];
}
