/**
 * `audit/monitor`: what the audit log shows that someone should look at (README "Monitoring"). The log's own
 * integrity, as `verify` checks it (the chain, every checkpoint signature against the trusted signers, the policy
 * against its last policy-change entry), then the entries, each opening judged by the policy in force when it happened
 * (audit/monitorRules.ts, policy/history.ts). A log
 * that does not chain is flagged, not refused: its readable entries are still judged.
 */
import type { AuditFlag, AuditFlagKind, AuditMonitorParams, AuditMonitorResult, Checkpoint, Policy, VerifyFinding, VerifyFindingKind } from '../protocol';
import { locateDataset } from '../dataset/locate';
import { verifyAuditLog } from '../audit/verifyLog';
import { verifySignatures } from '../audit/verifySignatures';
import type { AuditEntry } from '../audit/events';
import { describeRules, entryFlags } from '../audit/monitorRules';
import { trailMatcher } from '../audit/trailFilter';
import { listed } from '../audit/list';
import { DEFAULT_POLICY, readPolicy } from '../policy/policy';
import { policyHistory, type PolicyNow } from '../policy/history';
import { checkGovernance } from '../verify/governance';

/** The flag each integrity finding of verify raises (the finding's kind stays in its message). */
const INTEGRITY_FLAGS: Partial<Record<VerifyFindingKind, AuditFlagKind>> = {
  'audit-chain': 'audit-chain',
  'audit-checkpoint': 'audit-chain',
  'signature-invalid': 'signature-problem',
  'signature-untrusted': 'signature-problem',
  'signed-history-rewritten': 'signature-problem',
  'policy-unaudited': 'policy-problem',
  'state-corrupt': 'policy-problem',
};

function integrityFlag(finding: VerifyFinding): AuditFlag {
  const kind = INTEGRITY_FLAGS[finding.kind];
  if (!kind) throw new Error(`no monitor flag for the verify finding ${finding.kind}`);
  return { kind, file: finding.file, message: `${finding.kind}: ${finding.message}` };
}

/** What the monitor found over one reading of the log, before the filter: kept whole for the report. */
export interface MonitorReading {
  result: AuditMonitorResult;
  /** The entries read (those that parse), in log order. */
  entries: AuditEntry[];
  /** The log's checkpoint as read. */
  checkpoint: Checkpoint;
  policy: Policy;
}

export async function readMonitor(params: AuditMonitorParams): Promise<MonitorReading> {
  const { root } = locateDataset(params.root);
  const audit = await verifyAuditLog(root);
  const governance = await checkGovernance(root, audit.entries, params.signers);
  const signatures = verifySignatures(audit, governance.trusted);
  // A policy that does not parse is a flag of its own (governance): its rules fall back to the defaults.
  const now: PolicyNow = await readPolicy(root).catch(() => ({ sha256: null, policy: DEFAULT_POLICY }));
  const { policy } = now;
  const history = policyHistory(audit.entries, now);
  const integrity = [...audit.findings, ...governance.findings, ...signatures.findings].map(integrityFlag);
  const matching = audit.entries.filter(trailMatcher(params));
  const shown = new Set(matching.map((entry) => entry.seq));
  const flags = [...integrity, ...entryFlags(audit.entries, history).filter((flag) => flag.seq !== undefined && shown.has(flag.seq))];
  const openings = audit.entries.filter((entry) => entry.type === 'open-original' && shown.has(entry.seq)).length;
  return {
    entries: audit.entries,
    checkpoint: audit.checkpoint,
    policy,
    result: {
      root,
      ok: flags.length === 0,
      flags,
      checked: { entries: audit.checkpoint.entries, openings, signatures: signatures.signatures },
      rules: describeRules(policy, history),
      trail: params.trail ? { entries: matching.map(listed), total: audit.entries.length, matched: matching.length } : undefined,
    },
  };
}

export async function monitorAudit(params: AuditMonitorParams): Promise<AuditMonitorResult> {
  return (await readMonitor(params)).result;
}
