import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { commitDataset } from '../../../daemon/commit/commit';
import { verifyDataset } from '../../../daemon/verify/verify';
import { vaultObjectPath, vaultObjectRelative } from '../../../daemon/dataset/layout';
import { sha256Hex } from '../../../daemon/storage/hash';
import { ASTRONAUT, tempDir } from '../../support/images';
import { FACE_BOX, addKey, box, commitDeps, seedDataset, testContext } from '../../support/commitFixtures';

describe('verify: a file that exists but cannot be read is not reported as missing', function () {
  this.timeout(60_000);

  async function committed(): Promise<{ root: string; id: string }> {
    const root = tempDir('veil-verify-unreadable-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, [{ file: 'a.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    await addKey(root);
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(result.committed, ['a.png'], JSON.stringify(result));
    return { root, id: sha256Hex(bytes) };
  }

  it('reports vault-unreadable (EISDIR), not vault-missing, and vault-missing only when it is gone', async () => {
    const { root, id } = await committed();
    const object = vaultObjectPath(root, id);
    rmSync(object);
    mkdirSync(object); // tests run as root: a folder in its place is what makes it unreadable
    const unreadable = await verifyDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(unreadable.findings.map((f) => `${f.kind} ${f.file}`), [`vault-unreadable ${vaultObjectRelative(id)}`]);
    assert.match(unreadable.findings[0].message, /is a folder, not a file/);

    rmSync(object, { recursive: true });
    const missing = await verifyDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(missing.findings.map((f) => f.kind), ['vault-missing']);
  });

  it('reports image-unreadable (EISDIR) for a committed image that cannot be read', async () => {
    const { root } = await committed();
    rmSync(join(root, 'a.png'));
    mkdirSync(join(root, 'a.png'));
    const result = await verifyDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(result.findings.map((f) => `${f.kind} ${f.file}`), ['image-unreadable a.png']);
  });
});
