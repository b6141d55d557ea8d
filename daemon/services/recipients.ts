/**
 * `recipients/list`, `recipients/add`, `recipients/remove`, `recipients/rotate`: who can open the originals, and
 * changing it. A change runs under the dataset (commit) lock, so no commit runs during it; it first finishes any change
 * a killed or cancelled run left (running the same command again is how one resumes), then plans and carries out the
 * one asked for (daemon/vault/rotateRun.ts), or nothing when it is already done. README "Key lifecycle" says what each guarantees and what it cannot undo.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  ErrorCode,
  type RecipientChange,
  type RecipientsChangeOutcome,
  type RecipientsChangeResult,
  type RecipientsListParams,
  type RecipientsListResult,
} from '../protocol';
import { VeilError } from '../errors';
import type { Actor, CallContext } from '../core/callContext';
import { locateDataset } from '../dataset/locate';
import { LAYOUT, veilDir, veilRelative, type LayoutName } from '../dataset/layout';
import { TEMP_MARKER } from '../storage/durable';
import { auditCheckpoint } from '../audit/log';
import { acquireLock } from '../storage/lock';
import { Journal } from '../commit/journal';
import { findStrayTemps } from '../commit/cleanup';
import { loadIdentities, passphraseFromEnv } from '../vault/identity';
import { checkRecipient, encryptionRecipients, listedRecipients } from '../vault/recipients';
import { readPolicy } from '../policy/policy';
import { openingRoleRecipients, recipientsUnderPolicy, rolesByRecipient } from '../policy/roles';
import { loadRotationPlan, type RotationPlan } from '../vault/rotatePlan';
import { runRotation } from '../vault/rotateRun';
import { listVaultObjects } from '../vault/vault';
import { readVaultIndex, type IndexedCiphertext } from '../vault/vaultIndex';

export interface RecipientsChangeRequest {
  root: string;
  change: RecipientChange;
  /** The recipient to add or remove (absent for a rotation). */
  recipient?: string;
  identity: string;
  passphrase?: string;
}

/**
 * Each recipient with the objects encrypted to it, as the vault index records them (read only: no lock, no key).
 * "Listed" is what commits encrypt to now: recipients.txt and the policy's opening roles (policy/roles.ts).
 */
export async function listRecipients(params: RecipientsListParams): Promise<RecipientsListResult> {
  const { root } = locateDataset(params.root);
  const [{ recipients: listed, withheld }, { policy }, objects, index, unfinished] = await Promise.all([
    encryptionRecipients(root),
    readPolicy(root),
    listVaultObjects(root),
    readVaultIndex(root),
    loadRotationPlan(root),
  ]);
  const roles = rolesByRecipient(policy.roles);
  // Listed recipients first, in file order, then the roles', then those the policy holds back; former ones join as the index names them.
  const opens = new Map<string, number>([...listed, ...withheld.map((held) => held.recipient)].map((recipient) => [recipient, 0]));
  let unknown = 0;
  for (const id of objects) {
    const entry = index.get(id);
    if (!entry) unknown++;
    for (const recipient of new Set(entry?.recipients)) opens.set(recipient, (opens.get(recipient) ?? 0) + 1);
  }
  return {
    root,
    recipients: [...opens].map(([recipient, count]) => ({ recipient, listed: listed.includes(recipient), roles: roles.get(recipient) ?? [], opens: count })),
    objects: objects.length,
    unknown,
    unfinished: unfinished && { change: unfinished.change, recipient: unfinished.recipient },
  };
}

/** Whether the index records every object, each with recipients passing `test` (an object with no record never does). */
function everyObjectRecorded(objects: readonly string[], index: ReadonlyMap<string, IndexedCiphertext>, test: (recipients: readonly string[]) => boolean): boolean {
  return objects.every((id) => {
    const entry = index.get(id);
    return entry !== undefined && test(entry.recipients);
  });
}

/**
 * The plan of `request`, or undefined when it is already done: the recipient listed (or not) and every object recorded
 * as encrypted to it (or not), so that running a command again after a run killed at its very end changes nothing.
 * A change that cannot be made is refused here, before anything is written.
 */
