/**
 * Carrying out a change of recipients (or finishing an interrupted one), under the dataset lock held by the caller:
 * every object its plan lists must open with the given identity (checked before this run changes anything); the plan
 * is written; the recipients-change entry is appended to the audit log (once per change); recipients.txt is edited;
 * then each object is re-encrypted (rotateObject.ts), a few at a time, cancellable between objects; last, the vault
 * index is compacted and the plan removed. Every step can be run again after a kill at any point.
 */
import type { FileFailure, RecipientsChangeOutcome } from '../protocol';
import { ErrorCode } from '../protocol';
import { VeilError, causeFor, fileFailure } from '../errors';
import type { CallContext } from '../core/callContext';
import { eachInFlight } from '../core/inFlight';
import { vaultObjectPath, vaultObjectRelative } from '../dataset/layout';
import { appendAudit } from '../audit/log';
import { checkedEntries } from '../audit/entries';
import type { AuditEntry } from '../audit/events';
import { ciphertextHistories, type CiphertextHistory } from '../audit/ciphertexts';
import { addRecipient, recipientsSha256, removeRecipient } from './recipients';
import { checkOpens, headerOpener, type HeaderOpener } from './reseal';
import { rotateObject, type ObjectRotation } from './rotateObject';
import { clearRotationPlan, writeRotationPlan, type RotationPlan } from './rotatePlan';
import { listVaultObjects } from './vault';
import { compactVaultIndex } from './vaultIndex';

/**
 * Objects re-encrypted at once. Each holds one 1 MiB block, so memory does not limit this; the hashing and cipher run
 * on the daemon's one thread, so a second object only fills the waits for the other's three fsyncs (bench/rotate.ts,
 * 1,000 objects of 3 MB, quietest run: 28.7 s one at a time, 24.5 s two, 24.3 s three).
 */
const OBJECTS_IN_FLIGHT = 2;
/** Headers checked at once before a change starts (each an open, a read of up to 64 KiB and an X25519 unwrap). */
const HEADERS_IN_FLIGHT = 4;
/** Objects named in a refusal; the rest are counted. */
const NAMED_REFUSALS = 3;

export interface RotationRun {
  root: string;
  plan: RotationPlan;
  identities: readonly string[];
  ctx: CallContext;
  /** True for a change planned now (nothing written yet); false to finish one a killed or cancelled run left. */
  fresh: boolean;
  /** Objects re-encrypted at once (default OBJECTS_IN_FLIGHT; the benchmark compares others). */
  objectsInFlight?: number;
}

/** Refuses, before anything changes, objects that the identity cannot open: they could not be re-encrypted. */
async function checkIdentityOpens(root: string, objects: readonly string[], opener: HeaderOpener): Promise<void> {
  const refused: string[] = [];
  await eachInFlight(objects, HEADERS_IN_FLIGHT, async (id) => {
    try {
      await checkOpens(vaultObjectPath(root, id), id, opener);
    } catch (error) {
      refused.push(causeFor('', error));
    }
  });
  if (refused.length === 0) return;
  const named = refused.sort().slice(0, NAMED_REFUSALS).join('; ');
  const more = refused.length > NAMED_REFUSALS ? `; and ${refused.length - NAMED_REFUSALS} more` : '';
  throw new VeilError(
    ErrorCode.KeyError,
    `the identity opens ${objects.length - refused.length} of the ${objects.length} vault objects to re-encrypt, not ${named}${more}. ` +
      'Nothing was changed: pass an identity file holding a key for each (one file may hold several AGE-SECRET-KEY-1 lines)',
  );
}

async function auditEntries(root: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const { entry } of checkedEntries(root)) entries.push(entry);
  return entries;
}

async function applyToRecipientsFile(root: string, plan: RotationPlan): Promise<void> {
  if (plan.change === 'add') await addRecipient(root, plan.recipient!);
  if (plan.change === 'remove') await removeRecipient(root, plan.recipient!);
}

export async function runRotation({ root, plan, identities, ctx, fresh, objectsInFlight = OBJECTS_IN_FLIGHT }: RotationRun): Promise<{ outcome: RecipientsChangeOutcome; cancelled: boolean }> {
  const entries = fresh ? [] : await auditEntries(root);
  const histories: ReadonlyMap<string, CiphertextHistory> = ciphertextHistories(entries);
  const todo = plan.objects.filter((id) => histories.get(id)?.latestRotation !== plan.rotationId);
  const opener = headerOpener(identities);
  await checkIdentityOpens(root, todo, opener);
  if (fresh) await writeRotationPlan(root, plan);
  if (!entries.some((entry) => entry.type === 'recipients-change' && entry.rotationId === plan.rotationId)) {
    await appendAudit(root, {
      type: 'recipients-change',
      actor: plan.actor,
      rotationId: plan.rotationId,
      change: plan.change,
      recipient: plan.recipient,
      recipients: plan.recipients,
      recipientsSha256: recipientsSha256(plan.recipients),
      objects: plan.objects.length,
    });
  }
  await applyToRecipientsFile(root, plan);

  const step: ObjectRotation = { root, plan, opener, actor: ctx.actor, histories };
  const failures: FileFailure[] = [];
  let reencrypted = 0;
  let done = 0;
  const total = plan.objects.length;
  const cancelled = await eachInFlight(plan.objects, objectsInFlight, async (id) => {
    const file = vaultObjectRelative(id);
    ctx.progress({ done, total, file, message: 're-encrypting' });
    try {
      if ((await rotateObject(step, id)) !== 'already') reencrypted++;
    } catch (error) {
      failures.push(fileFailure(file, error));
    }
    done++;
  }, ctx.token);
  ctx.progress({ done, total, message: cancelled ? 'cancelled' : 're-encrypted' });
  if (!cancelled) {
    await compactVaultIndex(root, await listVaultObjects(root));
    await clearRotationPlan(root);
  }
  failures.sort((a, b) => a.file.localeCompare(b.file));
  return { outcome: { change: plan.change, recipient: plan.recipient, resumed: !fresh, objects: total, reencrypted, failures }, cancelled };
}
