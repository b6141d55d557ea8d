/**
 * `policy/show`, `policy/init`, `policy/apply`: the dataset's governance policy. A change is audited like a review
 * decision: its `policy-change` entry (the new file's sha256 and text) is appended before the file is replaced, under
 * `.veil/policy.lock`, so verify tells the policy in place from one edited outside Veil.
 */
import { resolve } from 'node:path';
import { ErrorCode, type Policy, type PolicyApplyParams, type PolicyChangeResult, type PolicyInitParams, type PolicyShowParams, type PolicyShowResult } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { locateDataset } from '../dataset/locate';
import { veilPath, veilRelative } from '../dataset/layout';
import { acquireLock } from '../storage/lock';
import { writeAtomic } from '../storage/durable';
import { sha256Hex } from '../storage/hash';
import { appendAudit } from '../audit/log';
import type { PolicyChangeEvent } from '../audit/events';
import { datasetPolicyBytes, parsePolicy, policyText, readPolicy, readPolicyBytes, starterPolicy } from '../policy/policy';
import { recipientsUnderPolicy } from '../policy/roles';
import { listedRecipients } from '../vault/recipients';
import { rotationNeeded } from '../vault/rotationNeeded';

/** How long a change waits for another one in progress. */
const CHANGE_WAIT_MS = 10_000;

export async function showPolicy(params: PolicyShowParams): Promise<PolicyShowResult> {
  const { root } = locateDataset(params.root);
  return { root, ...(await readPolicy(root)) };
}

/**
 * Puts `bytes` (a checked policy) in place of the dataset's policy: the audit entry first, then the crash-safe
 * write. A kill between the two leaves the entry without its file, which verify reports (policy-unaudited) until
 * the change is made again.
 */
async function replacePolicy(root: string, bytes: Buffer, policy: Policy, source: PolicyChangeEvent['source'], actor: Actor): Promise<PolicyChangeResult> {
  const lock = await acquireLock(root, `policy ${source}`, { file: 'policyLock', waitMs: CHANGE_WAIT_MS });
  try {
    const previous = await datasetPolicyBytes(root);
    if (source === 'init' && previous !== undefined) {
      throw new VeilError(ErrorCode.Conflict, 'exists already: edit it, then put it in place with `veil policy apply <dir> <file>`', veilRelative('policy'));
    }
    const sha256 = sha256Hex(bytes);
    // Its text, so that the policy in force at any entry can be read back from the log alone (policy/history.ts).
    const content = bytes.toString('utf8');
    const { checkpoint } = await appendAudit(root, { type: 'policy-change', actor, source, sha256, previousSha256: previous === undefined ? null : sha256Hex(previous), content });
    await writeAtomic(veilPath(root, 'policy'), bytes);
    return { root, sha256, checkpoint, rotationNeeded: await objectsToRotate(root, policy) };
  } finally {
    await lock.release();
  }
}

/**
 * What the new roles leave encrypted to the wrong recipients (README "Access with a purpose"): advice once the change is
 * made, so a recipients file that cannot be read leaves it out rather than failing a change already in place (commits
 * and `veil recipients list` report that file themselves).
 */
async function objectsToRotate(root: string, policy: Policy): Promise<PolicyChangeResult['rotationNeeded']> {
  const listed = await listedRecipients(root).catch(() => undefined);
  return listed && rotationNeeded(root, recipientsUnderPolicy(listed, policy.roles).recipients);
}

export function initPolicy(params: PolicyInitParams, actor: Actor): Promise<PolicyChangeResult> {
  const { root } = locateDataset(params.root);
  const policy = starterPolicy();
  return replacePolicy(root, Buffer.from(policyText(policy)), policy, 'init', actor);
}

/** The file is checked whole before anything is written: a malformed policy is refused naming the file and the field. */
export async function applyPolicy(params: PolicyApplyParams, actor: Actor): Promise<PolicyChangeResult> {
  const { root } = locateDataset(params.root);
  const bytes = await readPolicyBytes(resolve(params.file), params.file);
  return replacePolicy(root, bytes, parsePolicy(bytes, params.file), 'apply', actor);
}
