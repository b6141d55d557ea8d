/** `veil backup` and `veil restore-backup` end to end: the built CLI, its daemon, real keys; then `veil verify` on what was restored. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASTRONAUT, tempDir } from '../../support/images';
import { runCli } from '../../support/cli';
import { FACE_BOX, box, seedDataset } from '../../support/commitFixtures';

function veil(args: string[]) {
  return runCli(args, { VEIL_REVIEWER: 'Custodian' });
}

describe('veil backup / restore-backup (CLI)', () => {
  it('backs up a committed dataset, restores it into a fresh folder with its images, and veil verify passes there', async function () {
    this.timeout(120_000);
    const root = tempDir('veil-backup-cli-');
    seedDataset(root, [{ file: 'a.png', bytes: readFileSync(ASTRONAUT), width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const key = join(tempDir('veil-keys-'), 'custodian.key');
    assert.equal((await veil(['keygen', '--out', key, '--add-to', root])).code, 0);
    assert.equal((await veil(['commit', root])).code, 0);
    const dest = join(tempDir('veil-backup-disk-'), 'backups');

    const first = await veil(['backup', root, dest, '--with-outputs']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^backup generation 1 of .* \(dataset [0-9a-f]{16}\): 1 vault object\(s\), \d+ state file\(s\), the first \d+ audit entries, 1 committed image\(s\)$/m);
    assert.match(first.stdout, /^manifest: .*datasets\/[0-9a-f]{16}\/000001\.age \(sha256 [0-9a-f]{64}, as the backup entry of the audit log records it\)$/m);
    assert.match(first.stdout, /^checkpoint: \{"entries":\d+,"head":"[0-9a-f]{64}"\}$/m);
    const second = await veil(['backup', root, dest, '--with-outputs']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^wrote 1 blob \(\d+\.\d kB\), each read back and its sha256 checked; \d+ blobs \(.*\) were there already$/m);

    const fresh = join(tempDir('veil-restore-cli-'), 'dataset');
    const restored = await veil(['restore-backup', dest, fresh, '--identity', key]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^restored generation 2 .* 1 vault object\(s\), \d+ state file\(s\), 1 committed image\(s\)$/m);
    const verifyLine = /^ {2}veil verify .* --identity <key> --checkpoint '(\{.*\})'$/m.exec(restored.stdout);
    assert.ok(verifyLine, restored.stdout);
    const verified = await veil(['verify', fresh, '--identity', key, '--checkpoint', verifyLine[1]!]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^ok: no findings$/m);

    const usage = await veil(['restore-backup', dest, tempDir('veil-restore-cli-')]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--identity is required/);
    const again = await veil(['restore-backup', dest, fresh, '--identity', key]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /was restored from generation 2 of .* already \(a run that did not see its end\): nothing was written/);
    const over = await veil(['restore-backup', dest, root, '--identity', key]);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /already holds a \.veil\/ that is not this backup's restore: a restore never replaces a dataset's state/);
    const inside = await veil(['backup', root, join(root, 'backups')]);
    assert.equal(inside.code, 1);
    assert.match(inside.stderr, /the backup folder lies inside the dataset it backs up/);
  });
});
