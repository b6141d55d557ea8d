/**
 * The policy in force at each entry of the audit log, read back from the log alone: every `policy-change` entry records
 * the text of the policy it put in place (its sha256 is the entry's), so the monitor judges an opening by the working
 * hours, daily limit and purposes of its time, not by today's (README "Monitoring"). The entry is written before the
 * file is replaced: the policy it records is in force for the entries after it.
 *
 * Before the first change: no policy (the defaults) when that change replaced no file; a file put in place outside Veil
 * otherwise, of which the log holds no text. A change whose text is not in the log (written before Veil recorded it,
 * or not hashing to its sha256) is recovered from the file in place when that is the same policy; else the entries it
 * governs are judged by today's policy, and a note says which.
 */
import type { Policy } from '../protocol';
import type { AuditEntry, PolicyChangeEvent } from '../audit/events';
import { sha256Hex } from '../storage/hash';
import { DEFAULT_POLICY, parsePolicy, type PolicyFile } from './policy';

export interface PolicyInForce {
  policy: Policy;
  /** The seq of the policy-change entry that put it in place; null before the first. */
  since: number | null;
  /** False: the policy of that time is not in the log, and `policy` is today's, standing in for it. */
  known: boolean;
}

export interface PolicyHistory {
  /** The policy in force at the entry numbered `seq`. */
  at(seq: number): PolicyInForce;
  /** The policy-change entries in the log. */
  changes: number;
  /** Each span of entries judged by today's policy because its own is not in the log, in words. */
  notes: string[];
}

type PolicyChange = PolicyChangeEvent & AuditEntry;

/** What the file in place is now: its sha256 (null when absent or unreadable) and its effective policy. */
export type PolicyNow = Pick<PolicyFile, 'sha256' | 'policy'>;

/** The policy whose file had sha256 `sha`, from the text `content` (when it hashes to it) or from the file in place. */
function recovered(sha: string, content: string | undefined, seq: number, now: PolicyNow): Policy | undefined {
  if (content !== undefined && sha256Hex(content) === sha) {
    try {
      return parsePolicy(Buffer.from(content, 'utf8'), `audit entry ${seq}`);
    } catch {
      // A text that hashes to its sha256 passed the same check when it was applied; a later Veil may refuse it: fall through.
    }
  }
  return now.sha256 === sha ? now.policy : undefined;
}

export function policyHistory(entries: readonly AuditEntry[], now: PolicyNow): PolicyHistory {
  const changes = entries.filter((entry): entry is PolicyChange => entry.type === 'policy-change');
  const notes: string[] = [];
  const todays = (since: number | null): PolicyInForce => ({ policy: now.policy, since, known: false });
  const first = changes[0];
  let before: PolicyInForce;
  if (!first) before = { policy: now.policy, since: null, known: true };
  else if (first.previousSha256 === null) before = { policy: DEFAULT_POLICY, since: null, known: true };
  else {
    const policy = recovered(first.previousSha256, undefined, first.seq, now);
    before = policy ? { policy, since: null, known: true } : todays(null);
    if (!policy && first.seq > 0) notes.push(`entries before ${first.seq}: judged by the policy in place now, since the one in force then was put in place outside Veil, and the log holds only its sha256`);
  }
  const spans = changes.map((change, index) => {
    const policy = recovered(change.sha256, change.content, change.seq, now);
    const [from, to] = [change.seq + 1, (changes[index + 1]?.seq ?? Infinity) - 1];
    if (!policy && from <= to) {
      const span = to === Infinity ? `entries after ${change.seq}` : from === to ? `entry ${from}` : `entries ${from} to ${to}`;
      notes.push(`${span}: judged by the policy in place now, since policy-change entry ${change.seq} records only its policy's sha256 (written before Veil recorded a policy's text)`);
    }
    return { seq: change.seq, inForce: policy ? { policy, since: change.seq, known: true } : todays(change.seq) };
  });
  return {
    changes: changes.length,
    notes,
    at(seq) {
      // The latest change before `seq` (entries are in log order; a binary search over a handful of changes is not worth it).
      let inForce = before;
      for (const span of spans) {
        if (span.seq >= seq) break;
        inForce = span.inForce;
      }
      return inForce;
    },
  };
}
