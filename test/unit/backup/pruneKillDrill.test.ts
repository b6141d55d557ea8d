/**
 * The crash drill of `backup prune`: a 25-object dataset is backed up again and again (every original re-encrypted in
 * between, so each generation has its own vault blobs), and prunes keeping the newest 2 generations run in a child
 * process killed with SIGKILL at random points: while it starts, reads the kept manifests, removes manifests, removes
 * blobs. After every kill, every generation left in the folder is whole (its manifest opens with the stock `age`, every
 * blob it names is there and hashes to its name), the generations to keep are all there, and a generation gone is
 * named by a `backup-prune` entry of the dataset's log (written before any removal). The same prune is run again until
 * it finishes: then exactly the newest 2 generations remain, no blob they do not name is left, and the newest restores
 * to a dataset `verify` accepts.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { changeRecipients } from '../../../daemon/services/recipients';
import { verifyDataset } from '../../../daemon/verify/verify';
import { seededRandom, type Random } from '../../support/seededRandom';
import { runKillableWorker, type KillPoint } from '../../support/killableWorker';
import { auditEntries, commitDeps, testContext } from '../../support/commitFixtures';
import { committedVault, newKey } from '../../support/rotationFixtures';
import { backUp, blobsOf, generationProblems, restore } from '../../support/backupFixtures';
import { tempDir } from '../../support/images';

const SMALL_IMAGES = 24;
const KEEP = 2;
const KILLS = 12;
const WORKER = join(__dirname, 'prune.worker.js');

/** Progress lines of a prune here: 2 kept manifests read, 2 removed, ~2 x 30 blobs. */
function randomKillPoint(random: Random): KillPoint {
  return random.chance(0.2) ? { from: 'spawn', afterMs: 60 + random.next() * 400 } : { from: 'progress', afterMs: random.next() * 3, atLine: 1 + random.below(70) };
}

function generationNumbers(names: readonly string[]): number[] {
  return names.map((name) => Number(name.slice(0, -4)));
}

describe('backup prune crash drill', () => {
  it(`prunes killed with SIGKILL at ${KILLS}+ random points leave every generation kept whole, and a rerun finishes`, async function () {
    this.timeout(400_000);
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same choices with VEIL_DRILL_SEED=${random.seed})`);
    const key = await newKey();
    const { root, objects } = await committedVault([key], SMALL_IMAGES);
    const backup = join(tempDir('veil-prune-drill-'), 'disk');
    await backUp(root, backup);
    let kills = 0;
    let midRun = 0;
    let prunes = 0;
    let latest = 1;
    while (kills < KILLS) {
      for (let i = 0; i < 2; i++) {
        await changeRecipients({ root, change: 'rotate', identity: key.identityFile }, testContext());
        latest = (await backUp(root, backup)).generation;
      }
      const toKeep = Array.from({ length: KEEP }, (_, i) => latest - KEEP + 1 + i);
      for (;;) {
        const before = { generations: generationProblems(backup, key).generations, blobs: blobsOf(backup).size };
        const run = await runKillableWorker([WORKER, backup, key.identityFile, String(KEEP)], random.chance(0.85) ? randomKillPoint(random) : undefined);
        const after = generationProblems(backup, key);
        assert.deepEqual(after.problems, [], 'a generation left in the folder is damaged');
        const [datasetId, names] = [...after.byDataset][0]!;
        const present = generationNumbers(names);
        for (const generation of toKeep) assert.ok(present.includes(generation), `generation ${generation} (kept) is gone`);
        const logged = new Set(auditEntries(root).flatMap((entry) => (entry.type === 'backup-prune' && entry.datasetId === datasetId ? (entry.removed as number[]) : [])));
        for (let generation = 1; generation < toKeep[0]!; generation++) {
          if (!present.includes(generation)) assert.ok(logged.has(generation), `generation ${generation} was removed before a backup-prune entry named it`);
        }
        if (!run.killed) {
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(present, toKeep, 'a finished prune keeps exactly the newest generations');
          assert.deepEqual(new Set(blobsOf(backup).keys()), after.named, 'a finished prune leaves no blob the kept generations do not name');
          break;
        }
        kills++;
        const changed = after.generations < before.generations || blobsOf(backup).size < before.blobs;
        const finished = present.length === KEEP && blobsOf(backup).size === after.named.size;
        if (changed && !finished) midRun++;
      }
      prunes++;
    }
    const fresh = tempDir('veil-prune-drill-restored-');
    const restored = await restore(backup, fresh, key);
    assert.equal(restored.generation, latest);
    assert.equal(restored.vaultObjects, objects.length);
    for (const name of readdirSync(root)) if (!name.startsWith('.')) cpSync(join(root, name), join(fresh, name));
    const { findings } = await verifyDataset({ root: fresh, identity: key.identityFile, checkpoint: restored.covers }, testContext(), commitDeps());
    assert.deepEqual(findings, []);
    assert.equal(existsSync(join(backup, 'datasets')), true);
    console.log(`      ${kills} kills (${midRun} after removing some generations or blobs, before the prune finished) over ${prunes} prunes: 0 damaged generations kept`);
    assert.ok(midRun >= KILLS / 4, 'too few kills landed while generations or blobs were removed: the drill must exercise resuming');
  });
});
