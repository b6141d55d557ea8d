/**
 * The crash drill of backups: backups of a 25-object vault run in a child process and are killed with SIGKILL at random
 * moments (during start-up, while blobs are written, around the audit entry and the manifest's rename), at least 12
 * times. Between backups the dataset changes: new audit entries, or every original re-encrypted under new file keys (so
 * that a run has every object to copy again). After each kill, every generation in the folder is whole: its manifest
 * opens with the stock `age` and every blob it names is there and hashes to its name. The same backup is run again
 * until it finishes; the last generation is then restored into an empty folder and `verify` passes on it.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { appendAudit } from '../../../daemon/audit/log';
import { changeRecipients } from '../../../daemon/services/recipients';
import { verifyDataset } from '../../../daemon/verify/verify';
import { seededRandom, type Random } from '../../support/seededRandom';
import { runKillableWorker, type KillPoint } from '../../support/killableWorker';
import { TEST_ACTOR, commitDeps, testContext } from '../../support/commitFixtures';
import { committedVault, newKey } from '../../support/rotationFixtures';
import { generationProblems, restore } from '../../support/backupFixtures';
import { tempDir } from '../../support/images';

const SMALL_IMAGES = 24;
const KILLS = 12;
const WORKER = join(__dirname, 'backup.worker.js');

function randomKillPoint(random: Random): KillPoint {
  return random.chance(0.25) ? { from: 'spawn', afterMs: 80 + random.next() * 300 } : { from: 'progress', afterMs: random.next() * 250 };
}

function blobCount(backup: string): number {
  return existsSync(join(backup, 'blobs')) ? readdirSync(join(backup, 'blobs')).filter((name) => !name.startsWith('.')).length : 0;
}

describe('backup crash drill', () => {
  it(`backups killed with SIGKILL at ${KILLS}+ random points leave every generation whole, and a rerun finishes`, async function () {
    this.timeout(300_000);
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same choices with VEIL_DRILL_SEED=${random.seed})`);
    const key = await newKey();
    const { root, objects } = await committedVault([key], SMALL_IMAGES);
    const backup = join(tempDir('veil-backup-drill-'), 'disk');
    let kills = 0;
    let midRun = 0;
    let backups = 0;
    let generations = 0;
    while (kills < KILLS) {
      if (backups > 0 && random.chance(0.5)) await changeRecipients({ root, change: 'rotate', identity: key.identityFile }, testContext());
      else await appendAudit(root, { type: 'detect-run', actor: TEST_ACTOR, model: 'drill', threshold: 0.5, thorough: false, images: 0, faces: 0 });
      for (;;) {
        const blobsBefore = blobCount(backup);
        const run = await runKillableWorker([WORKER, root, backup], random.chance(0.85) ? randomKillPoint(random) : undefined);
        const after = generationProblems(backup, key);
        assert.deepEqual(after.problems, [], 'a generation is damaged');
        if (!run.killed) {
          assert.equal(run.code, 0, run.stderr);
          assert.equal(after.generations, generations + 1, 'a finished run adds one generation');
          generations = after.generations;
          break;
        }
        kills++;
        assert.ok(after.generations === generations || after.generations === generations + 1, 'a killed run adds at most its own generation');
        if (after.generations > generations) generations = after.generations;
        else if (blobCount(backup) > blobsBefore) midRun++;
      }
      backups++;
    }
    const fresh = tempDir('veil-backup-drill-restored-');
    const restored = await restore(backup, fresh, key);
    assert.equal(restored.vaultObjects, objects.length);
    for (const name of readdirSync(root)) if (!name.startsWith('.')) cpSync(join(root, name), join(fresh, name));
    const { findings } = await verifyDataset({ root: fresh, identity: key.identityFile, checkpoint: restored.covers }, testContext(), commitDeps());
    assert.deepEqual(findings, []);
    console.log(`      ${kills} kills (${midRun} after writing blobs, before their generation existed) over ${backups} backups, ${generations} generations: 0 damaged`);
    assert.ok(midRun >= KILLS / 4, 'too few kills landed while blobs were written: the drill must exercise resuming');
  });
});
