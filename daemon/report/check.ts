/**
 * `report/check`: an evidence file checked as an auditor would: its signature verifies, the key is one the dataset's
 * policy trusts (or one the checker pinned, since whoever can write the dataset can change its policy), and the
 * dataset's audit log still holds the chain head the evidence states (a log rewritten or cut since no longer does).
 */
import { dirname, resolve } from 'node:path';
import { ErrorCode, type PolicySigner, type ReportCheckParams, type ReportCheckResult } from '../protocol';
import { VeilError } from '../errors';
import { isDatasetRoot, locateDataset } from '../dataset/locate';
import { readRegularFile } from '../storage/regularFile';
import { parseChecked } from '../storage/checks';
import { parsePublicKey } from '../audit/signingKey';
import { verifyAuditLog } from '../audit/verifyLog';
import { readPolicy } from '../policy/policy';
import { evidenceFileProblem, evidenceSignatureProblem, type EvidenceFile } from './evidenceFile';

/** An evidence file lists every file of a dataset a few times: 64 MB holds the report of a very large one. */
const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;

/** The dataset to compare against: the one given, else the one the file lies in (`.veil/reports/`), else none. */
function datasetFor(params: ReportCheckParams, file: string): string | undefined {
  if (params.root) return locateDataset(params.root).root;
  const { root } = locateDataset(dirname(file));
  return isDatasetRoot(root) ? root : undefined;
}

async function trustedSigners(params: ReportCheckParams, root: string | undefined): Promise<readonly PolicySigner[]> {
  if (params.signers) {
    return params.signers.map((publicKey, index) => {
      const problem = parsePublicKey(publicKey);
      if (typeof problem === 'string') throw new VeilError(ErrorCode.InvalidParams, `"signers[${index}]": ${problem}`);
      return { name: `pinned key ${index + 1}`, publicKey };
    });
  }
  return root === undefined ? [] : (await readPolicy(root)).policy.signers;
}

/** Whether the dataset's log still holds `head` after its first `entries` lines, or what became of it. */
async function headProblem(root: string, { entries, head }: { entries: number; head: string }): Promise<string | undefined> {
  const audit = await verifyAuditLog(root);
  if (audit.checkpoint.entries < entries) return `the dataset's audit log has ${audit.checkpoint.entries} entries, fewer than the ${entries} the evidence states: its tail was cut`;
  if (audit.heads[entries] !== head) return `the dataset's audit log no longer hashes to the evidence's head after ${entries} entries: its history was rewritten since the report`;
  return undefined;
}

export async function checkReport(params: ReportCheckParams): Promise<ReportCheckResult> {
  const file = resolve(params.file);
  const bytes = await readRegularFile(file, params.file, { what: 'an evidence file', maxBytes: MAX_EVIDENCE_BYTES });
  const evidence = parseChecked<EvidenceFile>(bytes.toString('utf8'), evidenceFileProblem, 'evidence file', params.file);
  const root = datasetFor(params, file);
  const signers = await trustedSigners(params, root);
  const problems: string[] = [];
  const invalid = evidenceSignatureProblem(evidence);
  if (invalid) problems.push(invalid);
  const { signature } = evidence;
  const trustedAs = signature ? signers.find((signer) => signer.publicKey === signature.publicKey)?.name : undefined;
  if (signature && trustedAs === undefined) {
    problems.push(`signed by a key ${params.signers ? 'none of the pinned keys is' : root ? "the dataset's policy does not list among its signers" : 'nothing trusts: give the dataset or --signer'} (${signature.publicKey})`);
  }
  const chain = { entries: evidence.evidence.chain.entries, head: evidence.evidence.chain.head };
  const cut = root === undefined ? undefined : await headProblem(root, chain);
  if (cut) problems.push(cut);
  return {
    file,
    ok: problems.length === 0,
    signature: signature ? { signer: trustedAs ?? signature.signer, publicKey: signature.publicKey, signedAt: signature.signedAt, valid: invalid === undefined, trusted: trustedAs !== undefined } : undefined,
    root,
    generatedAt: evidence.evidence.dataset.generatedAt,
    checkpoint: chain,
    problems,
  };
}
