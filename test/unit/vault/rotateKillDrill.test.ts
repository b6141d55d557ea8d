/**
 * The crash drill of key lifecycle: changes of recipients (add, remove, rotate, drawn at random) of a 25-object vault
 * run in a child process and are killed with SIGKILL at random moments — during start-up and planning, or while
 * objects are re-encrypted — at least 12 times. After each kill no object is lost and every key listed both before
 * and after the change opens every object; the same command is then run again (killed again at times) until it
 * finishes, and the stock `age` CLI must open every object with exactly the listed keys, and verify must pass.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecipientChange } from '../../../daemon/protocol';
import { verifyDataset } from '../../../daemon/verify/verify';
import { listedRecipients } from '../../../daemon/vault/recipients';
import { listVaultObjects, openVaultObject } from '../../../daemon/vault/vault';
import { veilPath } from '../../../daemon/dataset/layout';
import { seededRandom, type Random } from '../../support/seededRandom';
import { runKillableWorker, type KillPoint, type WorkerRun } from '../../support/killableWorker';
import { commitDeps, testContext } from '../../support/commitFixtures';
import { committedVault, newKey, openingProblems, type Keyholder } from '../../support/rotationFixtures';

const SMALL_IMAGES = 24;
const KILLS = 12;
const WORKER = join(__dirname, 'rotate.worker.js');

interface Change {
  change: RecipientChange;
  recipient?: Keyholder;
  identity: Keyholder;
  /** The keys listed once it is done. */
  after: Keyholder[];
}

/** A change that makes sense for the keys listed now, with the identity of a key that opens every object. */
function drawChange(random: Random, pool: readonly Keyholder[], listed: readonly Keyholder[]): Change {
  const outside = pool.filter((key) => !listed.includes(key));
  const identity = random.pick(listed);
  const kinds: RecipientChange[] = ['rotate'];
  if (outside.length > 0) kinds.push('add');
  if (listed.length > 1) kinds.push('remove');
  const kind = random.pick(kinds);
  if (kind === 'add') {
    const recipient = random.pick(outside);
    return { change: kind, recipient, identity, after: [...listed, recipient] };
  }
  if (kind === 'remove') {
    const recipient = random.pick(listed);
    return { change: kind, recipient, identity, after: listed.filter((key) => key !== recipient) };
  }
  return { change: kind, identity, after: [...listed] };
}

function randomKillPoint(random: Random): KillPoint {
  return random.chance(0.3) ? { from: 'spawn', afterMs: 60 + random.next() * 300 } : { from: 'progress', afterMs: random.next() * 300 };
}

function runWorker(root: string, change: Change, kill?: KillPoint): Promise<WorkerRun> {
  return runKillableWorker([WORKER, root, change.change, change.identity.identityFile, ...(change.recipient ? [change.recipient.recipient] : [])], kill);
}

/** After a kill: every object is there, and opens to its original with each key listed both before and after the change. */
async function checkKilledState(root: string, objects: readonly string[], before: readonly Keyholder[], change: Change): Promise<void> {
  assert.deepEqual(await listVaultObjects(root), objects, 'an object was lost or added');
  const listed = await listedRecipients(root);
  const recipientsOf = (keys: readonly Keyholder[]) => keys.map((key) => key.recipient).sort();
  assert.ok([recipientsOf(before), recipientsOf(change.after)].some((set) => set.join() === [...listed].sort().join()), 'recipients.txt is neither before nor after');
  for (const key of before.filter((kept) => change.after.includes(kept))) {
    for (const id of objects) await openVaultObject(root, id, [key.identity]); // throws when it does not open to its original
  }
}

describe('key lifecycle crash drill', () => {
  it(`changes of recipients killed with SIGKILL at ${KILLS}+ random points resume to every object opening with exactly the listed keys`, async function () {
    this.timeout(300_000);
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same choices with VEIL_DRILL_SEED=${random.seed})`);
    const pool = [await newKey(), await newKey(), await newKey(), await newKey()];
    let listed = [pool[0]!, pool[1]!];
    const { root, objects } = await committedVault(listed, SMALL_IMAGES);
    let kills = 0;
    let midChange = 0;
    let changes = 0;
    while (kills < KILLS) {
      const change = drawChange(random, pool, listed);
      changes++;
      // Killed at random until a run finishes: a resumed change may be killed again.
      for (;;) {
        const run = await runWorker(root, change, random.chance(0.8) ? randomKillPoint(random) : undefined);
        if (!run.killed) {
          assert.equal(run.code, 0, run.stderr);
          break;
        }
        kills++;
        if (existsSync(veilPath(root, 'rotationPlan'))) midChange++;
        await checkKilledState(root, objects, listed, change);
      }
      listed = change.after;
      const shut = pool.filter((key) => !listed.includes(key));
      assert.deepEqual(openingProblems(root, objects, listed, shut), [], `after ${change.change} ${change.recipient?.recipient ?? ''}`);
      assert.equal(existsSync(veilPath(root, 'rotationPlan')), false);
      const { findings } = await verifyDataset({ root, identity: listed[0]!.identityFile }, testContext(), commitDeps());
      assert.deepEqual(findings, [], `verify after ${change.change}`);
    }
    console.log(`      ${kills} kills (${midChange} with a change planned and under way) over ${changes} changes of a ${objects.length}-object vault: 0 violations`);
    assert.ok(midChange >= kills / 3, 'too few kills landed while objects were re-encrypted: the drill must exercise resuming');
  });
});
