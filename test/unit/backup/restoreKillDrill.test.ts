/**
 * The crash drill of `restore-backup`: a 25-image dataset backed up with its images is restored into fresh folders by a
 * child process killed with SIGKILL at seeded points (while it starts, while vault objects, state files and images are
 * written, around the rename that puts `.veil/` in place), at least 12 times. After every kill the target is either no
 * dataset at all (no `.veil/`) or a whole one that `verify` accepts: never half rebuilt. The same restore is run again
 * until it finishes, and the rebuilt dataset verifies with no finding (no temp file of a killed run left anywhere).
 * Then the one state a random kill rarely reaches, set up as a kill leaves it: `.veil/` renamed into place, its staging
 * folder not yet removed; running the restore again completes, and another dataset's `.veil/` is refused, naming it.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { verifyDataset } from '../../../daemon/verify/verify';
import { seededRandom, type Random } from '../../support/seededRandom';
import { runKillableWorker, type KillPoint } from '../../support/killableWorker';
import { commitDeps, testContext } from '../../support/commitFixtures';
import { committedVault, newKey, type Keyholder } from '../../support/rotationFixtures';
import { backUp, restore } from '../../support/backupFixtures';
import { refusal } from '../../support/refusal';
import { tempDir } from '../../support/images';

const SMALL_IMAGES = 24;
const KILLS = 12;
const WORKER = join(__dirname, 'restoreBackup.worker.js');
/** Where a restore builds `.veil/` before renaming it into place (daemon/backup/restore.ts). */
const STAGING = '.veil.veil-tmp-restore';

/** Progress lines of a restore here: 25 vault objects, ~5 state files, 25 images. */
function randomKillPoint(random: Random): KillPoint {
  return random.chance(0.2) ? { from: 'spawn', afterMs: 60 + random.next() * 500 } : { from: 'progress', afterMs: random.next() * 4, atLine: 1 + random.below(60) };
}

async function findings(root: string, key: Keyholder): Promise<string[]> {
  const { findings: found } = await verifyDataset({ root, identity: key.identityFile }, testContext(), commitDeps());
  return found.map((finding) => `${finding.kind} ${finding.file ?? ''}: ${finding.message}`);
}

describe('restore-backup crash drill', () => {
  it(`restores killed with SIGKILL at ${KILLS}+ seeded points leave no dataset or a whole one, and a rerun completes to a dataset verify accepts`, async function () {
    this.timeout(400_000);
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same choices with VEIL_DRILL_SEED=${random.seed})`);
    const key = await newKey();
    const { root } = await committedVault([key], SMALL_IMAGES);
    const backup = join(tempDir('veil-restore-drill-'), 'disk');
    await backUp(root, backup, { withOutputs: true });
    const images = readdirSync(root).filter((name) => !name.startsWith('.')).sort();
    let kills = 0;
    let midRun = 0;
    let rounds = 0;
    while (kills < KILLS) {
      const target = join(tempDir('veil-restore-drill-target-'), 'dataset');
      for (;;) {
        const run = await runKillableWorker([WORKER, backup, target, key.identityFile], random.chance(0.85) ? randomKillPoint(random) : undefined);
        if (existsSync(join(target, '.veil'))) {
          assert.deepEqual(await findings(target, key), [], `a ${run.killed ? 'killed' : 'finished'} restore left a .veil/ that verify does not accept`);
        }
        if (!run.killed) {
          assert.equal(run.code, 0, run.stderr);
          break;
        }
        kills++;
        const written = existsSync(join(target, STAGING)) || (existsSync(target) && readdirSync(target).some((name) => images.includes(name)));
        if (written && !existsSync(join(target, '.veil'))) midRun++;
      }
      assert.deepEqual(readdirSync(target).sort(), ['.veil', ...images].sort(), 'the rebuilt dataset holds its .veil/ and its images, nothing else');
      for (const name of images) assert.ok(readFileSync(join(target, name)).equals(readFileSync(join(root, name))), `${name} is restored byte for byte`);
      rounds++;
    }
    console.log(`      ${kills} kills (${midRun} with parts written, before .veil/ was in place) over ${rounds} restores: 0 half-rebuilt datasets`);
    assert.ok(midRun >= KILLS / 4, 'too few kills landed while parts were written: the drill must exercise resuming');
  });

  it('a restore killed after .veil/ was renamed into place, before its staging folder was removed, completes when run again; another .veil/ is refused, naming the folder', async function () {
    this.timeout(120_000);
    const key = await newKey();
    const { root } = await committedVault([key], 2);
    const backup = join(tempDir('veil-restore-drill-'), 'disk');
    await backUp(root, backup, { withOutputs: true });
    const target = join(tempDir('veil-restore-drill-target-'), 'dataset');
    const first = await restore(backup, target, key);
    mkdirSync(join(target, STAGING));

    const again = await restore(backup, target, key);
    assert.deepEqual([again.alreadyRestored, again.generation, again.bytes, again.checkpoint], [true, first.generation, 0, first.checkpoint]);
    assert.equal(existsSync(join(target, STAGING)), false, 'the staging folder the kill left is removed');
    assert.deepEqual(await findings(target, key), []);

    const other = await refusal(restore(backup, root, key));
    assert.equal(other.code, ErrorCode.Conflict);
    assert.equal(other.file, root);
    assert.match(other.message, /already holds a \.veil\/ that is not this backup's restore: a restore never replaces a dataset's state; restore into an empty folder/);
  });
});
