/**
 * Issue #9, part 1 (resources): the daemon never dies, swells or stalls from what a client sends. The real daemon
 * over stdio; memory is its resident set read from /proc/<pid>/status (Linux; skipped elsewhere).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode, type Box, type ImageRecord, type MethodName } from '../../daemon/protocol';
import { MAX_REQUEST_LINE_BYTES } from '../../daemon/ndjson';
import { DIST } from '../support/paths';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, makeDataset, place, tempDir } from '../support/images';

const MB = 1024 * 1024;

/** Resident memory of a process, in MB: now (VmRSS) and at its peak so far (VmHWM). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** `promise`, or a failure naming `what` after `ms` (instead of a hung test). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** The daemon over raw stdio, for lines the client would never send; answers collected by id. */
function rawDaemon() {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(DIST, 'daemon.js')], { env: { ...process.env, VEIL_HOME: tempDir('veil-home-') } });
  const answers: Array<{ id: unknown; result?: unknown; error?: { code: number; message: string } }> = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      answers.push(JSON.parse(pending.slice(0, newline)));
      pending = pending.slice(newline + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const write = (text: string) => (child.stdin.write(text) ? Promise.resolve() : new Promise<void>((resolve) => child.stdin.once('drain', () => resolve())));
  const answer = async (id: unknown, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const found = answers.find((a) => a.id === id);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`no answer with id ${JSON.stringify(id)} within ${ms} ms`);
  };
  return { child, answers, write, answer, exited };
}

