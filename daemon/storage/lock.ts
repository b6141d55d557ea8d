/**
 * Lock files under `.veil/`: `lock` (one commit per dataset at a time), `review.lock` (one read-modify-write
 * of the review state at a time) and `audit.lock` (one appender of the audit log at a time), across processes:
 * the extension's daemon, each CLI run and a second window may all write at once.
 * A lock is created atomically with its content (write a temp file, then hard-link it to the lock name,
 * which fails if the lock exists), so a lock file says who holds it. A lock left by a dead process on this
 * host, or one that does not say who holds it and is older than a minute (a power loss), is taken over; a younger
 * one is refused naming the file and the field at fault.
 */
import { hostname } from 'node:os';
import { link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { shardLockName, shardLockPath, shardOfLockName, veilDir, veilPath, veilRelative, type LockName } from '../dataset/layout';
import type { Shard } from '../protocol';
import { shardName } from '../dataset/shard';
import { TEMP_MARKER, tempPathFor } from './durable';
import { readStateText } from './stateFile';
import { object, parseChecked, text, type Check } from './checks';

const UNREADABLE_STALE_MS = 60_000;
const RETRY_MS = 5;

interface LockOwner {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}
const processId: Check = (value) => (Number.isInteger(value) && (value as number) > 0 ? undefined : ': expected a process id');
const lockOwnerProblem = object({ pid: processId, host: text, since: text, purpose: text });

export interface DatasetLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Which lock of the layout (default: the commit lock). */
  file?: LockName;
  /** How long to wait for a live holder before refusing (default: refuse at once). */
  waitMs?: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who holds the lock: its owner, 'gone' when it was released meanwhile, or the refusal of a lock file that does
 * not say it (empty after a power loss, hand-edited) — a Corrupt error naming the file and the field.
 */
async function readOwner(path: string, label: string): Promise<LockOwner | 'gone' | VeilError> {
  let text: string;
  try {
    text = await readStateText(path, label);
  } catch (error) {
    if (VeilError.is(error)) return error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return new VeilError(ErrorCode.Unreadable, `cannot read the lock file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, label);
  }
  try {
    return parseChecked<LockOwner>(text, lockOwnerProblem, 'lock file', label);
  } catch (error) {
    return error as VeilError;
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const temp = tempPathFor(path);
  await writeFile(temp, JSON.stringify(owner) + '\n', { flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    // EEXIST: held; ENOENT: our temp was swept by a commit's stray-file cleanup, so someone holds the lock.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * A process killed between writing its lock's temp file and removing it leaves `.<lock>.veil-tmp-*` behind (seen in
 * the review/audit kill drill, and a shard killed mid-run: verify reported each as a stray temp). The temp names its
 * writer: one of a dead process on this host goes at once; otherwise, as a live taker removes its temp within
 * milliseconds, one older than UNREADABLE_STALE_MS is a dead taker's. Whoever takes the lock next removes them.
 */
async function sweepDeadTemps(lockPath: string): Promise<void> {
  const dir = dirname(lockPath);
  const prefix = `.${basename(lockPath)}${TEMP_MARKER}`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && (Date.now() - info.mtimeMs > UNREADABLE_STALE_MS || (await writerIsGone(path)))) await rm(path, { force: true });
  }
}

/** Whether a lock temp is a dead taker's, by the rule a lock itself is taken over by (`isStale`). */
async function writerIsGone(path: string): Promise<boolean> {
  const owner = await readOwner(path, path);
  return owner !== 'gone' && (await isStale(path, owner));
}

async function isStale(path: string, holder: LockOwner | VeilError): Promise<boolean> {
  if (!VeilError.is(holder)) return holder.host === hostname() && !isAlive(holder.pid);
  if (holder.code !== ErrorCode.Corrupt) return false;
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS;
}

/**
 * Takes a dataset lock for `purpose`, or throws ErrorCode.Locked naming the holder. The commit lock (the default) is
 * the whole dataset's: it is held only while no shard's commit runs (`acquireShardLock`), and keeps new ones out.
 */
export async function acquireLock(root: string, purpose: string, options: LockOptions = {}): Promise<DatasetLock> {
  const name = options.file ?? 'commitLock';
  await mkdir(veilDir(root), { recursive: true });
  const use = { label: veilRelative(name), subject: 'the dataset', purpose, waitMs: options.waitMs };
  if (name !== 'commitLock') return acquireLockFile(veilPath(root, name), use);
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const lock = await acquireLockFile(veilPath(root, name), { ...use, waitMs: Math.max(0, deadline - Date.now()) });
    const shard = await liveShardHolder(root);
    if (shard === undefined) return lock;
    await lock.release();
    if (Date.now() >= deadline) throw new VeilError(ErrorCode.Locked, `the dataset is locked by the commit of shard ${shard.name} (${shard.who}). Wait for it to finish; if that process is gone, delete ${shard.label}`);
    await sleep(RETRY_MS * 20);
  }
}

/** How long a shard waits for the whole-dataset lock, which another shard holds for a moment only. */
const SHARD_GATE_WAIT_MS = 15_000;

/**
 * The commit lock of one shard: shards of a split commit side by side, each under its own lock file, while a
 * whole-dataset holder of `.veil/lock` (a commit without --shard, a purge, a restore, a change of recipients, a backup)
 * shuts them all out. The shard's lock is created while holding `.veil/lock` for a moment, so a whole-dataset holder
 * either sees it or keeps it from being made.
 */
export async function acquireShardLock(root: string, purpose: string, shard: Shard): Promise<DatasetLock> {
  await mkdir(veilPath(root, 'shardLocks'), { recursive: true });
  const gate = await acquireLockFile(veilPath(root, 'commitLock'), { label: veilRelative('commitLock'), subject: 'the dataset', purpose, waitMs: SHARD_GATE_WAIT_MS });
  try {
    return await acquireLockFile(shardLockPath(root, shard), { label: shardLockLabel(shard), subject: `shard ${shardName(shard)}`, purpose });
  } finally {
    await gate.release();
  }
}

function shardLockLabel(shard: Shard): string {
  return `${veilRelative('shardLocks')}/${shardLockName(shard)}`;
}

/** A shard whose commit runs now (its lock held by a live process); dead holders' locks are removed. */
async function liveShardHolder(root: string): Promise<{ name: string; who: string; label: string } | undefined> {
  const folder = veilPath(root, 'shardLocks');
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const shard = shardOfLockName(name);
    if (!shard) continue;
    const path = join(folder, name);
    const label = shardLockLabel(shard);
    const holder = await readOwner(path, label);
    if (holder === 'gone') continue;
    if (await isStale(path, holder)) {
      await rm(path, { force: true });
      continue;
    }
    const who = VeilError.is(holder) ? holder.message : `process ${holder.pid} on ${holder.host}, since ${holder.since}`;
    return { name: shardName(shard), who, label };
  }
  return undefined;
}

/** How a lock file is named in messages, and what it is taken for. */
export interface LockFileUse {
  /** The lock file as messages name it (`.veil/lock`). */
  label: string;
  /** What it locks, as a refusal says it ("the dataset", "the backup folder"). */
  subject: string;
  purpose: string;
  /** How long to wait for a live holder before refusing (default: refuse at once). */
  waitMs?: number;
}

/**
 * Takes the lock file at `path` (its folder exists), or throws ErrorCode.Locked naming the holder: the dataset's locks,
 * and the same lock for a file outside a dataset (a backup folder's).
 */
export async function acquireLockFile(path: string, { label, subject, purpose, waitMs = 0 }: LockFileUse): Promise<DatasetLock> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose };
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryCreate(path, owner)) {
      await sweepDeadTemps(path);
      return { release: () => rm(path, { force: true }) };
    }
    const holder = await readOwner(path, label);
    if (holder === 'gone') continue;
    if (await isStale(path, holder)) {
      // Move the dead holder's lock aside atomically; if two processes race, only one rename succeeds.
      const aside = `${path}.stale-${process.pid}`;
      await rename(path, aside).catch(() => undefined);
      await rm(aside, { force: true });
      continue;
    }
    // A lock that does not say who holds it is refused at once, naming the file and the field (waiting would not
    // help; once older than a minute it is taken over as a power loss's leftover).
    if (VeilError.is(holder)) {
      throw new VeilError(holder.code, `${holder.message}. If no Veil process is running on ${subject}, delete it`, holder.file);
    }
    if (Date.now() < deadline) {
      await sleep(RETRY_MS);
      continue;
    }
    const who = `process ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.since})`;
    throw new VeilError(ErrorCode.Locked, `${subject} is locked by ${who}. Wait for it to finish; if that process is gone, delete ${label}`);
  }
}
