/**
 * What verify checks of the dataset's policy, and whom it trusts to sign checkpoints. The policy in place must be
 * the one the last policy-change entry recorded (written through Veil, audited first); the trusted signers are the
 * policy's, or the keys the verifier pinned from outside the dataset (`signers`).
 */
import { ErrorCode, type PolicySigner, type VerifyFinding } from '../protocol';
import { VeilError } from '../errors';
import { veilRelative } from '../dataset/layout';
import { sha256Hex } from '../storage/hash';
import type { AuditEntry, PolicyChangeEvent } from '../audit/events';
import { parsePublicKey } from '../audit/signingKey';
import type { TrustedSigners } from '../audit/verifySignatures';
import { datasetPolicyBytes, parsePolicy } from '../policy/policy';
import { readOrFinding } from './stateFinding';

export interface Governance {
  findings: VerifyFinding[];
  trusted: TrustedSigners;
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** The policy file (its bytes, absent when there is none) against the last policy-change entry. */
function policyAuditFindings(bytes: Buffer | undefined, entries: readonly AuditEntry[]): VerifyFinding[] {
  let last: (PolicyChangeEvent & AuditEntry) | undefined;
  for (const entry of entries) if (entry.type === 'policy-change') last = entry;
  const sha = bytes === undefined ? undefined : sha256Hex(bytes);
  if (sha === last?.sha256) return [];
  const message =
    last === undefined
      ? 'no policy-change entry records it (written outside Veil): put it in place with `veil policy apply`'
      : sha === undefined
        ? `is missing, yet the last policy-change entry (${last.seq}) put a policy in place: removed outside Veil`
        : `is not the policy the last policy-change entry (${last.seq}) recorded (sha256 ${short(sha)}, audited ${short(last.sha256)}): ` +
          'edited outside Veil, or that change was never written; put it in place with `veil policy apply`';
  return [{ kind: 'policy-unaudited', file: veilRelative('policy'), message }];
}

/** Keys the verifier trusts, named as the policy names them. A malformed key is refused (InvalidParams) before anything is checked. */
function pinnedSigners(keys: readonly string[], named: readonly PolicySigner[]): TrustedSigners {
  keys.forEach((key, index) => {
    const problem = parsePublicKey(key);
    if (typeof problem === 'string') throw new VeilError(ErrorCode.InvalidParams, `"signers[${index}]": ${problem}`);
  });
  const nameOf = (key: string, index: number) => named.find((signer) => signer.publicKey === key)?.name ?? `pinned key ${index + 1}`;
  return { pinned: true, signers: keys.map((publicKey, index) => ({ name: nameOf(publicKey, index), publicKey })) };
}

export async function checkGovernance(root: string, entries: readonly AuditEntry[], pinned: readonly string[] | undefined): Promise<Governance> {
  const findings: VerifyFinding[] = [];
  let signers: readonly PolicySigner[] = [];
  const bytes = await readOrFinding(() => datasetPolicyBytes(root));
  if ('finding' in bytes) findings.push(bytes.finding);
  else {
    findings.push(...policyAuditFindings(bytes.value, entries));
    const policy = bytes.value === undefined ? undefined : await readOrFinding(async () => parsePolicy(bytes.value!, veilRelative('policy')));
    if (policy && 'finding' in policy) findings.push(policy.finding);
    else if (policy) signers = policy.value.signers;
  }
  return { findings, trusted: pinned ? pinnedSigners(pinned, signers) : { signers, pinned: false } };
}
