/**
 * `vault/purge`: encrypted originals past their retention removed from the vault (crypto-shredding: with every copy of
 * an object gone, no key opens it any more). Under the dataset lock (no commit, restore or change of recipients meanwhile)
 * and the retention lock (no hold placed meanwhile). Its steps, each of which can run again after a `kill -9` anywhere:
 *
 * 1. refused while a commit or a change of recipients is unfinished (either may rely on an object);
 * 2. every purge an earlier run logged whose object is still there is finished: unlinked, the folder fsync'd;
 * 3. each original is weighed against the policy's retention, the holds and the restores, at `now` (retention.ts);
 * 4. per object purged, one at a time: the sha256 of its ciphertext, its vault-purge entry appended (fsync'd), then the
 *    unlink, then the vault folder fsync'd. A kill between the entry and the unlink leaves an object the next run
 *    finishes (step 2) and verify reports until then (`purge-unfinished`).
 *
 * Nothing younger than its retention, held, restored, or kept by a policy without retention days is purged unless
 * forced, and only for files named, with a reason the entry records. README "Retention, purge and restore".
 */
import { rm } from 'node:fs/promises';
import { ErrorCode, type FileFailure, type PolicyRetention, type RetentionItem, type VaultPurgeParams, type VaultPurgeResult } from '../protocol';
import { VeilError } from '../errors';
import type { Actor, CallContext } from '../core/callContext';
import { eachInFlight } from '../core/inFlight';
import { locateDataset } from '../dataset/locate';
import { vaultObjectPath, vaultObjectRelative, veilPath, veilRelative } from '../dataset/layout';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { acquireLock, type DatasetLock } from '../storage/lock';
import { syncDir } from '../storage/durable';
import { sha256OfRegularFile } from '../storage/regularFile';
import { readPolicy } from '../policy/policy';
import { Journal } from '../commit/journal';
import { describeChange, finishCommand, loadRotationPlan } from '../vault/rotatePlan';
import { listVaultObjects } from '../vault/vault';
import { removeOwnTemps } from './retentionTemps';
import { keptBecause, loggedFileName, purgedObjects, readAuditEntries, retentionFacts, retentionItem, type RetentionFacts } from '../vault/retention';

export interface PurgeOptions {
  /** The clock retention is weighed against (tests pass a later one instead of waiting days); default: now. */
  now?: () => Date;
}

/** How long a purge waits for a hold being placed (each is one audit append). */
const HOLD_WAIT_MS = 10_000;

/** What the run weighed: each original with its state, the named files it refuses, and the objects to purge. */
interface Weighed {
  originals: RetentionItem[];
  refused: FileFailure[];
  toPurge: RetentionItem[];
}

function checkParams(params: VaultPurgeParams): string | undefined {
  const reason = params.reason?.trim();
  if (params.reason !== undefined && !reason) throw new VeilError(ErrorCode.InvalidParams, '"reason" must say why, when given');
  if (params.force && (params.files === undefined || params.files.length === 0)) {
    throw new VeilError(ErrorCode.InvalidParams, '"force" purges the originals of the files named in "files" only, never the whole vault at once');
  }
  if (params.force && !reason) throw new VeilError(ErrorCode.InvalidParams, '"force" needs a "reason": each forced purge records it in the audit log');
  return reason;
}

/** Refuses while a commit or a change of recipients is unfinished: either may rely on an object a purge would remove. */
async function refuseUnfinished(root: string): Promise<void> {
  if ((await Journal.unfinished(root)).length > 0) throw new VeilError(ErrorCode.Conflict, 'a commit was interrupted; run `veil commit` to finish it before purging', veilRelative('journal'));
  const rotation = await loadRotationPlan(root);
  if (rotation) {
    throw new VeilError(ErrorCode.Conflict, `a change of recipients (${describeChange(rotation)}) was interrupted; run \`${finishCommand(rotation)}\` to finish it before purging`, veilRelative('rotationPlan'));
  }
}

/**
 * Every original of the vault, or those of the named files: weighed, and picked to purge when expired (a whole-vault
 * run only when the policy's action is "purge"), or named and forced. Named files not purged are refused with why.
 */
