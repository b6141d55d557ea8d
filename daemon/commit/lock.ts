/**
 * `.veil/lock`: one commit per dataset at a time. The lock is created atomically with its content (write a
 * temp file, then hard-link it to the lock name, which fails if the lock exists), so a lock file always says
 * who holds it. A lock left by a dead process on this host is taken over.
 */
import { hostname } from 'node:os';
import { link, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { VEIL_DIR } from '../review/store';
import { tempPathFor, writeSynced } from '../storage/durable';

export const LOCK_FILE = 'lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

export interface DatasetLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const temp = tempPathFor(path);
  await writeSynced(temp, Buffer.from(JSON.stringify(owner) + '\n'), { exclusive: true });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    // EEXIST: held; ENOENT: our temp was cleaned up by the holder's stray-file sweep, so someone holds it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Takes the dataset's lock for `purpose` or throws ErrorCode.Locked naming the holder. */
export async function acquireLock(root: string, purpose: string): Promise<DatasetLock> {
  await mkdir(join(root, VEIL_DIR), { recursive: true });
  const path = join(root, VEIL_DIR, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(path, owner)) {
      return { release: () => rm(path, { force: true }) };
    }
    const holder = await readOwner(path);
    const stale = holder !== undefined && holder.host === owner.host && !isAlive(holder.pid);
    if (!stale) {
      const who = holder ? `process ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.since})` : 'another process';
      throw new VeilError(
        ErrorCode.Locked,
        `the dataset is locked by ${who}. Wait for it to finish; if that process is gone, delete .veil/lock`,
      );
    }
    // Move the dead holder's lock aside atomically; if two processes race, only one rename succeeds.
    await rename(path, `${path}.stale-${process.pid}`).catch(() => undefined);
    await rm(`${path}.stale-${process.pid}`, { force: true });
  }
  throw new VeilError(ErrorCode.Locked, 'the dataset lock changed hands while taking it over; try again');
}
