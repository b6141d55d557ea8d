/**
 * One vault object of a change of recipients, crash-safe and resumable. It is re-encrypted (reseal.ts) into a temp
 * file whose name is fixed per object and change, fsync'd; its recipients are recorded in the vault index; its
 * vault-rewrap entry is appended to the audit log (fsync'd); then the temp is renamed over the object. The entry
 * comes before the rename, so the log never lacks a ciphertext that is in place, and the object's id stays the
 * sha256 of its original. A run killed anywhere leaves the old object (any temp is redone), or the audited
 * ciphertext waiting in the temp (renamed by the next run), or the new object in place (nothing left to do).
 */
import { stat, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { vaultObjectPath, vaultObjectRelative } from '../dataset/layout';
import { appendAudit } from '../audit/log';
import type { CiphertextHistory } from '../audit/ciphertexts';
import { TEMP_MARKER, publish } from '../storage/durable';
import { sha256OfRegularFile } from '../storage/regularFile';
import { recipientsSha256 } from './recipients';
import { resealObject, type HeaderOpener } from './reseal';
import type { RotationPlan } from './rotatePlan';
import { recordCiphertext } from './vaultIndex';

export interface ObjectRotation {
  root: string;
  plan: RotationPlan;
  /** The keys of a current key holder: they open each object before it is re-encrypted. */
  opener: HeaderOpener;
  /** Who runs this pass (written into its vault-rewrap entries; the plan keeps who started the change). */
  actor: Actor;
  /** What the audit log says of each object, read when an interrupted change is resumed (empty for a new one). */
  histories: ReadonlyMap<string, CiphertextHistory>;
}

/** re-encrypted: now; finished: an interrupted run's audited ciphertext renamed into place; already: it was done. */
export type ObjectRotated = 're-encrypted' | 'finished' | 'already';

/** The temp of `id` in change `rotationId`: hidden and marked like every temp, so stray-temp checks find a leftover. */
function rotationTemp(path: string, rotationId: string): string {
  return join(dirname(path), `.${basename(path)}${TEMP_MARKER}rotation-${rotationId}`);
}

/** sha256 of a file, undefined when it does not exist. */
async function shaIfPresent(path: string, id: string): Promise<string | undefined> {
  if (!(await stat(path).catch(() => undefined))) return undefined;
  return (await sha256OfRegularFile(path, vaultObjectRelative(id), { what: 'a vault object', maxBytes: Number.MAX_SAFE_INTEGER })).sha256;
}

export async function rotateObject(r: ObjectRotation, id: string): Promise<ObjectRotated> {
  const path = vaultObjectPath(r.root, id);
  const temp = rotationTemp(path, r.plan.rotationId);
  const history = r.histories.get(id);
  const audited = history?.latestRotation === r.plan.rotationId ? history.latest : undefined;
  if (audited !== undefined) {
    if ((await shaIfPresent(temp, id)) === audited) {
      await publish(temp, path);
      return 'finished';
    }
    if ((await shaIfPresent(path, id)) === audited) {
      await rm(temp, { force: true });
      return 'already';
    }
    // The audited ciphertext never landed (its temp is gone): re-encrypted again below, under a new entry.
  }
  await rm(temp, { force: true });
  if (!(await stat(path).catch(() => undefined))) throw new VeilError(ErrorCode.KeyError, 'vault object is missing (removed since the change was planned)', vaultObjectRelative(id));
  try {
    const resealed = await resealObject(path, temp, id, r.opener, r.plan.recipients);
    await recordCiphertext(r.root, { vaultObject: id, vaultSha256: resealed.sha256, recipients: r.plan.recipients });
    await appendAudit(r.root, {
      type: 'vault-rewrap',
      actor: r.actor,
      rotationId: r.plan.rotationId,
      vaultObject: id,
      previousSha256: resealed.previousSha256,
      vaultSha256: resealed.sha256,
      recipientsSha256: recipientsSha256(r.plan.recipients),
    });
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await publish(temp, path);
  return 're-encrypted';
}
