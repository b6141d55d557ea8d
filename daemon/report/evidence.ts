/**
 * The evidence a compliance report states, built from what the daemon read (the audit log, the review state, the
 * scan, the policy, the vault, the verification and the monitor): one object, signed as the evidence file and drawn as
 * the HTML report, so the page shows exactly what the signature covers. Pure: the readings in, the evidence out.
 */
import type {
  AuditFlag,
  AuditMonitorResult,
  Checkpoint,
  ImageRecord,
  ModelInfo,
  OpenRefusal,
  PolicyMonitoring,
  PolicyPurposes,
  PolicyRetention,
  PolicySigner,
  RecipientChange,
  RecipientsListResult,
  RecipientOpens,
  RetentionItem,
  RetentionState,
  VerifyFinding,
  VerifyResult,
} from '../protocol';
import { RETENTION_STATES } from '../protocol';
import type { Actor } from '../core/callContext';
import type { AuditEntry } from '../audit/events';
import type { DatasetScan } from '../dataset/listFaceFiles';
import type { Exclusion } from '../review/exclusions';
import type { PolicyFile } from '../policy/policy';
import { retentionFacts, retentionItem } from '../vault/retention';
import { purposeOf } from '../audit/monitorRules';
import type { EvidenceCore } from './evidenceFile';
import { anonymization, type Anonymization } from './anonymization';
import { reviewHistory, type ReviewHistory } from './reviewHistory';

export interface Evidence extends EvidenceCore {
  dataset: { name: string; root: string; generatedAt: string; generatedBy: Actor; daemonVersion: string };
  /** The audit log as the report read it, and how far trusted signatures reach. */
  chain: Checkpoint & { signatures: number; signedThrough: { entries: number; signer: string; signedAt: string } | null };
  policy: {
    present: boolean;
    sha256: string | null;
    roles: Array<{ name: string; description: string; members: string[]; recipients: string[]; mayOpenOriginals: boolean }>;
    purposes: PolicyPurposes;
    retention: PolicyRetention;
    monitoring: PolicyMonitoring;
    signers: PolicySigner[];
  };
  anonymization: Anonymization;
  review: ReviewHistory;
  verification: {
    ok: boolean;
    /** Faces were searched for again in every committed image (with the model named). */
    redetect: { model: string } | null;
    /** Vault objects were decrypted (an identity was given), not only matched against their audited hashes. */
    decrypted: boolean;
    checked: VerifyResult['checked'];
    findings: VerifyFinding[];
    limits: string[];
  };
  vault: {
    objects: number;
    recipients: RecipientOpens[];
    /** Objects with no record of their recipients. */
    unknownRecipients: number;
    retention: PolicyRetention & { states: Record<RetentionState, number>; expired: RetentionItem[]; held: RetentionItem[] };
    purged: Array<{ seq: number; at: string; actor: string; vaultObject: string; files: string[]; state: RetentionState; reason: string | null }>;
  };
  keyChanges: Array<{ seq: number; at: string; actor: string; change: RecipientChange; recipient: string | null; recipients: string[]; objects: number; rewrapped: number }>;
  openings: Array<{ seq: number; at: string; actor: string; file: string; purpose: string | null; recipient: string | null; to: string }>;
  refusals: Array<{ seq: number; at: string; actor: string; file: string; reason: OpenRefusal; purpose: string | null }>;
  restores: Array<{ seq: number; at: string; actor: string; file: string; purpose: string }>;
  monitoring: { ok: boolean; flags: AuditFlag[]; rules: string[] };
}

export interface EvidenceReadings {
  root: string;
  name: string;
  now: Date;
  actor: Actor;
  daemonVersion: string;
  entries: readonly AuditEntry[];
  checkpoint: Checkpoint;
  records: readonly ImageRecord[];
  scan: DatasetScan;
  exclusions: ReadonlyMap<string, Exclusion>;
  models: readonly ModelInfo[];
  policy: PolicyFile;
  recipients: RecipientsListResult;
  verify: VerifyResult;
  redetectModel: string | null;
  decrypted: boolean;
  monitor: AuditMonitorResult;
}

