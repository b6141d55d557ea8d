/**
 * `.veil/rotation.json`: the plan of an in-flight change of recipients, written once (atomically) before anything
 * changes and removed when every object is done. What is already done needs no record here: each object's
 * vault-rewrap entry in the audit log, and the file in place, say it (see rotateObject.ts). While a plan exists,
 * commits are refused (recipients.ts): a commit reusing an object caught between its audit entry and its rename
 * would record a ciphertext the log has already replaced.
 */
import { rm } from 'node:fs/promises';
import { RECIPIENT_CHANGES, type RecipientChange } from '../protocol';
import type { Actor } from '../core/callContext';
import { veilDir, veilPath, veilRelative } from '../dataset/layout';
import { syncDir, writeAtomic } from '../storage/durable';
import { readStateTextIfPresent } from '../storage/stateFile';
import { actor, arrayOf, object, oneOf, optional, parseChecked, sha256, text, type Check } from '../storage/checks';

export interface RotationPlan {
  rotationId: string;
  startedAt: string;
  actor: Actor;
  change: RecipientChange;
  /** The recipient added or removed (absent for a rotation). */
  recipient?: string;
  /** The recipients listed after the change: every planned object is re-encrypted to exactly these. */
  recipients: string[];
  /** The vault objects (ids) found when the change was planned. */
  objects: string[];
}

const planFields = object({
  rotationId: text,
  startedAt: text,
  actor,
  change: oneOf(RECIPIENT_CHANGES),
  recipient: optional(text),
  recipients: arrayOf(text),
  objects: arrayOf(sha256),
});
/** The fields, and a recipient exactly when one is added or removed. */
const planProblem: Check = (value) => {
  const problem = planFields(value);
  if (problem !== undefined) return problem;
  const plan = value as RotationPlan;
  return (plan.change === 'rotate') === (plan.recipient === undefined) ? undefined : '.recipient: expected one for add and remove, none for rotate';
};

/** The unfinished change of recipients, if any; a plan that does not parse is refused naming the field. */
export async function loadRotationPlan(root: string): Promise<RotationPlan | undefined> {
  const planText = await readStateTextIfPresent(veilPath(root, 'rotationPlan'), veilRelative('rotationPlan'), 'the plan of a change of recipients');
  return planText === undefined ? undefined : parseChecked<RotationPlan>(planText, planProblem, 'plan of a change of recipients', veilRelative('rotationPlan'));
}

export async function writeRotationPlan(root: string, plan: RotationPlan): Promise<void> {
  await writeAtomic(veilPath(root, 'rotationPlan'), Buffer.from(JSON.stringify(plan, null, 1)));
}

export async function clearRotationPlan(root: string): Promise<void> {
  await rm(veilPath(root, 'rotationPlan'), { force: true });
  await syncDir(veilDir(root));
}

/** "remove age1…", "rotate": what the change does, in words. */
export function describeChange(plan: { change: RecipientChange; recipient?: string }): string {
  return plan.recipient === undefined ? plan.change : `${plan.change} ${plan.recipient}`;
}

/** The command that finishes an interrupted plan (running it again resumes it), as a person types it. */
export function finishCommand(plan: { change: RecipientChange; recipient?: string }): string {
  return `veil recipients ${plan.change} <dir>${plan.recipient === undefined ? '' : ` ${plan.recipient}`} --identity FILE`;
}
