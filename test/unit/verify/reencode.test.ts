import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { commitDataset } from '../../../daemon/commit/commit';
import { verifyDataset } from '../../../daemon/verify/verify';
import { auditedFiles } from '../../../daemon/audit/committed';
import { ASTRONAUT, tempDir } from '../../support/images';
import { FACE_BOX, addKey, box, commitDeps, seedDataset, testContext } from '../../support/commitFixtures';

/** Images whose re-encode by the commit is byte-identical to them (no metadata, Veil's own encoder settings). */
async function reencodesIdentically(): Promise<Array<{ file: string; bytes: Buffer; width: number; height: number }>> {
  const onePixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
  const coffee = await sharp(ASTRONAUT).extract({ left: 0, top: 300, width: 96, height: 96 }).removeAlpha().tiff({ compression: 'lzw' }).toBuffer();
  return [
    { file: 'one-pixel.png', bytes: onePixel, width: 1, height: 1 },
    { file: 'no-face.tif', bytes: coffee, width: 96, height: 96 },
  ];
}

describe('verify: its verdict rests on what was redacted, not on whether the bytes changed (issue #9)', function () {
  this.timeout(60_000);

  it('a face-free image whose re-encode is byte-identical (1x1 PNG, LZW TIFF) is committed and verifies ok', async () => {
    const root = tempDir('veil-verify-reencode-');
    const images = await reencodesIdentically();
    seedDataset(root, images.map((image) => ({ ...image, boxes: [] })));
    await addKey(root);
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual([...result.committed].sort(), ['no-face.tif', 'one-pixel.png'], JSON.stringify(result));
    const events = (await auditedFiles(root)).commits;
    for (const { file, bytes } of images) {
      // The premise: the output really is the original's bytes (otherwise this test would prove nothing).
      assert.equal(events.get(file)?.outputSha256, events.get(file)?.originalSha256, `${file} was not re-encoded identically`);
      assert.deepEqual(readFileSync(join(root, file)), bytes);
    }
    const verified = await verifyDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(verified.findings, []);
    assert.equal(verified.ok, true);
  });

  it('an image whose committed output is its original while the commit redacted a box is still reported', async () => {
    const root = tempDir('veil-verify-reencode-face-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, [{ file: 'a.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    await addKey(root);
    await commitDataset({ root }, testContext(), commitDeps());
    writeFileSync(join(root, 'a.png'), bytes);
    const verified = await verifyDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(verified.findings.map((f) => `${f.kind} ${f.file}`), ['image-not-anonymized a.png']);
  });
});