function retentionSection(entries: readonly AuditEntry[], retention: PolicyRetention, now: Date): Evidence['vault']['retention'] {
  const facts = retentionFacts(entries);
  const items = [...facts.originals.values()].filter((life) => !life.purge).map((life) => retentionItem(facts, life, retention, now));
  const states = Object.fromEntries(RETENTION_STATES.map((state) => [state, items.filter((item) => item.state === state).length])) as Record<RetentionState, number>;
  return { ...retention, states, expired: items.filter((item) => item.state === 'expired'), held: items.filter((item) => item.state === 'held') };
}

/** The log's records of who could open the originals, who opened them and why, and what was purged. */
function accessSections(entries: readonly AuditEntry[]): Pick<Evidence, 'keyChanges' | 'openings' | 'refusals' | 'restores'> & { purged: Evidence['vault']['purged'] } {
  const rewrapped = new Map<string, number>();
  for (const entry of entries) if (entry.type === 'vault-rewrap') rewrapped.set(entry.rotationId, (rewrapped.get(entry.rotationId) ?? 0) + 1);
  const sections: ReturnType<typeof accessSections> = { keyChanges: [], openings: [], refusals: [], restores: [], purged: [] };
  for (const entry of entries) {
    const { seq, at } = entry;
    switch (entry.type) {
      case 'recipients-change':
        sections.keyChanges.push({
          seq,
          at,
          actor: entry.actor.reviewer,
          change: entry.change,
          recipient: entry.recipient ?? null,
          recipients: entry.recipients,
          objects: entry.objects,
          rewrapped: rewrapped.get(entry.rotationId) ?? 0,
        });
        break;
      case 'open-original':
        sections.openings.push({
          seq,
          at,
          actor: entry.actor.reviewer,
          file: entry.file,
          purpose: purposeOf(entry) ?? null,
          recipient: entry.recipient ?? null,
          to: 'out' in entry ? `written to ${entry.out}` : 'shownIn' in entry ? `shown in ${entry.shownIn} from memory` : 'restored into the dataset',
        });
        break;
      case 'open-refused':
        sections.refusals.push({ seq, at, actor: entry.actor.reviewer, file: entry.file, reason: entry.reason, purpose: entry.purpose ?? null });
        break;
      case 'restore-original':
        sections.restores.push({ seq, at, actor: entry.actor.reviewer, file: entry.file, purpose: entry.purpose });
        break;
      case 'vault-purge':
        sections.purged.push({ seq, at, actor: entry.actor.reviewer, vaultObject: entry.vaultObject, files: entry.files, state: entry.state, reason: entry.reason ?? null });
        break;
      default:
        break;
    }
  }
  return sections;
}

export function buildEvidence(readings: EvidenceReadings): Evidence {
  const { entries, policy: policyFile, verify, monitor } = readings;
  const { policy } = policyFile;
  const { purged, ...access } = accessSections(entries);
  return {
    dataset: { name: readings.name, root: readings.root, generatedAt: readings.now.toISOString(), generatedBy: readings.actor, daemonVersion: readings.daemonVersion },
    chain: { ...readings.checkpoint, signatures: verify.checked.signatures, signedThrough: verify.signedThrough ?? null },
    policy: {
      present: policyFile.present,
      sha256: policyFile.sha256,
      roles: Object.entries(policy.roles).map(([name, role]) => ({ name, ...role })),
      purposes: policy.purposes,
      retention: policy.retention,
      monitoring: policy.monitoring,
      signers: policy.signers,
    },
    anonymization: anonymization(entries, readings.records, readings.scan, readings.exclusions, readings.models),
    review: reviewHistory(entries),
    verification: {
      ok: verify.ok,
      redetect: readings.redetectModel === null ? null : { model: readings.redetectModel },
      decrypted: readings.decrypted,
      checked: verify.checked,
      findings: verify.findings,
      limits: verify.limits,
    },
    vault: {
      objects: readings.recipients.objects,
      recipients: readings.recipients.recipients,
      unknownRecipients: readings.recipients.unknown,
      retention: retentionSection(entries, policy.retention, readings.now),
      purged,
    },
    ...access,
    monitoring: { ok: monitor.ok, flags: monitor.flags, rules: monitor.rules },
  };
}
