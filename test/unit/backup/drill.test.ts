/**
 * The README's disaster-recovery drill, run as it is written: the code block under its marker, with `sh` and the stock
 * `age` CLI, on a backup of a committed dataset. No Veil code takes part in the recovery; what it recovers is compared
 * with the dataset byte for byte.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitDataset } from '../../../daemon/commit/commit';
import { addRecipient } from '../../../daemon/vault/recipients';
import { listVaultObjects } from '../../../daemon/vault/vault';
import { auditPath } from '../../../daemon/audit/log';
import { vaultObjectPath, veilPath } from '../../../daemon/dataset/layout';
import { REPO_ROOT } from '../../support/paths';
import { tempDir } from '../../support/images';
import { commitDeps, seedDataset, testContext } from '../../support/commitFixtures';
import { newKey, vaultImages } from '../../support/rotationFixtures';
import { backUp } from '../../support/backupFixtures';

const MARKER = '<!-- The disaster-recovery drill:';

/** The code block that follows the drill's marker in README.md, as it is written there. */
function drillFromReadme(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(MARKER));
  assert.ok(readme.includes(MARKER), 'README.md holds the drill');
  const start = after.indexOf('```sh\n') + '```sh\n'.length;
  return after.slice(start, after.indexOf('\n```', start) + 1);
}

describe('disaster-recovery drill (README, stock age, no Veil code)', function () {
  this.timeout(120_000);

  it('recovers every original under its name, the audit log, the review state and the committed images, byte for byte', async () => {
    const root = tempDir('veil-drill-dataset-');
    const [astronaut, first, second] = await vaultImages(2);
    const images = [astronaut!, { ...first!, file: 'sub dir/face one.jpg' }, { ...second!, file: 'nested/deeper/img.jpg' }];
    seedDataset(root, images);
    const custodian = await newKey();
    await addRecipient(root, custodian.recipient);
    const committed = await commitDataset({ root }, testContext(), commitDeps());
    assert.equal(committed.committed.length, images.length);
    const backupFolder = tempDir('veil-drill-backup-');
    const backup = await backUp(root, backupFolder, { withOutputs: true });
    const out = join(tempDir('veil-drill-out-'), 'recovered');

    const script = drillFromReadme();
    assert.match(script, /age -d -i "\$KEY"/);
    const run = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH, B: backupFolder, KEY: custodian.identityFile, OUT: out }, encoding: 'utf8' });
    assert.equal(run.status, 0, `the drill failed:\n${run.stderr}`);

    for (const image of images) assert.deepEqual(readFileSync(join(out, 'originals', image.file)), image.bytes, `original of ${image.file}`);
    for (const image of images) assert.deepEqual(readFileSync(join(out, image.file)), readFileSync(join(root, image.file)), `committed image ${image.file}`);
    const log = readFileSync(auditPath(root), 'utf8').split('\n').slice(0, backup.covers.entries).join('\n') + '\n';
    assert.equal(readFileSync(join(out, '.veil', 'audit.jsonl'), 'utf8'), log, 'the audit log as the generation covers it');
    for (const name of ['review.json', 'recipients.txt', 'vault-recipients.jsonl'] as const) {
      assert.deepEqual(readFileSync(join(out, '.veil', name)), readFileSync(join(veilPath(root, 'vault'), '..', name)), name);
    }
    for (const id of await listVaultObjects(root)) assert.deepEqual(readFileSync(join(out, '.veil', 'vault', `${id}.age`)), readFileSync(vaultObjectPath(root, id)));
  });
});
