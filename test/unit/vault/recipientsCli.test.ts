/** `veil recipients list|add|remove|rotate` end to end: the built CLI, its daemon, real keys and the stock `age` CLI. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { sha256Hex } from '../../../daemon/storage/hash';
import { ASTRONAUT, tempDir } from '../../support/images';
import { runCli } from '../../support/cli';
import { FACE_BOX, box, seedDataset } from '../../support/commitFixtures';
import { AGE_CLI } from '../../support/rotationFixtures';

async function veil(args: string[]) {
  return runCli(args, { VEIL_REVIEWER: 'Key Keeper' });
}

async function keygen(out: string, addTo?: string): Promise<string> {
  const run = await veil(['keygen', '--out', out, ...(addTo ? ['--add-to', addTo] : [])]);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trim();
}

function ageOpens(identityFile: string, object: string): boolean {
  return spawnSync(AGE_CLI, ['-d', '-i', identityFile, object]).status === 0;
}

describe('veil recipients (CLI)', () => {
  it('lists, adds, removes and rotates through the daemon; refuses a missing identity and the last recipient', async function () {
    this.timeout(90_000);
    const root = tempDir('veil-recipients-cli-');
    const original = readFileSync(ASTRONAUT);
    seedDataset(root, [{ file: 'a.png', bytes: original, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const keys = tempDir('veil-keys-');
    const [aliceKey, bobKey] = [join(keys, 'alice.key'), join(keys, 'bob.key')];
    const alice = await keygen(aliceKey, root);
    const bob = await keygen(bobKey);
    assert.equal((await veil(['commit', root])).code, 0);
    const object = vaultObjectPath(root, sha256Hex(original));

    const listed = await veil(['recipients', 'list', root]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${alice}\\s+listed\\s+1 of 1`));

    const added = await veil(['recipients', 'add', root, bob, '--identity', bobKey]);
    assert.equal(added.code, 1, 'bob cannot open the original yet');
    assert.match(added.stderr, /the identity opens 0 of the 1 vault objects/);

    const add = await veil(['recipients', 'add', root, bob, '--identity', aliceKey]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, new RegExp(`added ${bob}: 1 of 1 vault object\\(s\\) re-encrypted now`));
    assert.match(add.stdout, /^checkpoint: \{"entries":\d+,"head":"[0-9a-f]{64}"\}$/m);
    assert.ok(ageOpens(bobKey, object) && ageOpens(aliceKey, object));

    const remove = await veil(['recipients', 'remove', root, alice, '--identity', bobKey]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.match(remove.stdout, /cannot be recalled/);
    assert.ok(ageOpens(bobKey, object) && !ageOpens(aliceKey, object));
    assert.equal((await veil(['recipients', 'remove', root, alice, '--identity', bobKey])).stdout.split('\n')[0], `remove ${alice}: nothing to do, every original is already encrypted to the listed recipients as asked`);

    const usage = await veil(['recipients', 'rotate', root]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--identity is required/);
    const last = await veil(['recipients', 'remove', root, bob, '--identity', bobKey]);
    assert.equal(last.code, 1);
    assert.match(last.stderr, /refusing to remove the last recipient/);

    const rotate = await veil(['recipients', 'rotate', root, '--identity', bobKey]);
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.match(rotate.stdout, /new file keys for every original: 1 of 1 vault object\(s\) re-encrypted now/);
    const verify = await veil(['verify', root, '--identity', bobKey]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
