/** `veil backup prune` end to end: the built CLI, its daemon, real keys; usage errors, a dry run, the prune, and `veil audit` showing it. */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASTRONAUT, tempDir } from '../../support/images';
import { runCli } from '../../support/cli';
import { FACE_BOX, box, seedDataset } from '../../support/commitFixtures';

function veil(args: string[]) {
  return runCli(args, { VEIL_REVIEWER: 'Custodian' });
}

describe('veil backup prune (CLI)', () => {
  it('refuses a missing or zero --keep and a missing --identity as usage errors; a dry run removes nothing; the prune keeps the newest, says what it freed and is in the audit trail', async function () {
    this.timeout(180_000);
    const root = tempDir('veil-prune-cli-');
    seedDataset(root, [{ file: 'a.png', bytes: readFileSync(ASTRONAUT), width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const key = join(tempDir('veil-keys-'), 'custodian.key');
    assert.equal((await veil(['keygen', '--out', key, '--add-to', root])).code, 0);
    assert.equal((await veil(['commit', root])).code, 0);
    const dest = join(tempDir('veil-prune-disk-'), 'backups');
    for (let generation = 1; generation <= 3; generation++) {
      if (generation > 1) assert.equal((await veil(['recipients', 'rotate', root, '--identity', key])).code, 0);
      const backedUp = await veil(['backup', root, dest]);
      assert.equal(backedUp.code, 0, backedUp.stderr);
    }
    const [datasetId] = readdirSync(join(dest, 'datasets'));
    const generations = () => readdirSync(join(dest, 'datasets', datasetId!)).sort();

    for (const args of [['backup', 'prune', dest, '--identity', key], ['backup', 'prune', dest, '--keep', '0', '--identity', key], ['backup', 'prune', dest, '--keep', '1']]) {
      const usage = await veil(args);
      assert.equal(usage.code, 2, `${args.join(' ')}: ${usage.stderr}`);
    }
    const blobs = readdirSync(join(dest, 'blobs')).length;
    const dry = await veil(['backup', 'prune', dest, '--keep', '1', '--identity', key, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^dataset ${datasetId}: would remove generation\\(s\\) 1, 2; kept 3$`, 'm'));
    assert.deepEqual([generations(), readdirSync(join(dest, 'blobs')).length], [['000001.age', '000002.age', '000003.age'], blobs]);

    const pruned = await veil(['backup', 'prune', dest, '--keep', '1', '--identity', key]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, new RegExp(`^dataset ${datasetId}: removed generation\\(s\\) 1, 2; kept 3$`, 'm'));
    assert.match(pruned.stdout, /^ {2}recorded in the audit log of /m);
    const freed = /: removed (\d+) blobs? \(.*\) no kept generation names; (\d+) blobs? \(.*\) kept$/m.exec(pruned.stdout);
    assert.ok(freed, pruned.stdout);
    assert.equal(Number(freed[1]) + Number(freed[2]), blobs);
    assert.deepEqual([generations(), readdirSync(join(dest, 'blobs')).length], [['000003.age'], Number(freed[2])]);

    const trail = await veil(['audit', root, '--action', 'backup-prune']);
    assert.match(trail.stdout, /backup-prune .*backup generation\(s\) 1, 2 removed from .* \(kept 3\), with \d+ blobs no kept generation names/);
    const fresh = join(tempDir('veil-prune-restored-'), 'dataset');
    const restored = await veil(['restore-backup', dest, fresh, '--identity', key]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^restored generation 3 /m);
  });
});