describe('daemon resource limits (issue #9; real daemon over stdio)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  before(function () {
    if (!existsSync('/proc/self/status')) this.skip();
  });
  afterEach(async () => {
    await daemon?.client.close();
    daemon = undefined;
  });

  it('refuses /dev/zero and a FIFO (as image, thumbnail or model) without reading them, naming the file, and answers the next request at once', async () => {
    daemon = await startDaemon();
    const pid = daemon.client.pid!;
    const idle = memoryOf(pid).rss;
    const started = Date.now();
    const zero = await rpcError(within(10_000, 'image/detect /dev/zero', daemon.client.request('image/detect', { path: '/dev/zero' })));
    assert.equal(zero.code, ErrorCode.BadPath, zero.message);
    assert.equal(zero.file, '/dev/zero');
    assert.match(zero.message, /character device/);
    const zeroModel = await rpcError(within(10_000, 'a model at /dev/zero', daemon.client.request('image/detect', { path: ASTRONAUT, model: '/dev/zero' })));
    assert.equal(zeroModel.code, ErrorCode.BadPath, zeroModel.message);
    assert.match(zeroModel.message, /\/dev\/zero.*character device/);

    const root = tempDir();
    place(ASTRONAUT, root, 'a.png');
    mkfifo(join(root, 'pipe.jpg'));
    // More requests than libuv has pool threads (4): opening a FIFO used to hold one thread each, for good.
    const onPipe = await Promise.all(
      Array.from({ length: 6 }, () => rpcError(within(10_000, 'image/detect on a FIFO', daemon!.client.request('image/detect', { path: join(root, 'pipe.jpg') })))),
    );
    for (const error of onPipe) {
      assert.equal(error.code, ErrorCode.BadPath, error.message);
      assert.match(error.message, /named pipe \(FIFO\)/);
      assert.equal(error.file, join(root, 'pipe.jpg'));
    }
    for (const method of ['image/thumbnail', 'image/displayCopy'] as const) {
      const error = await rpcError(within(10_000, `${method} of a FIFO`, daemon.client.request(method, { root, file: 'pipe.jpg' })));
      assert.equal(error.code, ErrorCode.BadPath, `${method}: ${error.message}`);
      assert.equal(error.file, 'pipe.jpg');
    }
    const refusals = Date.now() - started;

    const next = Date.now();
    const found = await within(15_000, 'image/detect after the refusals', daemon.client.request('image/detect', { path: join(root, 'a.png') }));
    assert.ok(found.faces.length >= 1);
    const after = memoryOf(pid);
    console.log(`      refusals ${refusals} ms, next image/detect ${Date.now() - next} ms (model load included); RSS idle ${idle.toFixed(0)} MB, after ${after.rss.toFixed(0)} MB, peak ${after.peak.toFixed(0)} MB`);
    assert.ok(refusals < 5_000, `the refusals took ${refusals} ms`);
    assert.ok(after.peak < idle + 300, `peak RSS ${after.peak.toFixed(0)} MB, idle ${idle.toFixed(0)} MB`);
  });

  it('dataset/detect and dataset/open report a FIFO in the dataset as a failure of that file and go on', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'z.png');
    mkfifo(join(root, 'pipe.jpg'));
    const scanned = await within(30_000, 'dataset/detect', daemon.client.request('dataset/detect', { root }));
    assert.deepEqual(scanned.failures.map((f) => [f.file, f.code]), [['pipe.jpg', ErrorCode.BadPath]]);
    assert.match(scanned.failures[0]!.message, /named pipe/);
    assert.deepEqual(scanned.images.map((i) => i.file), ['a.png', 'z.png']);
    const named = await within(30_000, 'dataset/detect naming the FIFO', daemon.client.request('dataset/detect', { root, files: ['pipe.jpg', 'a.png'], force: true }));
    assert.deepEqual(named.failures.map((f) => [f.file, f.code]), [['pipe.jpg', ErrorCode.BadPath]]);
    assert.equal(named.processed, 1);
    const opened = await within(10_000, 'dataset/open', daemon.client.request('dataset/open', { root }));
    assert.deepEqual(opened.failures.map((f) => [f.file, f.code]), [['pipe.jpg', ErrorCode.BadPath]]);
    assert.deepEqual(opened.files.map((f) => f.file), ['a.png', 'z.png']);
  });

  it('answers 1,000 concurrent models/list with peak RSS under idle + 150 MB (model hashes cached per file, one computation shared)', async () => {
    daemon = await startDaemon();
    const pid = daemon.client.pid!;
    await daemon.client.request('models/list', {});
    const idle = memoryOf(pid).rss;
    const started = Date.now();
    const lists = await within(60_000, '1,000 models/list', Promise.all(Array.from({ length: 1000 }, () => daemon!.client.request('models/list', {}))));
    const { peak } = memoryOf(pid);
    console.log(`      1,000 models/list in ${Date.now() - started} ms; RSS idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (+${(peak - idle).toFixed(0)})`);
    assert.equal(lists.length, 1000);
    for (const list of lists) assert.equal(list.find((m) => m.name === 'blazeface')?.hashStatus, 'ok');
    assert.ok(peak < idle + 150, `peak RSS ${peak.toFixed(0)} MB, idle ${idle.toFixed(0)} MB`);
  });

  it('discards a 100 MB line as it streams (InvalidRequest, id null) with peak RSS under idle + 100 MB, and serves the next request', async () => {
    const raw = rawDaemon();
    await raw.write(JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { clientName: 't' } }) + '\n');
    await raw.answer('init', 15_000);
    const idle = memoryOf(raw.child.pid!).rss;
    const started = Date.now();
    const block = 'x'.repeat(MB);
    await raw.write('{"jsonrpc":"2.0","id":"huge","method":"image/detect","params":{"path":"');
    for (let i = 0; i < 100; i++) await raw.write(block);
    await raw.write('"}}\n');
    // A 50 MB path: also a line over the limit, refused the same way.
    await raw.write(JSON.stringify({ jsonrpc: '2.0', id: 'path', method: 'image/detect', params: { path: '/tmp/' + 'p'.repeat(50 * MB) } }) + '\n');
    await raw.write(JSON.stringify({ jsonrpc: '2.0', id: 'next', method: 'models/list' }) + '\n');
    const next = await raw.answer('next', 30_000);
    const elapsed = Date.now() - started;
    const { peak } = memoryOf(raw.child.pid!);
    console.log(`      150 MB of oversized lines answered in ${elapsed} ms; RSS idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (+${(peak - idle).toFixed(0)})`);
    assert.ok(Array.isArray(next.result), 'the next request was not served');
    const refused = raw.answers.filter((a) => a.id === null);
    assert.equal(refused.length, 2, JSON.stringify(raw.answers).slice(0, 500));
    for (const answer of refused) {
      assert.equal(answer.error?.code, ErrorCode.InvalidRequest);
      assert.match(answer.error!.message, /longer than 8 MB/);
    }
    assert.ok(!raw.answers.some((a) => a.id === 'huge' || a.id === 'path'), 'a discarded line was answered as a request');
    assert.ok(peak < idle + 100, `peak RSS ${peak.toFixed(0)} MB, idle ${idle.toFixed(0)} MB`);
    assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
    raw.child.stdin.end();
    assert.equal(await raw.exited, 0);
  });

  it('refuses every over-long string param with InvalidParams naming it (paths 4,096, names 256 characters), at once', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    const longPath = '/tmp/' + 'p'.repeat(4 * MB);
    const overPath = '/tmp/' + 'p'.repeat(4096);
    const overName = 'n'.repeat(257);
    const box = (id: string): Box => ({ id, x: 1, y: 1, w: 2, h: 2, score: null, source: 'manual', state: 'accepted', edited: true });
    const cases: Array<[MethodName, Record<string, unknown>, string]> = [
      ['image/detect', { path: longPath }, 'path'],
      ['image/detect', { path: overPath }, 'path'],
      ['image/detect', { path: ASTRONAUT, model: overPath }, 'model'],
      ['dataset/open', { root: overPath }, 'root'],
      ['dataset/detect', { root, files: ['a.png', overPath] }, 'files[1]'],
      ['review/get', { root, file: overPath }, 'file'],
      ['review/update', { root, file: 'a.png', boxes: [box(overName)] }, 'boxes[0].id'],
      ['image/thumbnail', { root, file: overPath }, 'file'],
      ['dataset/verify', { root, identity: overPath }, 'identity'],
      ['models/install', { name: overName }, 'name'],
      ['models/add', { file: '/tmp/x.onnx', decoder: 'yunet', name: overName }, 'name'],
      ['session/configure', { reviewer: overName }, 'reviewer'],
      ['initialize', { clientName: overName }, 'clientName'],
      ['keys/create', { out: overPath }, 'out'],
      ['vault/open', { root, file: 'a.png', identity: '/tmp/k', out: overPath }, 'out'],
      ['models/list', { progressToken: overName }, 'progressToken'],
    ];
    for (const [method, params, key] of cases) {
      const started = Date.now();
      const error = await rpcError(within(5_000, method, daemon.client.request(method, params as never)));
      assert.equal(error.code, ErrorCode.InvalidParams, `${method} ${key}: ${error.code} ${error.message.slice(0, 200)}`);
      assert.ok(error.message.includes(`"${key}"`), `${method}: "${error.message.slice(0, 200)}" does not name ${key}`);
      assert.ok(error.message.length < 200, `${method}: the message echoes the string`);
      assert.ok(Date.now() - started < 2_000, `${method} took ${Date.now() - started} ms`);
    }
    assert.ok(Array.isArray(await daemon.client.request('models/list', {})), 'daemon still serving');
  });

  it('the client refuses to send a request over the daemon’s 8 MB line limit, and reads a 20,000-image dataset/open answer (5.6 MB) whole', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    // Rows, not records (ReviewRow): 10,000 images made a 2.8 MB answer, under the half of the limit this test wants.
    const imageCount = 20_000;
    const files = Array.from({ length: imageCount }, (_, i) => `camera-${i % 20}/img-${String(i).padStart(6, '0')}.jpg`);
    const tooMany = Array.from({ length: Math.ceil(MAX_REQUEST_LINE_BYTES / 4000) + 1 }, (_, i) => `${i}/${'f'.repeat(4000)}`);
    const refused = await rpcError(within(5_000, 'an oversized request', daemon.client.request('dataset/detect', { root, files: tooMany })));
    assert.equal(refused.code, ErrorCode.InvalidRequest);
    assert.match(refused.message, /above the daemon's limit of 8\.0 MB/);

    const source = join(root, '.source.jpg');
    writeFileSync(source, await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).jpeg().toBuffer());
    const proposal = (i: number, j: number): Box => ({ id: `m-${i}-${j}-0123456789abcdef`, x: 10 + j * 10, y: 8, w: 6, h: 8, score: 0.7, source: 'model', state: 'proposed', edited: false });
    const detection = { model: 'yunet', threshold: 0.5, thorough: false, at: '2026-11-29T12:00:00.000Z' };
    const images: Record<string, ImageRecord> = {};
    files.forEach((file, i) => {
      mkdirSync(join(root, `camera-${i % 20}`), { recursive: true });
      linkSync(source, join(root, file));
      images[file] = { file, width: 64, height: 48, boxes: [0, 1, 2].map((j) => proposal(i, j)), status: 'unreviewed', detection, revision: 1 };
    });
    mkdirSync(join(root, '.veil'));
    writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: 1, images }));
    const opened = await within(60_000, `dataset/open of ${imageCount} images`, daemon.client.request('dataset/open', { root }));
    assert.equal(opened.files.length, imageCount);
    assert.equal(opened.rows.length, imageCount);
    const bytes = Buffer.byteLength(JSON.stringify(opened));
    console.log(`      dataset/open answer for ${imageCount} images: ${(bytes / 1e6).toFixed(1)} MB`);
    assert.ok(bytes > MAX_REQUEST_LINE_BYTES / 2, 'the answer is not large enough to test the client’s limit');
  });

  it('answers models/list and review/get while a long dataset/detect runs, each before the batch ends', async () => {
    daemon = await startDaemon();
    const count = 40;
    const root = await makeDataset(count, 1024);
    let firstDone: (file: string) => void = () => undefined;
    const first = new Promise<string>((resolve) => (firstDone = resolve));
    let batchEnded = 0;
    // The batch is cancelled once the answers are in: it must still be running then (and the test stays short).
    const cancel = new AbortController();
    const batch = daemon.client
      .request('dataset/detect', { root }, { signal: cancel.signal, onProgress: (p) => p.file && p.done >= 1 && firstDone(p.file) })
      .then((result) => {
        batchEnded = Date.now();
        return result;
      });
    const file = await within(60_000, 'the first image of the batch', first);
    const latencies: Array<[string, number, number]> = [];
    for (let round = 0; round < 3; round++) {
      let sent = Date.now();
      await daemon.client.request('models/list', {});
      latencies.push(['models/list', Date.now() - sent, batchEnded]);
      sent = Date.now();
      const record: ImageRecord = await daemon!.client.request('review/get', { root, file });
      assert.equal(record.file, file);
      latencies.push(['review/get', Date.now() - sent, batchEnded]);
    }
    cancel.abort();
    const result = await batch;
    console.log(`      during the batch (ms): ${latencies.map(([m, ms]) => `${m} ${ms}`).join(', ')}; cancelled after ${result.processed} of ${count} images`);
    assert.equal(result.cancelled, true, 'the batch had ended before the answers');
    assert.ok(result.processed < count);
    for (const [method, ms, endedBefore] of latencies) {
      assert.equal(endedBefore, 0, `${method} was answered only after the batch ended`);
      assert.ok(ms < 3_000, `${method} took ${ms} ms during the batch`);
    }
  });
});
