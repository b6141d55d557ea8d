/**
 * Verify's pass over the log's checkpoint-signature entries: each signature must verify, be made by a trusted key,
 * cover only lines before its own, and the chain must still hold the head it signed (a log rewritten and rehashed
 * from some point on chains just as well, but no longer reaches a head signed after that point). What no trusted
 * signature covers is said as a limit: entries after the last signed checkpoint are only chained.
 */
import type { PolicySigner, VerifyFinding, VerifyFindingKind, VerifyResult } from '../protocol';
import { veilRelative } from '../dataset/layout';
import type { AuditEntry, CheckpointSignatureEvent } from './events';
import type { AuditReport } from './verifyLog';
import { signatureProblem } from './signatures';

export interface SignatureReport {
  findings: VerifyFinding[];
  /** Signature entries in the log. */
  signatures: number;
  signedThrough?: VerifyResult['signedThrough'];
  /** What the signatures leave unproven, in words (only when the dataset signs its log at all). */
  limits: string[];
}

export interface TrustedSigners {
  signers: readonly PolicySigner[];
  /** True when the keys were pinned by the verifier (`--signer`), false when taken from the dataset's own policy. */
  pinned: boolean;
}

const short = (text: string) => `${text.slice(0, 24)}…`;

/** The problems of one signature entry, each a finding kind and its message. */
function problemsOf(entry: CheckpointSignatureEvent & AuditEntry, heads: readonly string[], trustedName: string | undefined): Array<[VerifyFindingKind, string]> {
  const { entries, head } = entry.checkpoint;
  if (entries > entry.seq) return [['signature-invalid', `signs ${entries} entries, more than the ${entry.seq} lines before it`]];
  const problem = signatureProblem(entry);
  if (problem) return [['signature-invalid', problem]];
  const problems: Array<[VerifyFindingKind, string]> = [];
  if (heads[entries] !== head) {
    problems.push(['signed-history-rewritten', `the log's first ${entries} entries no longer hash to the head signed (${head.slice(0, 12)}…): history before the signed checkpoint was rewritten`]);
  }
  if (trustedName === undefined) problems.push(['signature-untrusted', `signed by a key no trusted signer holds (${short(entry.publicKey)}, signing as "${entry.signer}")`]);
  return problems;
}

/** Checks every signature entry of the verified log against the trusted signers. */
export function verifySignatures(audit: Pick<AuditReport, 'entries' | 'heads'>, trusted: TrustedSigners): SignatureReport {
  const names = new Map(trusted.signers.map((signer) => [signer.publicKey, signer.name]));
  const report: SignatureReport = { findings: [], signatures: 0, limits: [] };
  for (const entry of audit.entries) {
    if (entry.type !== 'checkpoint-signature') continue;
    report.signatures++;
    const name = names.get(entry.publicKey);
    const problems = problemsOf(entry, audit.heads, name);
    for (const [kind, message] of problems) report.findings.push({ kind, file: veilRelative('auditLog'), message: `entry ${entry.seq} (checkpoint signature by "${name ?? entry.signer}"): ${message}` });
    if (problems.length === 0 && name !== undefined && entry.checkpoint.entries >= (report.signedThrough?.entries ?? 0)) {
      report.signedThrough = { entries: entry.checkpoint.entries, signer: name, signedAt: entry.signedAt };
    }
  }
  if (report.signatures > 0 || trusted.signers.length > 0) report.limits.push(...coverageLimits(audit.entries, report.signedThrough, trusted.pinned));
  return report;
}

/** What is left unsigned: the entries after the last trusted signed checkpoint (signature entries themselves claim nothing). */
function coverageLimits(entries: readonly AuditEntry[], signed: SignatureReport['signedThrough'], pinned: boolean): string[] {
  const limits: string[] = [];
  const unsigned = entries.filter((entry) => entry.seq >= (signed?.entries ?? 0) && entry.type !== 'checkpoint-signature').length;
  if (!signed) {
    limits.push('no valid signature by a trusted key covers the log: it is only chained; sign it with `veil checkpoint sign`, or commit with a signing key');
  } else if (unsigned > 0) {
    limits.push(
      `${unsigned === 1 ? '1 entry comes' : `${unsigned} entries come`} after the last trusted signed checkpoint (the first ${signed.entries} entries, signed by ${signed.signer} at ${signed.signedAt}): ` +
        'they are only chained, not signed, and could have been rewritten or cut by anyone who can write the dataset',
    );
  }
  if (!pinned) {
    limits.push(
      `the trusted signers are those of the dataset's own ${veilRelative('policy')}, which whoever can write the dataset can change: ` +
        'pass --signer with the public keys you know to pin them',
    );
  }
  return limits;
}
