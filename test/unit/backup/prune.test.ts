/**
 * Pruning a backup folder (`backup/prune`) with real keys, judged by the stock `age` CLI: the oldest generations beyond
 * `keep` go, with the blobs only they named; every generation kept still opens whole and restores to a dataset verify
 * accepts; the prune is in the dataset's audit log before anything is removed; a dry run, `keep` 0, a manifest the key
 * does not open and an unknown dataset change nothing.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { changeRecipients } from '../../../daemon/services/recipients';
import { verifyDataset } from '../../../daemon/verify/verify';
import { tempDir } from '../../support/images';
import { auditEntries, commitDeps, testContext } from '../../support/commitFixtures';
import { committedVault, newKey, type Keyholder } from '../../support/rotationFixtures';
import { backUp, blobsOf, generationProblems, prune, restore } from '../../support/backupFixtures';
import { refusal } from '../../support/refusal';

/** A dataset backed up `generations` times, every original re-encrypted between backups (each generation its own vault blobs). */
async function backedUp(key: Keyholder, generations: number, dest = join(tempDir('veil-prune-'), 'disk')) {
  const { root, objects } = await committedVault([key], 3);
  for (let generation = 1; generation <= generations; generation++) {
    if (generation > 1) await changeRecipients({ root, change: 'rotate', identity: key.identityFile }, testContext());
    await backUp(root, dest);
  }
  return { root, objects, dest };
}

function bytesOf(dest: string, blobs: Iterable<string>): number {
  let total = 0;
  for (const blob of blobs) total += statSync(join(dest, 'blobs', blob)).size;
  return total;
}

