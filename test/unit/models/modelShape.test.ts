import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { decodeYuNet } from '../../../daemon/detection/yunet';
import { decodeBlazeFace } from '../../../daemon/detection/blazeface';
import { tempDir } from '../../support/images';
import { freshRegistry } from '../../support/models';

function modelShape(...mentions: string[]) {
  return (error: unknown) => {
    assert.ok(VeilError.is(error), `a VeilError, got ${String(error)}`);
    assert.equal(error.code, ErrorCode.ModelShape, error.message);
    for (const text of mentions) assert.ok(error.message.includes(text), `"${error.message}" mentions ${text}`);
    return true;
  };
}

describe('a model whose tensors are not its decoder\'s', function () {
  this.timeout(60_000);

  it('registered under the wrong decoder (a hand-edited added.json) is refused with ModelShape, not an internal error', async () => {
    const home = tempDir('veil-home-');
    const registry = freshRegistry(home);
    try {
      const source = join(tempDir(), 'wrong.onnx');
      await writeFile(source, await readFile((await registry.info('blazeface')).path));
      await registry.add({ file: source, decoder: 'blazeface' });
      const addedJson = join(home, 'models', 'added.json');
      const record = JSON.parse(await readFile(addedJson, 'utf8'));
      record.models[0].decoder = 'yunet';
      await writeFile(addedJson, JSON.stringify(record));
      const reopened = freshRegistry(home);
      try {
        await assert.rejects(reopened.load('wrong'), modelShape('"wrong"', 'yunet', 'looks like blazeface'));
      } finally {
        await reopened.dispose();
      }
    } finally {
      await registry.dispose();
    }
  });

  it('outputs of the wrong size are a ModelShape error from the decoders', () => {
    const cells = (40 / 8) * (40 / 8);
    const stride8 = { stride: 8, cls: new Float32Array(cells - 1), obj: new Float32Array(cells), bbox: new Float32Array(cells * 4) };
    assert.throws(() => decodeYuNet([stride8], 40, 40, 0.5), modelShape('YuNet stride 8'));
    const layers = [{ scores: new Float32Array(3), regressors: new Float32Array(48) }, { scores: new Float32Array(3), regressors: new Float32Array(48) }];
    assert.throws(() => decodeBlazeFace(layers, 0.5), modelShape('BlazeFace output layer 0'));
  });
});
