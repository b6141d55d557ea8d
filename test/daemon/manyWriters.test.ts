import assert from 'node:assert/strict';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonError } from '../../client/daemonClient';
import { ErrorCode, type Box, type ImageRecord, type ReviewChangedParams } from '../../daemon/protocol';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { EXIT } from '../../cli/exitCodes';
import { addKey } from '../support/commitFixtures';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { readReviewImages } from '../support/reviewFiles';

const isConflict = (e: unknown) => DaemonError.is(e) && e.code === ErrorCode.Conflict;

function moved(boxes: Box[], dx: number): Box[] {
  return boxes.map((box, index) => (index === 0 ? { ...box, x: box.x + dx, state: 'accepted', edited: true } : box));
}

/** Resolves with the first `review/changed` of `client` that names `file`. */
function nextChange(daemon: TestDaemon, file: string, timeoutMs = 5000): Promise<ImageRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no review/changed for ${file} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = daemon.client.onReviewChanged((params: ReviewChangedParams) => {
      const record = params.records.find((r) => r.file === file);
      if (!record) return;
      clearTimeout(timer);
      stop();
      resolve(record);
    });
  });
}

describe('one dataset, many writers', function () {
  this.timeout(120_000);
  let editor: TestDaemon;
  let root: string;
  beforeEach(async () => {
    root = tempDir();
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'b.png');
    editor = await startDaemon();
    await editor.client.request('dataset/detect', { root });
  });
  afterEach(async () => editor.client.close());

  it('a terminal `veil detect` is not undone by the editor’s next box edit (the lost update of issue #8)', async () => {
    const opened = await editor.client.request('dataset/open', { root });
    assert.ok(opened.rows.some((row) => row.file === 'a.png'));
    const seenA = await editor.client.request('review/get', { root, file: 'a.png' });
    const terminal = await runCli(['detect', root, '--force', '--threshold', '0.3']);
    assert.equal(terminal.code, 0, terminal.stderr);
    const detectedByTerminal = readReviewImages(root);
    assert.equal(detectedByTerminal['b.png'].detection?.threshold, 0.3);

    // An edit made on the state the editor saw before the terminal run is refused, not written over it.
    await assert.rejects(
      editor.client.request('review/update', { root, file: 'a.png', boxes: moved(seenA.boxes, 5), baseRevision: seenA.revision }),
      isConflict,
    );
    // Made on the current state, it lands, and the terminal's results on every image are still there.
    const current = await editor.client.request('review/get', { root, file: 'a.png' });
    const saved = await editor.client.request('review/update', { root, file: 'a.png', boxes: moved(current.boxes, 5), baseRevision: current.revision });
    const onDisk = readReviewImages(root);
    assert.deepEqual(onDisk['a.png'].boxes, saved.boxes);
    assert.equal(onDisk['a.png'].detection?.threshold, 0.3);
    assert.deepEqual(onDisk['b.png'], detectedByTerminal['b.png']);
  });

  it('an edit without a base revision applies to the latest state, never to a stale copy of other images', async () => {
    await editor.client.request('dataset/open', { root });
    const terminal = await runCli(['detect', root, '--force', '--threshold', '0.3']);
    assert.equal(terminal.code, 0, terminal.stderr);
    const b = readReviewImages(root)['b.png'];
    const a = await editor.client.request('review/get', { root, file: 'a.png' });
    await editor.client.request('review/update', { root, file: 'a.png', boxes: moved(a.boxes, 3) });
    assert.deepEqual(readReviewImages(root)['b.png'], b);
  });

  it('the editor’s daemon reports a change made by another process, with its new revision', async () => {
    await editor.client.request('dataset/open', { root });
    const other = await startDaemon();
    try {
      const record = await other.client.request('review/get', { root, file: 'b.png' });
      const change = nextChange(editor, 'b.png');
      const saved = await other.client.request('review/update', { root, file: 'b.png', boxes: moved(record.boxes, 7), baseRevision: record.revision });
      const reported = await change;
      assert.equal(reported.revision, saved.revision);
      assert.deepEqual(reported.boxes, saved.boxes);
    } finally {
      await other.client.close();
    }
  });

  it('an image committed by a terminal `veil commit` can no longer be edited from the editor', async () => {
    await editor.client.request('dataset/open', { root });
    await addKey(root);
    const a = await editor.client.request('review/get', { root, file: 'a.png' });
    const accepted = a.boxes.map((box) => ({ ...box, state: 'accepted' as const }));
    const reviewed = await editor.client.request('review/update', { root, file: 'a.png', boxes: accepted, status: 'reviewed', baseRevision: a.revision });
    const terminal = await runCli(['commit', root]);
    // The other images are not reviewed: the commit says so by its exit code, and commits a.png.
    assert.equal(terminal.code, EXIT.leftAsIs, terminal.stderr + terminal.stdout);
    assert.equal(readReviewImages(root)['a.png'].status, 'committed');
    for (const baseRevision of [reviewed.revision, undefined]) {
      await assert.rejects(
        editor.client.request('review/update', { root, file: 'a.png', boxes: [], status: 'unreviewed', baseRevision }),
        (e: unknown) => isConflict(e) && /committed/.test((e as Error).message),
      );
    }
    assert.equal(readReviewImages(root)['a.png'].status, 'committed');
    assert.equal((await editor.client.request('review/get', { root, file: 'a.png' })).status, 'committed');
  });

  it('commands on a folder inside a dataset use the enclosing dataset, narrowed to that folder (no nested dataset)', async () => {
    place(ASTRONAUT, root, 'sub/c.png');
    const sub = join(root, 'sub');
    const detected = await editor.client.request('dataset/detect', { root: sub });
    assert.deepEqual(detected.images.map((image) => image.file), ['sub/c.png']);
    assert.equal(existsSync(join(sub, '.veil')), false, 'a second, nested dataset was started');
    const opened = await editor.client.request('dataset/open', { root: sub });
    assert.equal(opened.root, realpathSync(root));
    assert.equal(opened.scope, 'sub');
    assert.deepEqual(opened.files.map((entry) => entry.file), ['sub/c.png']);
    assert.deepEqual(opened.rows.map((row) => row.file), ['sub/c.png']);
    const c = await editor.client.request('review/get', { root: sub, file: 'sub/c.png' });
    const accepted = c.boxes.map((box) => ({ ...box, state: 'accepted' as const }));
    await editor.client.request('review/update', { root: sub, file: 'sub/c.png', boxes: accepted, status: 'reviewed', baseRevision: c.revision });
    const a = await editor.client.request('review/get', { root, file: 'a.png' });
    await editor.client.request('review/update', { root, file: 'a.png', boxes: a.boxes.map((box) => ({ ...box, state: 'accepted' as const })), status: 'reviewed', baseRevision: a.revision });
    await addKey(root);
    const committed = await editor.client.request('dataset/commit', { root: sub });
    assert.deepEqual(committed.committed, ['sub/c.png'], 'a commit of the folder took images outside it');
    assert.equal(readReviewImages(root)['a.png'].status, 'reviewed');
  });

  it('a folder under a `.veil` that is not a dataset’s (the model home) starts its own dataset', async () => {
    const home = tempDir();
    mkdirSync(join(home, '.veil', 'models'), { recursive: true });
    place(ASTRONAUT, home, 'data/d.png');
    const detected = await editor.client.request('dataset/detect', { root: join(home, 'data') });
    assert.deepEqual(detected.images.map((image) => image.file), ['d.png']);
    assert.ok(existsSync(join(home, 'data', '.veil')));
  });

  it('an image held by an interrupted commit refuses edits until the commit is finished', async () => {
    const a = await editor.client.request('review/get', { root, file: 'a.png' });
    mkdirSync(join(root, '.veil', 'journal'), { recursive: true });
    const plan = { commitId: 'c1', startedAt: new Date().toISOString(), actor: { osUser: 'x', reviewer: 'x' }, options: { mode: 'fill', margin: 0.25, shape: 'rect', includeUnreviewed: false }, files: ['a.png'] };
    writeFileSync(join(root, '.veil', 'journal', 'plan.json'), JSON.stringify(plan));
    await assert.rejects(
      editor.client.request('review/update', { root, file: 'a.png', boxes: moved(a.boxes, 2), baseRevision: a.revision }),
      (e: unknown) => isConflict(e) && /part of a commit/.test((e as Error).message),
    );
    const b = await editor.client.request('review/get', { root, file: 'b.png' });
    await editor.client.request('review/update', { root, file: 'b.png', boxes: moved(b.boxes, 2), baseRevision: b.revision });
  });
});
