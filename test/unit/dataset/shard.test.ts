import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { checkShard, inShard, shardOf } from '../../../daemon/dataset/shard';
import { acquireLock, acquireShardLock } from '../../../daemon/storage/lock';
import { writeAtomicNew } from '../../../daemon/storage/durable';
import { shardOption } from '../../../cli/args';
import { tempDir } from '../../support/images';

const files = Array.from({ length: 2000 }, (_, i) => `folder ${i % 7}/image-${i}.jpg`);

describe('shards', () => {
  it('puts every file in exactly one shard of any split, the same one in every process, spread evenly', () => {
    for (const count of [1, 2, 3, 4, 16]) {
      const sizes = new Array<number>(count).fill(0);
      for (const file of files) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => inShard(file, { index, count }));
        assert.deepEqual(owners, [shardOf(file, count)], file);
        sizes[owners[0]!]++;
      }
      // 2,000 files: each shard within 25 % of its even share (a hash, not a round robin).
      for (const size of sizes) assert.ok(Math.abs(size - files.length / count) < 0.25 * (files.length / count), `${count} shards: ${sizes.join(', ')}`);
    }
    assert.equal(shardOf('a/b.jpg', 4), shardOf('a/b.jpg', 4));
    assert.equal(inShard('anything.jpg', undefined), true);
  });

  it('takes i/n 0-based, and refuses what is not a shard with the rule in the message', () => {
    assert.deepEqual(shardOption('3/4'), { index: 3, count: 4 });
    assert.equal(shardOption(undefined), undefined);
    for (const bad of ['4/4', '1/0', '-1/4', '1', 'a/b', '1/4/2']) assert.throws(() => shardOption(bad), /0-based|must be i\/n/, bad);
    assert.throws(() => checkShard({ index: 4, count: 4 }), (error: unknown) => VeilError.is(error) && error.code === ErrorCode.InvalidParams && /from 0 to 3/.test(error.message));
    assert.throws(() => checkShard({ index: 0, count: 5000 }), /from 1 to 4096/);
  });

  it('lets the shards of a split commit side by side, refuses a shard twice, and shuts a whole-dataset holder out while one runs', async () => {
    const root = tempDir('veil-shard-locks-');
    const first = await acquireShardLock(root, 'commit 0/2', { index: 0, count: 2 });
    const second = await acquireShardLock(root, 'commit 1/2', { index: 1, count: 2 });
    await assert.rejects(acquireShardLock(root, 'commit 0/2', { index: 0, count: 2 }), (error: unknown) => VeilError.is(error) && error.code === ErrorCode.Locked && /shard 0\/2 is locked by process/.test(error.message));
    await assert.rejects(acquireLock(root, 'purge'), (error: unknown) => VeilError.is(error) && error.code === ErrorCode.Locked && /commit of shard [01]\/2/.test(error.message));
    await first.release();
    await assert.rejects(acquireLock(root, 'commit'), /commit of shard 1\/2/);
    await second.release();
    const whole = await acquireLock(root, 'commit');
    await whole.release();
    // A shard lock left by a dead process is no holder.
    writeFileSync(join(root, '.veil', 'shard-locks', '0-of-2.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: new Date().toISOString(), purpose: 'commit 0/2' }) + '\n');
    const after = await acquireLock(root, 'commit');
    await after.release();
    assert.deepEqual(readdirSync(join(root, '.veil', 'shard-locks')), []);
  });

  it('lands a content-addressed file once when two writers store it at once: the second finds it there and leaves it', async () => {
    const dir = tempDir('veil-publish-new-');
    mkdirSync(join(dir, 'vault'));
    const target = join(dir, 'vault', 'object.age');
    assert.equal(await writeAtomicNew(target, Buffer.from('first')), true);
    assert.equal(await writeAtomicNew(target, Buffer.from('second')), false);
    assert.equal(readFileSync(target, 'utf8'), 'first');
    assert.deepEqual(readdirSync(join(dir, 'vault')), ['object.age'], 'a temp file was left behind');
  });
});
