/**
 * `signer/create` and `checkpoint/sign`, and the signature a commit ends with: Ed25519 keys that vouch for the audit
 * log's history (see daemon/audit/signatures.ts). A signing key never lives inside a dataset: whoever could read it
 * there could sign a forged history.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { ErrorCode, type CheckpointSignParams, type CheckpointSignResult, type SignerCreateParams, type SignerCreateResult } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { isInside, realWriteTarget } from '../dataset/paths';
import { locateDataset } from '../dataset/locate';
import { veilRelative } from '../dataset/layout';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { signatureEvent } from '../audit/signatures';
import { loadSigningKey, writeNewSigningKey, type SigningKey } from '../audit/signingKey';
import { readPolicy } from '../policy/policy';
import { refuseKeyInDataset } from './keys';

const FORGED_HISTORY = 'anyone with the dataset could sign a forged history';

export async function createSigner(params: SignerCreateParams): Promise<SignerCreateResult> {
  const out = realWriteTarget(params.out);
  refuseKeyInDataset(out, undefined, params.out, FORGED_HISTORY);
  await mkdir(dirname(out), { recursive: true });
  return { publicKey: await writeNewSigningKey(out, params.out), keyFile: out };
}

/** A key ready to sign a dataset's log, under the name the dataset's policy gives it. */
export interface DatasetSigner {
  key: SigningKey;
  /** The policy's name for the key, or the reviewer's when the policy does not list it. */
  name: string;
  trusted: boolean;
}

/** Loads the key at `keyPath` for signing `root`'s log: refused when it lies inside that dataset, or is no Ed25519 key. */
export async function datasetSigner(root: string, keyPath: string, actor: Actor): Promise<DatasetSigner> {
  const real = realWriteTarget(keyPath);
  if (isInside(root, real)) throw new VeilError(ErrorCode.BadPath, `the signing key lies inside the dataset it signs (${FORGED_HISTORY}); keep it outside`, keyPath);
  const key = await loadSigningKey(real, keyPath);
  const listed = (await readPolicy(root)).policy.signers.find((signer) => signer.publicKey === key.publicKey);
  return { key, name: listed?.name ?? actor.reviewer, trusted: listed !== undefined };
}

/** Appends the signature of the log's current checkpoint: it covers every line before its own. */
export async function signAuditLog(root: string, signer: DatasetSigner, actor: Actor): Promise<CheckpointSignResult> {
  const signed = await auditCheckpoint(root);
  if (signed.entries === 0) throw new VeilError(ErrorCode.InvalidParams, 'the audit log is empty: there is no history to sign yet', veilRelative('auditLog'));
  const { checkpoint } = await appendAudit(root, signatureEvent(signer.key, signed, signer.name, actor));
  return { signed, signer: signer.name, publicKey: signer.key.publicKey, trusted: signer.trusted, checkpoint };
}

export async function signCheckpoint(params: CheckpointSignParams, actor: Actor): Promise<CheckpointSignResult> {
  const { root } = locateDataset(params.root);
  return signAuditLog(root, await datasetSigner(root, params.key, actor), actor);
}

/** The signing key a commit uses: the one asked for, else VEIL_SIGNING_KEY of the daemon's environment (an absolute path). */
export function commitSigningKey(asked: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.VEIL_SIGNING_KEY;
  if (asked !== undefined || !fromEnv) return asked;
  if (!isAbsolute(fromEnv)) throw new VeilError(ErrorCode.InvalidParams, `VEIL_SIGNING_KEY must be an absolute path (got "${fromEnv}")`);
  return fromEnv;
}
