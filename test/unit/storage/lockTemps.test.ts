/**
 * The temp file a lock is made from (storage/lock.ts): a process killed between writing it and removing it leaves it;
 * the next taker of that lock removes it at once when it names a process of this host that is gone, and leaves a live
 * taker's alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../../daemon/storage/lock';
import { tempDir } from '../../support/images';

function lockTemp(root: string, suffix: string, pid: number): string {
  const path = join(root, '.veil', `.review.lock.veil-tmp-${suffix}`);
  writeFileSync(path, JSON.stringify({ pid, host: hostname(), since: new Date().toISOString(), purpose: 'review write' }) + '\n');
  return path;
}

describe('lock temps', () => {
  it("the next taker removes a dead taker's temp at once, and keeps a live one's", async () => {
    const root = tempDir();
    mkdirSync(join(root, '.veil'));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const dead = lockTemp(root, 'dead00000000', deadPid);
    const live = lockTemp(root, 'live00000000', process.pid);
    const half = join(root, '.veil', '.review.lock.veil-tmp-half00000000');
    writeFileSync(half, '{"pid":');
    const lock = await acquireLock(root, 'review write', { file: 'reviewLock' });
    await lock.release();
    assert.equal(existsSync(dead), false, 'a temp naming a process that is gone');
    assert.equal(existsSync(live), true, 'a temp naming a live process is its own to remove');
    assert.equal(existsSync(half), true, 'a half-written temp names no one: it waits out the minute');
  });
});
