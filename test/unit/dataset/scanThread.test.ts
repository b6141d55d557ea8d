/**
 * The daemon's scan worker (daemon/dataset/scanThread.ts) against the walk run in this thread: the same entries, in the
 * same order, with the same sizes and times, the same refusals, the same errors; and a worker that fails is said, and
 * replaced on the next scan.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { listFaceFiles } from '../../../daemon/dataset/listFaceFiles';
import { scanInWorker, scanInWorkerFrom } from '../../../daemon/dataset/scanThread';
import { DIST } from '../../support/paths';

describe('the scan worker', () => {
  let root: string;
  let outside: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'veil-scan-worker-'));
    outside = mkdtempSync(join(tmpdir(), 'veil-scan-outside-'));
    mkdirSync(join(root, 'ward 3', 'bed\n2'), { recursive: true });
    writeFileSync(join(root, 'a.jpg'), 'x');
    writeFileSync(join(root, 'Äpfel.png'), 'xyz');
    writeFileSync(join(root, 'ward 3', 'bed\n2', 'line\nbreak.jpg'), 'xx');
    writeFileSync(join(root, 'ward 3', 'scan.heic'), 'x');
    writeFileSync(join(root, 'notes.txt'), 'not an image');
    writeFileSync(join(outside, 'elsewhere.jpg'), 'x');
    symlinkSync(join(outside, 'elsewhere.jpg'), join(root, 'ward 3', 'link.jpg'));
    execFileSync('mkfifo', [join(root, 'pipe.jpg')]);
    scanInWorkerFrom(join(DIST, 'scanWorker.js'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('finds what the walk in this thread finds: names with line breaks, sizes, times, refusals, in order', async () => {
    const here = await listFaceFiles(root);
    const there = await scanInWorker(root, '');
    assert.deepEqual(there, here);
    assert.deepEqual(
      there.entries.map((entry) => [entry.file, entry.bytes]),
      [['a.jpg', 1], ['ward 3/bed\n2/line\nbreak.jpg', 2], ['Äpfel.png', 3]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    assert.deepEqual(there.refused.map((failure) => failure.file).sort(), ['pipe.jpg', 'ward 3/link.jpg', 'ward 3/scan.heic']);
  });

  it('scans a subfolder, and a dataset with no image at all', async () => {
    assert.deepEqual(await scanInWorker(root, 'ward 3'), await listFaceFiles(root, 'ward 3'));
    const empty = mkdtempSync(join(tmpdir(), 'veil-scan-empty-'));
    try {
      assert.deepEqual(await scanInWorker(empty, ''), { entries: [], refused: [] });
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('fails as the walk in this thread fails: a folder that is gone', async () => {
    const here = await listFaceFiles(root, 'gone').then(() => undefined, (error: Error) => error);
    const there = await scanInWorker(root, 'gone').then(() => undefined, (error: Error) => error);
    assert.ok(here && there);
    assert.equal(there.message, here.message);
  });

  it('the worker walks nothing on a malformed request: it fails, naming it', async () => {
    const thread = new Worker(join(DIST, 'scanWorker.js'));
    const failed = new Promise<Error>((resolve) => thread.once('error', resolve));
    thread.on('message', () => assert.fail('the worker answered a malformed request'));
    thread.postMessage({ id: 1, root: 42 });
    assert.match((await failed).message, /malformed request: \{"id":1,"root":42\}/);
    await thread.terminate();
  });

  it('a worker that cannot start fails the scan with a coded error; the next scan starts a working one', async () => {
    scanInWorkerFrom(join(root, 'no-such-worker.js'));
    const failed = await scanInWorker(root, '').then(() => undefined, (error: unknown) => error);
    assert.ok(VeilError.is(failed), String(failed));
    assert.equal(failed.code, ErrorCode.Internal);
    assert.match(failed.message, /dataset scan worker/);
    scanInWorkerFrom(join(DIST, 'scanWorker.js'));
    assert.equal((await scanInWorker(root, '')).entries.length, 3);
  });
});