describe('backup prune', function () {
  this.timeout(180_000);

  it('keeps the newest generations, removes the blobs only older ones named (counted, with their bytes), logs it first, and what is kept restores and verifies', async () => {
    const key = await newKey();
    const { root, objects, dest } = await backedUp(key, 4);
    const before = generationProblems(dest, key);
    const [datasetId] = [...before.byDataset.keys()];
    assert.deepEqual(before.byDataset.get(datasetId!), ['000001.age', '000002.age', '000003.age', '000004.age']);

    const dry = await prune(dest, key, 2, { dryRun: true });
    assert.deepEqual(dry.datasets.map((d) => [d.removed, d.kept]), [[[1, 2], [3, 4]]]);
    assert.equal(generationProblems(dest, key).generations, 4, 'a dry run removes nothing');
    assert.equal(blobsOf(dest).size, before.named.size, 'a dry run removes nothing');
    const logBefore = auditEntries(root).length;
    assert.equal(auditEntries(root).filter((entry) => entry.type === 'backup-prune').length, 0, 'a dry run logs nothing');

    const bytesBefore = bytesOf(dest, blobsOf(dest).keys());
    const result = await prune(dest, key, 2);
    assert.deepEqual(result.datasets, [{ datasetId, removed: [1, 2], kept: [3, 4], loggedIn: root }]);
    assert.deepEqual([result.removed, result.dryRun, result.cancelled], [dry.removed, false, false]);
    const after = generationProblems(dest, key);
    assert.deepEqual(after.problems, []);
    assert.deepEqual(after.byDataset.get(datasetId!), ['000003.age', '000004.age']);
    assert.deepEqual(new Set(blobsOf(dest).keys()), after.named, 'exactly the blobs the kept generations name are left');
    // Every original was re-encrypted before generations 2, 3 and 4: those of generations 1 and 2 were named by them alone.
    assert.ok(result.removed.blobs >= 2 * objects.length, `removed ${result.removed.blobs} blobs`);
    assert.equal(result.removed.bytes, bytesBefore - bytesOf(dest, after.named));
    assert.deepEqual(result.kept, { blobs: after.named.size, bytes: bytesOf(dest, after.named) });

    const logged = auditEntries(root).slice(logBefore);
    assert.deepEqual(
      logged.map((entry) => [entry.type, entry.removed, entry.kept, entry.blobs, entry.bytes, entry.datasetId]),
      [['backup-prune', [1, 2], [3, 4], result.removed.blobs, result.removed.bytes, datasetId]],
    );

    for (const generation of [3, 4]) {
      const fresh = join(tempDir('veil-pruned-restored-'), 'dataset');
      const restored = await restore(dest, fresh, key, { generation });
      for (const name of readdirSync(root)) if (!name.startsWith('.')) cpSync(join(root, name), join(fresh, name));
      const { findings } = await verifyDataset({ root: fresh, identity: key.identityFile, checkpoint: restored.covers }, testContext(), commitDeps());
      assert.deepEqual(findings, [], `generation ${generation} restores and verifies`);
    }
    const again = await prune(dest, key, 2);
    assert.deepEqual([again.removed.blobs, again.datasets[0]!.removed, again.datasets[0]!.loggedIn], [0, [], undefined], 'nothing left to prune, nothing logged');
    // The next backup numbers on from the newest generation.
    assert.equal((await backUp(root, dest)).generation, 5);
  });

  it('refuses keep 0, a kept manifest the identity does not open (nothing removed), and a dataset the folder does not hold', async () => {
    const [key, stranger] = [await newKey(), await newKey()];
    const { dest } = await backedUp(key, 2);
    const blobs = blobsOf(dest).size;
    for (const keep of [0, -1, 1.5]) assert.equal((await refusal(prune(dest, key, keep))).code, ErrorCode.InvalidParams, `keep ${keep}`);
    const locked = await refusal(prune(dest, stranger, 1));
    assert.match(locked.message, /a prune reads the manifest of every generation it keeps, of every dataset in the folder \(blobs are shared\), to know which blobs they need: nothing was removed/);
    assert.match(locked.file ?? '', /datasets\/[0-9a-f]{16}\/000002\.age$/);
    assert.equal((await refusal(prune(dest, key, 1, { dataset: '0123456789abcdef' }))).code, ErrorCode.BadPath);
    const state = generationProblems(dest, key);
    assert.deepEqual([state.generations, blobsOf(dest).size, state.problems], [2, blobs, []], 'nothing was removed');
  });

  it('in a folder holding two datasets, prunes only the one named, never a blob the other needs; a dataset moved away is pruned without a log entry, said why', async () => {
    const key = await newKey();
    const dest = join(tempDir('veil-prune-shared-'), 'disk');
    const first = await backedUp(key, 3, dest);
    const second = await backedUp(key, 2, dest);
    const before = generationProblems(dest, key);
    assert.equal(before.byDataset.size, 2);
    const firstId = [...before.byDataset].find(([, names]) => names.length === 3)![0];
    const secondId = [...before.byDataset].find(([, names]) => names.length === 2)![0];

    const moved = join(tempDir('veil-prune-moved-'), 'elsewhere');
    renameSync(first.root, moved);
    const result = await prune(dest, key, 1, { dataset: firstId });
    const byId = new Map(result.datasets.map((dataset) => [dataset.datasetId, dataset]));
    assert.deepEqual([byId.get(firstId)!.removed, byId.get(firstId)!.kept], [[1, 2], [3]]);
    assert.match(byId.get(firstId)!.notLogged ?? '', /where generation 3 was backed up from, does not hold this dataset here \(moved, or another machine\): no audit log records this prune/);
    assert.equal(existsSync(join(first.root, '.veil')), false);
    assert.deepEqual([byId.get(secondId)!.removed, byId.get(secondId)!.kept], [[], [1, 2]], 'the other dataset keeps every generation');
    const after = generationProblems(dest, key);
    assert.deepEqual(after.problems, [], 'every generation left, of either dataset, is whole');
    assert.deepEqual(new Set(blobsOf(dest).keys()), after.named);
    assert.equal(auditEntries(second.root).filter((entry) => entry.type === 'backup-prune').length, 0);
    assert.equal(auditEntries(moved).filter((entry) => entry.type === 'backup-prune').length, 0);
  });
});
