import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ErrorCode, type MethodName } from '../../daemon/protocol';
import { seededRandom } from '../support/seededRandom';
import { DIST } from '../support/paths';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir } from '../support/images';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('daemon protocol (real daemon over stdio)', () => {
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('refuses work before initialize with NotInitialized', async () => {
    daemon = await startDaemon({}, false);
    const error = await rpcError(daemon.client.request('dataset/open', { root: tempDir() }));
    assert.equal(error.code, ErrorCode.NotInitialized);
  });

  it('answers initialize with the protocol version and the installed models', async () => {
    daemon = await startDaemon({}, false);
    const init = await daemon.client.request('initialize', { clientName: 'test' });
    assert.equal(init.protocolVersion, 1);
    assert.ok(init.models.some((m) => m.decoder === 'blazeface' && m.hashStatus === 'ok'));
    assert.ok(init.models.some((m) => m.name === init.defaultModel));
  });

  it('answers an unknown method with MethodNotFound and keeps serving', async () => {
    daemon = await startDaemon();
    const error = await rpcError(daemon.client.request('no/such' as MethodName, {} as never));
    assert.equal(error.code, ErrorCode.MethodNotFound);
    assert.ok(Array.isArray(await daemon.client.request('models/list', {})));
  });

  it('rejects malformed params of every method with InvalidParams, never an internal error', async () => {
    daemon = await startDaemon();
    const bad: Array<[MethodName, unknown]> = [
      ['image/detect', {}],
      ['image/detect', { path: 5 }],
      ['image/detect', { path: 'x.jpg', threshold: 7 }],
      ['image/detect', { path: 'x.jpg', thorough: 'yes' }],
      ['dataset/open', []],
      ['dataset/open', { root: '' }],
      ['dataset/detect', { root: null }],
      ['dataset/detect', { root: '/tmp', files: 'a.jpg' }],
      ['dataset/detect', { root: '/tmp', model: 3 }],
      ['review/get', { root: '/tmp' }],
      ['review/update', { root: '/tmp', file: 'a.jpg', boxes: [{ id: 'b', x: 0 }] }],
      ['review/update', { root: '/tmp', file: 'a.jpg', boxes: [], status: 'committed' }],
      ['image/thumbnail', { root: '/tmp', file: 'a.jpg', size: -1 }],
      ['image/displayCopy', { root: '/tmp' }],
      ['dataset/commit', { root: 7 }],
      ['dataset/verify', { root: {} }],
      ['models/install', { name: '' }],
      ['models/add', { file: 'x.onnx' }],
      ['models/add', { file: 'x.onnx', decoder: 'ssd' }],
      ['session/configure', []],
      ['session/configure', { reviewer: 42 }],
      ['keys/create', {}],
      ['keys/create', { out: '/tmp/veil-never.key', passphrase: '' }],
      ['keys/create', { out: '/tmp/veil-never.key', addTo: 7 }],
      ['keys/inspect', { identity: 3 }],
      ['vault/open', { root: '/tmp', file: 'a.png', identity: '/tmp/k' }],
      ['vault/open', { root: '/tmp', file: 'a.png', identity: '/tmp/k', out: '/tmp/o', passphrase: false }],
      // Paths are absolute: the daemon's working folder is nobody's business (a relative `out` wrote a key there).
      ['keys/create', { out: 'relative.key' }],
      ['vault/open', { root: '/tmp', file: 'a.png', identity: '/tmp/k', out: 'original.png' }],
      ['dataset/open', { root: 'samples' }],
      ['image/detect', { path: 'samples/group.jpg' }],
      ['models/add', { file: 'x.onnx', decoder: 'yunet' }],
    ];
    for (const [method, params] of bad) {
      const error = await rpcError(daemon.client.request(method, params as never));
      assert.equal(error.code, ErrorCode.InvalidParams, `${method} ${JSON.stringify(params)} → ${error.code} ${error.message}`);
    }
    assert.ok(Array.isArray(await daemon.client.request('models/list', {})), 'daemon still serving');
  });

  it('survives hostile lines (null, batches, wrong ids, deep nesting, seeded random JSON) and keeps serving', async () => {
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay with VEIL_DRILL_SEED=${random.seed})`);
    const randomJson = (depth: number): unknown => {
      const kind = random.below(depth > 3 ? 5 : 7);
      if (kind === 0) return null;
      if (kind === 1) return random.chance(0.5);
      if (kind === 2) return random.next() * 1e6 - 5e5;
      if (kind === 3) return 'x'.repeat(random.below(50));
      if (kind === 4) return random.pick(['initialize', 'review/update', 'dataset/open', '$/cancelRequest', '2.0']);
      if (kind === 5) return Array.from({ length: random.below(4) }, () => randomJson(depth + 1));
      const keys = ['jsonrpc', 'id', 'method', 'params', 'root', 'file', 'boxes'];
      return Object.fromEntries(Array.from({ length: random.below(5) }, () => [random.pick(keys), randomJson(depth + 1)]));
    };
    const child = spawn(process.execPath, [join(DIST, 'daemon.js')], { env: { ...process.env, VEIL_HOME: tempDir() } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const hostile = [
      'null',
      '[null]',
      '[]',
      '42',
      '"x"',
      'true',
      '{}',
      '{"jsonrpc":"2.0"}',
      '{"jsonrpc":"2.0","method":5,"id":1}',
      '{"jsonrpc":"2.0","id":{},"method":"initialize","params":{}}',
      '{"jsonrpc":"2.0","method":"$/cancelRequest","params":null}',
      '{"jsonrpc":"2.0","id":2,"method":"initialize","params":"x"}',
      '['.repeat(200_000),
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'initialize', params: { clientName: 'x'.repeat(2_000_000) } }),
      ...Array.from({ length: 300 }, () => JSON.stringify(randomJson(0))),
    ];
    for (const line of hostile) child.stdin.write(line + '\n');
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 'last', method: 'initialize', params: { clientName: 't' } }) + '\n');
    await waitFor(() => out.includes('"id":"last"'), 30_000);
    const lines = out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id?: unknown; error?: { code: number } });
    const last = lines.find((line) => line.id === 'last') as { result?: { protocolVersion: number } };
    assert.equal(last.result?.protocolVersion, 1, 'the daemon stopped serving');
    for (const line of lines.slice(0, 12)) assert.ok(line.error, `${JSON.stringify(line).slice(0, 120)} should be an error`);
    child.stdin.end();
    assert.equal(await exited, 0, 'the daemon died instead of closing normally');
  });

  it('answers a line that is not JSON with ParseError and keeps stdout pure JSON', async () => {
    const child = spawn(process.execPath, [join(DIST, 'daemon.js')], { env: { ...process.env, VEIL_HOME: tempDir() } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stdin.write('this is not json\n');
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientName: 't' } }) + '\n');
    await waitFor(() => out.split('\n').filter(Boolean).length >= 2, 15000);
    child.stdin.end();
    await new Promise((r) => child.on('exit', r));
    const lines = out.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    assert.equal(lines[0].error.code, ErrorCode.ParseError);
    assert.equal(lines[1].id, 1);
    assert.equal(lines[1].result.protocolVersion, 1);
  });

  it('exits when its stdin closes', async () => {
    const child = spawn(process.execPath, [join(DIST, 'daemon.js')], { env: { ...process.env, VEIL_HOME: tempDir() } });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdin.end();
    assert.equal(await exited, 0);
  });

  it('exits when its parent process dies even while its stdin stays open', async () => {
    const script = `const c=require('child_process').spawn(process.execPath,[${JSON.stringify(join(DIST, 'daemon.js'))}],{stdio:['inherit','ignore','ignore']});console.log(c.pid);setInterval(()=>{},1000);`;
    const parent = spawn(process.execPath, ['-e', script], { env: { ...process.env, VEIL_HOME: tempDir() } });
    const daemonPid = await new Promise<number>((resolve) => parent.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    assert.ok(alive(daemonPid));
    parent.kill('SIGKILL');
    assert.ok(await waitFor(() => !alive(daemonPid), 8000), 'daemon still running after its parent died');
  });
});