function weigh(root: string, params: VaultPurgeParams, facts: RetentionFacts, present: ReadonlySet<string>, retention: PolicyRetention, now: Date): Weighed {
  const items = new Map<string, RetentionItem>();
  const itemOf = (id: string) => items.get(id) ?? items.set(id, retentionItem(facts, facts.originals.get(id)!, retention, now)).get(id)!;
  if (params.files === undefined) {
    for (const [id, life] of facts.originals) if (!life.purge && present.has(id)) itemOf(id);
    const toPurge = retention.action === 'purge' ? [...items.values()].filter((item) => item.state === 'expired') : [];
    return { originals: [...items.values()], refused: [], toPurge };
  }
  const refused: FileFailure[] = [];
  const toPurge = new Map<string, RetentionItem>();
  const refuse = (file: string, code: ErrorCode, message: string) => refused.push({ file, code, message });
  for (const file of new Set(params.files.map((requested) => loggedFileName(root, requested)))) {
    if (!facts.commits.has(file)) {
      refuse(file, ErrorCode.BadPath, 'has no original in the vault (never committed)');
      continue;
    }
    for (const life of [...facts.originals.values()].filter((candidate) => candidate.files.has(file))) {
      if (life.purge) refuse(file, ErrorCode.Conflict, `its original ${life.id.slice(0, 12)}… was purged already (audit entry ${life.purge.seq})`);
      else if (!present.has(life.id)) refuse(file, ErrorCode.KeyError, `its original ${life.id.slice(0, 12)}… is missing from the vault with no purge logged (deleted outside Veil: verify reports it); nothing to purge`);
      else {
        const item = itemOf(life.id);
        if (item.state === 'expired' || params.force) toPurge.set(item.vaultObject, item);
        else refuse(file, ErrorCode.Conflict, `not purged: ${keptBecause(item)}`);
      }
    }
  }
  return { originals: [...items.values()], refused, toPurge: [...toPurge.values()] };
}

/** Removes a vault object for good: the unlink made durable. */
async function unlinkObject(root: string, id: string): Promise<void> {
  await rm(vaultObjectPath(root, id), { force: true });
  await syncDir(veilPath(root, 'vault'));
}

async function purgeObject(root: string, item: RetentionItem, retention: PolicyRetention, actor: Actor, reason: string | undefined): Promise<void> {
  const id = item.vaultObject;
  const { sha256 } = await sha256OfRegularFile(vaultObjectPath(root, id), vaultObjectRelative(id), { what: 'a vault object', maxBytes: Number.MAX_SAFE_INTEGER });
  await appendAudit(root, {
    type: 'vault-purge',
    actor,
    vaultObject: id,
    vaultSha256: sha256,
    files: item.files,
    committedAt: item.committedAt,
    retentionDays: retention.days,
    state: item.state,
    ...(reason === undefined ? {} : { reason }),
  });
  await unlinkObject(root, id);
}

async function withPurgeLocks<T>(root: string, work: () => Promise<T>): Promise<T> {
  const locks: DatasetLock[] = [await acquireLock(root, 'purge')];
  try {
    locks.push(await acquireLock(root, 'purge', { file: 'retentionLock', waitMs: HOLD_WAIT_MS }));
    return await work();
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}

export async function purgeVault(params: VaultPurgeParams, ctx: CallContext, options: PurgeOptions = {}): Promise<VaultPurgeResult> {
  const { root } = locateDataset(params.root);
  const reason = checkParams(params);
  const dryRun = params.dryRun ?? false;
  return withPurgeLocks(root, async () => {
    await removeOwnTemps(root, ['commitLock', 'retentionLock', 'auditLock']);
    await refuseUnfinished(root);
    const now = (options.now ?? (() => new Date()))();
    const { retention } = (await readPolicy(root)).policy;
    const facts = retentionFacts(await readAuditEntries(root));
    const present = new Set(await listVaultObjects(root));
    const finished = [...purgedObjects(facts).keys()].filter((id) => present.has(id));
    const { originals, refused, toPurge } = weigh(root, params, facts, present, retention, now);
    const result = (purged: string[], cancelled: boolean): Promise<VaultPurgeResult> =>
      auditCheckpoint(root).then((checkpoint) => ({ root, retention, dryRun, originals, purged, finished, refused, cancelled, checkpoint }));
    if (dryRun) return result(toPurge.map((item) => item.vaultObject), false);

    for (const id of finished) await unlinkObject(root, id);
    const purged: string[] = [];
    const total = toPurge.length;
    const cancelled = await eachInFlight(
      toPurge,
      1,
      async (item) => {
        ctx.progress({ done: purged.length, total, file: vaultObjectRelative(item.vaultObject), message: 'purging' });
        await purgeObject(root, item, retention, ctx.actor, reason);
        purged.push(item.vaultObject);
      },
      ctx.token,
    );
    ctx.progress({ done: purged.length, total, message: cancelled ? 'cancelled' : 'purged' });
    return result(purged, cancelled);
  });
}