async function planChange(root: string, request: RecipientsChangeRequest, actor: Actor): Promise<RotationPlan | undefined> {
  const { change, recipient } = request;
  const [inFile, { policy }, objects, index] = await Promise.all([listedRecipients(root), readPolicy(root), listVaultObjects(root), readVaultIndex(root)]);
  // Every change re-encrypts to what commits encrypt to after it: recipients.txt (as the change leaves it) under the policy's roles.
  const underPolicy = (listed: readonly string[]) => recipientsUnderPolicy(listed, policy.roles).recipients;
  const plan = (recipients: string[]): RotationPlan => ({ rotationId: randomUUID(), startedAt: new Date().toISOString(), actor, change, recipient, recipients, objects });
  const file = veilRelative('recipients');
  const current = underPolicy(inFile);
  if (change === 'rotate') {
    if (current.length === 0) throw new VeilError(ErrorCode.KeyError, 'lists no recipient (nor does any role of the policy that may open originals): there is nobody to re-encrypt the originals to', file);
    return plan(current);
  }
  const roleNames = rolesByRecipient(policy.roles).get(recipient!) ?? [];
  const opensByRole = openingRoleRecipients(policy.roles).includes(recipient!);
  if (change === 'add') {
    const after = underPolicy([...inFile, recipient!]);
    if (!after.includes(recipient!)) {
      throw new VeilError(ErrorCode.KeyError, `the policy names ${recipient} only in roles that may not open originals (${roleNames.join(', ')}): it is never encrypted to; change its role with \`veil policy apply\` first`, veilRelative('policy'));
    }
    if (current.includes(recipient!) && everyObjectRecorded(objects, index, (recipients) => recipients.includes(recipient!))) return undefined;
    return plan(after);
  }
  if (opensByRole) {
    throw new VeilError(ErrorCode.KeyError, `${recipient} is a recipient of the policy's role ${roleNames.join(', ')}, which may open originals: take it out of the policy with \`veil policy apply\`, then run \`veil recipients rotate\``, veilRelative('policy'));
  }
  const rest = underPolicy(inFile.filter((listedRecipient) => listedRecipient !== recipient));
  if (rest.length === 0) throw new VeilError(ErrorCode.KeyError, 'refusing to remove the last recipient: nobody could open the originals any more; add the new recipient first', file);
  if (!current.includes(recipient!) && !inFile.includes(recipient!) && everyObjectRecorded(objects, index, (recipients) => !recipients.includes(recipient!))) return undefined;
  return plan(rest);
}

/** The files of .veil/ a change writes, and the locks it takes. */
const CHANGE_FILES: readonly LayoutName[] = ['rotationPlan', 'recipients', 'vaultRecipients', 'commitLock', 'auditLock'];

/**
 * Removes the temps a killed change left in .veil/ (of its files and lock takers; a live taker of a lock whose temp
 * goes retries). Not those of other writers, nor of the vault: an interrupted change's audited ciphertext waits there
 * to be renamed (rotateObject.ts).
 */
async function removeOwnStrayTemps(root: string): Promise<void> {
  const own = (path: string) => CHANGE_FILES.some((name) => basename(path).startsWith(`.${LAYOUT[name]}${TEMP_MARKER}`));
  await Promise.all((await findStrayTemps([veilDir(root)])).filter(own).map((path) => rm(path, { force: true })));
}

function sameChange(plan: RotationPlan, request: RecipientsChangeRequest): boolean {
  return plan.change === request.change && plan.recipient === request.recipient;
}

/** `objectsInFlight`: objects re-encrypted at once (the benchmark compares counts; the default suits 2 cores). */
export async function changeRecipients(request: RecipientsChangeRequest, ctx: CallContext, options: { objectsInFlight?: number } = {}): Promise<RecipientsChangeResult> {
  const { root } = locateDataset(request.root);
  if ((request.change === 'rotate') !== (request.recipient === undefined)) {
    throw new VeilError(ErrorCode.InvalidParams, `${request.change} takes ${request.change === 'rotate' ? 'no recipient' : 'a recipient (age1…)'}`);
  }
  if (request.recipient !== undefined) checkRecipient(request.recipient, 'recipient');
  const { passphrase } = request;
  // Loaded (a wrong passphrase refused) before the lock is taken or anything is written.
  const identities = await loadIdentities(resolve(request.identity), passphrase !== undefined ? async () => passphrase : passphraseFromEnv());
  const lock = await acquireLock(root, `recipients ${request.change}`);
  try {
    if ((await Journal.unfinished(root)).length > 0) {
      throw new VeilError(ErrorCode.Conflict, 'a commit was interrupted; run `veil commit` to finish it before changing the recipients', veilRelative('journal'));
    }
    await removeOwnStrayTemps(root);
    const changes: RecipientsChangeOutcome[] = [];
    const finish = async (cancelled: boolean): Promise<RecipientsChangeResult> => ({
      root,
      recipients: (await encryptionRecipients(root)).recipients,
      changes,
      cancelled,
      checkpoint: await auditCheckpoint(root),
    });
    const unfinished = await loadRotationPlan(root);
    if (unfinished) {
      const resumed = await runRotation({ root, plan: unfinished, identities, ctx, fresh: false, ...options });
      changes.push(resumed.outcome);
      if (resumed.cancelled || sameChange(unfinished, request)) return await finish(resumed.cancelled);
    }
    const plan = await planChange(root, request, ctx.actor);
    if (!plan) return await finish(false);
    const asked = await runRotation({ root, plan, identities, ctx, fresh: true, ...options });
    changes.push(asked.outcome);
    return await finish(asked.cancelled);
  } finally {
    await lock.release();
  }
}
