/**
 * Issue #14 item 6, its last sentence (README "What the shared filesystem must provide"): Veil's locks hold across a
 * second mount of the same dataset folder. The folder is bind-mounted at a second path in a mount namespace of each
 * process started "through mount B" (test/support/bindMount.ts); the others use its own path ("mount A"). So the
 * processes know the dataset by two path strings, as shards on two hosts of one NFS export may, while the lock files
 * they make are the same files. Every run is the real CLI (dist/cli.js, which starts its own daemon).
 *
 * A bind mount shares the host's page cache with the first mount: what it proves is that nothing in Veil keys a lock
 * or a write to the path it was given; an NFS client's caching (README's close-to-open requirement) is not exercised.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { hostname } from 'node:os';
import { EXIT } from '../../cli/exitCodes';
import { shardLockPath, veilPath } from '../../daemon/dataset/layout';
import { bindMount, bindMountWay, type BindMount } from '../support/bindMount';
import { CLI_COMMAND, runCli, type CliRun } from '../support/cli';
import { NO_FACE, place, tempDir } from '../support/images';
import { auditLines } from '../support/reviewAudit';
import { ALL, BATCH, addRecipient, assertSameAsOneProcess, assertSameReviewState, assertShardRan, makeShardDataset, pausedWhileHolding, verifiedClean } from '../support/shardRuns';

const SHARDS = 4;
const SIZE = 256;

/** The CLI through mount B, given the dataset's path there. */
function cliThrough(mount: BindMount, args: (root: string) => string[]): Promise<CliRun> {
  return mount.run([...CLI_COMMAND, ...args(mount.target)]);
}

/** Shard `index` of SHARDS through mount A when even, through mount B when odd: two through each, all at once. */
function shardsThroughBothMounts(mount: BindMount, args: (root: string, shard: string) => string[]): Promise<CliRun[]> {
  return Promise.all(
    Array.from({ length: SHARDS }, (_, index) => {
      const shard = `${index}/${SHARDS}`;
      return index % 2 === 0 ? runCli(args(mount.source, shard)) : cliThrough(mount, (root) => args(root, shard));
    }),
  );
}

describe('a second mount of the same dataset folder: the locks hold across two mounts (bind mounts in mount namespaces)', function () {
  this.timeout(600_000);

  before(() => {
    bindMountWay(); // fails the suite, saying why, where no bind mount can be made
  });

  it('a shard commit holding its lock through mount A makes the same shard and a whole-dataset commit through mount B refuse, naming it, while another shard commits through B; a whole-dataset commit through B shuts a shard through A out', async () => {
    const root = await makeShardDataset(512);
    const mount = bindMount(root);
    await addRecipient(root);
    assert.equal((await runCli(['detect', root])).code, EXIT.ok);

    const held = await pausedWhileHolding(runCli(['commit', root, ...BATCH, '--shard', '1/2']), shardLockPath(root, { index: 1, count: 2 }));
    const again = await cliThrough(mount, (at) => ['commit', at, ...BATCH, '--shard', '1/2']);
    assert.equal(again.code, EXIT.failed, again.stdout + again.stderr);
    assert.match(again.stderr, new RegExp(`shard 1/2 is locked by process ${held.pid} on ${hostname()} .*Wait for it to finish`));
    const whole = await cliThrough(mount, (at) => ['commit', at, ...BATCH]);
    assert.equal(whole.code, EXIT.failed, whole.stdout + whole.stderr);
    assert.match(whole.stderr, new RegExp(`the dataset is locked by the commit of shard 1/2 \\(process ${held.pid} on ${hostname()}, `));
    const other = await cliThrough(mount, (at) => ['commit', at, ...BATCH, '--shard', '0/2', '--json']);
    assert.equal(other.code, EXIT.ok, `another shard commits through mount B beside it: ${other.stdout}${other.stderr}`);
    const first = await held.resume();
    assert.equal(first.code, EXIT.ok, first.stdout + first.stderr);

    // The other way round: a whole-dataset commit through B, stopped while it holds .veil/lock (seen through A).
    place(NO_FACE, root, 'later/coffee-2.png');
    assert.equal((await runCli(['detect', root])).code, EXIT.ok);
    const wholeHeld = await pausedWhileHolding(cliThrough(mount, (at) => ['commit', at, ...BATCH]), veilPath(root, 'commitLock'));
    const shut = await runCli(['commit', root, ...BATCH, '--shard', '0/2']);
    assert.equal(shut.code, EXIT.failed, shut.stdout + shut.stderr);
    assert.match(shut.stderr, new RegExp(`the dataset is locked by process ${wholeHeld.pid} on ${hostname()} `));
    const wholeRun = await wholeHeld.resume();
    assert.equal(wholeRun.code, EXIT.ok, wholeRun.stdout + wholeRun.stderr);

    await verifiedClean(runCli(['verify', root, '--json']));
    await verifiedClean(cliThrough(mount, (at) => ['verify', at, '--json']));
  });

  it('4 shards at once, two through each mount, detect and commit exactly what one process does, and verify through either mount finds nothing', async () => {
    const one = await makeShardDataset(SIZE);
    const four = tempDir('veil-shards-four-');
    cpSync(one, four, { recursive: true });
    const mount = bindMount(four);
    await addRecipient(one);
    await addRecipient(four);

    assert.equal((await runCli(['detect', one])).code, EXIT.ok);
    const detects = await shardsThroughBothMounts(mount, (root, shard) => ['detect', root, '--shard', shard, '--json']);
    detects.forEach((run, index) => assertShardRan('detect', run, index, SHARDS));
    assertSameReviewState(one, four);

    const committed = await runCli(['commit', one, ...BATCH]);
    assert.equal(committed.code, EXIT.ok, committed.stdout + committed.stderr);
    const commits = await shardsThroughBothMounts(mount, (root, shard) => ['commit', root, ...BATCH, '--shard', shard, '--json']);
    commits.forEach((run, index) => assertShardRan('commit', run, index, SHARDS));
    await assertSameAsOneProcess(one, four, SHARDS, SIZE);

    const entries = auditLines(four).length;
    for (const verify of [await verifiedClean(runCli(['verify', four, '--json'])), await verifiedClean(cliThrough(mount, (at) => ['verify', at, '--json']))]) {
      assert.deepEqual(verify.checked, { ...verify.checked, auditEntries: entries, images: ALL.length }, 'verify read the whole audit log and every image');
    }
  });
});
