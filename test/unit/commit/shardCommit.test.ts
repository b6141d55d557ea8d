import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitDataset } from '../../../daemon/commit/commit';
import { filesInCommit } from '../../../daemon/commit/journal';
import { verifyDataset } from '../../../daemon/verify/verify';
import { shardOf } from '../../../daemon/dataset/shard';
import { ASTRONAUT, tempDir } from '../../support/images';
import { FACE_BOX, TEST_ACTOR, addKey, auditEntries, box, commitDeps, seedDataset, testContext } from '../../support/commitFixtures';

const FILES = Array.from({ length: 8 }, (_, i) => `img-${i}.png`);

describe('a commit of one shard', function () {
  this.timeout(120_000);

  it('commits its own files only; an interrupted shard commit is left to that shard (or a whole-dataset commit) to finish', async () => {
    const root = tempDir('veil-shard-commit-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, FILES.map((file) => ({ file, bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] })));
    await addKey(root);
    const ofShard = (index: number) => FILES.filter((file) => shardOf(file, 2) === index);
    assert.ok(ofShard(0).length > 0 && ofShard(1).length > 0, 'the split should give both shards files');

    // Shard 1 was killed right after journaling its plan.
    const interrupted = join(root, '.veil', 'journal', 'shard-1-of-2');
    mkdirSync(interrupted, { recursive: true });
    const plan = { commitId: 'killed', startedAt: new Date().toISOString(), actor: TEST_ACTOR, options: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect', includeUnreviewed: false }, files: ofShard(1), shard: { index: 1, count: 2 } };
    writeFileSync(join(interrupted, 'plan.json'), JSON.stringify(plan));
    assert.deepEqual([...(await filesInCommit(root))].sort(), ofShard(1), 'its files are held against edits');
    const before = await verifyDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(before.findings.map((f) => `${f.kind} ${f.file}`), ['commit-unfinished .veil/journal/shard-1-of-2']);

    const zero = await commitDataset({ root, shard: { index: 0, count: 2 } }, testContext(), commitDeps());
    assert.deepEqual(zero.committed, ofShard(0));
    assert.ok(existsSync(join(interrupted, 'plan.json')), "shard 0 touched shard 1's journal");

    // A shard of an overlapping split (all files: 0/1) leaves the files shard 1's plan holds to it.
    const overlapping = await commitDataset({ root, shard: { index: 0, count: 1 } }, testContext(), commitDeps());
    assert.deepEqual(overlapping.committed, []);
    assert.deepEqual(overlapping.leftAsIs.map((entry) => [entry.file, entry.cause]), ofShard(1).map((file) => [file, 'failed']));
    assert.match(overlapping.leftAsIs[0]!.message, /being committed by another running commit/);

    const one = await commitDataset({ root, shard: { index: 1, count: 2 } }, testContext(), commitDeps());
    assert.deepEqual(one.committed, ofShard(1), 'the rerun of shard 1 finishes its plan');
    assert.equal(existsSync(interrupted), false, "the shard's journal folder is removed with its last commit");

    const entries = auditEntries(root);
    assert.deepEqual(entries.filter((e) => e.type === 'commit-image').map((e) => e.file).sort(), [...FILES].sort(), 'each file committed once');
    assert.deepEqual(entries.filter((e) => e.type === 'commit').map((e) => e.shard), [{ index: 0, count: 2 }, { index: 1, count: 2 }], 'the overlapping shard planned nothing');
    assert.deepEqual((await verifyDataset({ root }, testContext(), commitDeps())).findings, []);
  });
});
