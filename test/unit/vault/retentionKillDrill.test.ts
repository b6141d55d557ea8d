/**
 * The crash drills of purge and restore: each runs in a child process killed with SIGKILL at random moments (at least
 * 10 times each, most while objects are purged or images restored), then runs again until it finishes. After every
 * kill, no original is gone without its purge entry in the log, and every restored image holds its whole output or
 * its whole original, the original only once its restore entry is logged. Once finished, verify passes.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { sha256Hex } from '../../../daemon/storage/hash';
import { listVaultObjects } from '../../../daemon/vault/vault';
import { commitDataset } from '../../../daemon/commit/commit';
import { seededRandom, type Random } from '../../support/seededRandom';
import { runKillableWorker, type KillPoint, type WorkerRun } from '../../support/killableWorker';
import { auditEntries, commitDeps, testContext } from '../../support/commitFixtures';
import { findingsOf } from '../../support/governanceFixtures';
import { committedVault, newKey, type Keyholder } from '../../support/rotationFixtures';
import { DAY_MS, applyRetention, entriesOf } from '../../support/retentionFixtures';

const KILLS = 10;
const WORKER = join(__dirname, 'retention.worker.js');

function randomKillPoint(random: Random, spanMs: number): KillPoint {
  return random.chance(0.2) ? { from: 'spawn', afterMs: 50 + random.next() * 400 } : { from: 'progress', afterMs: random.next() * spanMs };
}

/** Runs `args` killed at random points until a run finishes; `afterKill` checks the state each kill left. Returns the kills. */
async function drill(random: Random, args: string[], spanMs: number, afterKill: () => Promise<boolean>): Promise<{ kills: number; midway: number }> {
  let kills = 0;
  let midway = 0;
  for (;;) {
    const run: WorkerRun = await runKillableWorker([WORKER, ...args], random.chance(0.85) ? randomKillPoint(random, spanMs) : undefined);
    if (!run.killed) {
      assert.equal(run.code, 0, run.stderr);
      return { kills, midway };
    }
    kills++;
    if (await afterKill()) midway++;
  }
}

describe('retention crash drills', function () {
  this.timeout(600_000);
  let key: Keyholder;
  before(async () => {
    key = await newKey();
  });

  it(`purges killed with SIGKILL at ${KILLS}+ random points lose no original without its purge entry, and resume to a vault verify passes`, async () => {
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same choices with VEIL_DRILL_SEED=${random.seed})`);
    let kills = 0;
    let midway = 0;
    let pending = 0;
    let rounds = 0;
    while (kills < KILLS) {
      rounds++;
      const { root, objects } = await committedVault([key], 24);
      await applyRetention(root, { days: 1, action: 'purge' });
      const later = String(Date.now() + 2 * DAY_MS);
      let entries = auditEntries(root).length;
      const outcome = await drill(random, ['purge', root, later], 150, async () => {
        const wrote = auditEntries(root).length > entries;
        entries = auditEntries(root).length;
        const logged = new Set(entriesOf(root, 'vault-purge').map((entry) => entry.vaultObject as string));
        const present = new Set(await listVaultObjects(root));
        for (const id of objects) assert.ok(present.has(id) || logged.has(id), `${id.slice(0, 8)} is gone with no purge entry`);
        const waiting = [...logged].filter((id) => present.has(id)).length;
        pending += waiting > 0 ? 1 : 0;
        // Midway: this run had logged a purge, and some original is still there.
        return wrote && present.size > 0;
      });
      kills += outcome.kills;
      midway += outcome.midway;
      assert.deepEqual(await listVaultObjects(root), [], 'every expired original is purged once a run finishes');
      assert.equal(new Set(entriesOf(root, 'vault-purge').map((entry) => entry.vaultObject)).size, objects.length);
      assert.deepEqual(await findingsOf({ root, full: true }), []);
      for (const id of objects) assert.equal(existsSync(vaultObjectPath(root, id)), false);
    }
    console.log(`      ${kills} kills over ${rounds} vault(s) of 25 originals (${midway} mid-purge, ${pending} between an entry and its unlink): 0 violations`);
    assert.ok(midway >= kills / 4, 'too few kills landed mid-purge: the drill must exercise resuming');
  });

  it(`restores killed with SIGKILL at ${KILLS}+ random points leave whole files, logged first, and resume to a dataset that commits again and verifies`, async () => {
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same choices with VEIL_DRILL_SEED=${random.seed})`);
    let kills = 0;
    let midway = 0;
    let rounds = 0;
    while (kills < KILLS) {
      rounds++;
      const { root } = await committedVault([key], 9);
      const commits = entriesOf(root, 'commit-image');
      let logged = auditEntries(root).length;
      // Each image takes 50-100 ms (six fsyncs) on the loaded 2-core machine: the kills spread over the whole run.
      const outcome = await drill(random, ['restore', root, key.identityFile, 'model-reevaluation'], 800, async () => {
        const wrote = auditEntries(root).length > logged;
        logged = auditEntries(root).length;
        const restoredFiles = new Set(entriesOf(root, 'restore-original').map((entry) => entry.file as string));
        let originals = 0;
        for (const commit of commits) {
          const sha = sha256Hex(readFileSync(join(root, commit.file as string)));
          assert.ok(sha === commit.outputSha256 || sha === commit.originalSha256, `${commit.file as string} holds neither its output nor its original`);
          if (sha === commit.originalSha256) {
            originals++;
            assert.ok(restoredFiles.has(commit.file as string), `${commit.file as string} holds its original with no restore entry`);
          }
        }
        // Midway: this run had written something, and some image still holds its output.
        return wrote && originals < commits.length;
      });
      kills += outcome.kills;
      midway += outcome.midway;
      for (const commit of commits) assert.equal(sha256Hex(readFileSync(join(root, commit.file as string))), commit.originalSha256);
      assert.equal(entriesOf(root, 'restore-original').length, commits.length, 'each image restored once');
      assert.deepEqual(await findingsOf({ root, full: true }), []);
      const again = await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps());
      assert.equal(again.committed.length, commits.length);
      assert.deepEqual(await findingsOf({ root, identity: key.identityFile, full: true }), []);
    }
    console.log(`      ${kills} kills over ${rounds} dataset(s) of 10 images (${midway} mid-restore): 0 violations`);
    assert.ok(midway >= kills / 4, 'too few kills landed mid-restore: the drill must exercise resuming');
  });
});
