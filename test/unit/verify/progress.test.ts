import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { ProgressParams } from '../../../daemon/protocol';
import { CancellationToken } from '../../../daemon/core/callContext';
import { commitDataset } from '../../../daemon/commit/commit';
import { verifyDataset } from '../../../daemon/verify/verify';
import { ASTRONAUT, tempDir } from '../../support/images';
import { FACE_BOX, addKey, box, commitDeps, seedDataset, testContext } from '../../support/commitFixtures';
import { freshRegistry } from '../../support/models';

type Update = Omit<ProgressParams, 'token'>;

/** A committed dataset of three images with different bytes (so three vault objects). */
async function committedDataset(): Promise<string> {
  const root = tempDir('veil-verify-progress-');
  const images = await Promise.all(
    [80, 85, 90].map(async (quality, i) => ({
      file: `img-${i}.jpg`,
      bytes: await sharp(ASTRONAUT).jpeg({ quality }).toBuffer(),
      width: 512,
      height: 512,
      boxes: [box(FACE_BOX)],
    })),
  );
  seedDataset(root, images);
  await addKey(root);
  const result = await commitDataset({ root }, testContext(), commitDeps());
  assert.equal(result.committed.length, 3, JSON.stringify(result));
  return root;
}

describe('verify progress', function () {
  this.timeout(60_000);

  it('reports every image and vault object on one scale that never runs backwards and ends at its total', async () => {
    const root = await committedDataset();
    const updates: Update[] = [];
    const result = await verifyDataset({ root }, testContext(new CancellationToken(), (update) => updates.push(update)), commitDeps());
    assert.equal(result.ok, true, JSON.stringify(result.findings));
    assert.deepEqual(
      updates.map((u) => u.total),
      updates.map(() => 6),
      'one total: 3 images + 3 vault objects',
    );
    const done = updates.map((u) => u.done);
    assert.deepEqual(done, [...done].sort((a, b) => a - b), `progress ran backwards: ${done.join(', ')}`);
    assert.deepEqual(updates.at(-1), { done: 6, total: 6, message: 'verified' });
    const files = updates.map((u) => u.file).filter(Boolean);
    assert.deepEqual(files.slice(0, 3), ['img-0.jpg', 'img-1.jpg', 'img-2.jpg']);
    assert.equal(files.filter((file) => file?.startsWith('.veil/vault/')).length, 3, files.join(', '));
  });

  it('counts re-detection on the same scale', async () => {
    const root = await committedDataset();
    const updates: Update[] = [];
    const registry = freshRegistry();
    const deps = { ...commitDeps(), loadDetector: () => registry.load() };
    await verifyDataset({ root, redetect: true }, testContext(new CancellationToken(), (update) => updates.push(update)), deps);
    assert.ok(updates.every((u) => u.total === 9), `totals: ${updates.map((u) => u.total).join(', ')}`);
    const done = updates.map((u) => u.done);
    assert.deepEqual(done, [...done].sort((a, b) => a - b), `progress ran backwards: ${done.join(', ')}`);
    assert.ok(updates.some((u) => u.message === 're-detecting faces' && u.done >= 6), 're-detection not counted after the first two phases');
    await registry.dispose();
  });
});
