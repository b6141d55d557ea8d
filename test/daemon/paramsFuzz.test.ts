/**
 * Issue #9: a seeded fuzzer of every method's params against the real daemon over stdio. Params mix the keys each
 * method reads with values of every JSON type, hostile strings (NUL, 5,000 characters, traversal, devices, a FIFO),
 * bad boxes and deep nesting. Every request must be answered — a result or a coded error, never an internal error —
 * and the daemon must serve a plain request at the end. Paths stay inside a sandbox folder: the fuzzer may create
 * keys, commit or open originals there, never elsewhere. Replay a run with VEIL_DRILL_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type MethodName } from '../../daemon/protocol';
import { DaemonError } from '../../client/daemonClient';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { seededRandom, type Random } from '../support/seededRandom';

/**
 * The param keys each method reads. A `Record` over MethodName: a method added to the protocol does not compile
 * here until it is fuzzed too. `shutdown` ends the daemon by design and is sent no random params.
 */
const METHOD_KEYS: Record<MethodName, readonly string[] | 'not fuzzed'> = {
  initialize: ['clientName', 'reviewer'],
  shutdown: 'not fuzzed',
  'session/configure': ['reviewer'],
  'image/detect': ['path', 'model', 'threshold', 'thorough'],
  'dataset/open': ['root'],
  'dataset/status': ['root', 'versionControl'],
  'dataset/detect': ['root', 'files', 'force', 'shard', 'model', 'threshold', 'thorough'],
  'review/get': ['root', 'file'],
  'review/update': ['root', 'file', 'boxes', 'status', 'baseRevision'],
  'image/thumbnail': ['root', 'file', 'size'],
  'image/displayCopy': ['root', 'file'],
  'video/displayCopy': ['root', 'file'],
  'dataset/commit': ['root', 'shard', 'mode', 'margin', 'doubtMargin', 'shape', 'includeUnreviewed', 'allowPossibleFaces', 'signingKey'],
  'dataset/exclude': ['root', 'files', 'reason'],
  'dataset/include': ['root', 'files'],
  'dataset/verify': ['root', 'identity', 'passphrase', 'redetect', 'checkpoint', 'full', 'signers'],
  'models/list': [],
  'models/install': ['name', 'url'],
  'models/add': ['file', 'decoder', 'name'],
  'keys/create': ['out', 'passphrase', 'addTo'],
  'keys/inspect': ['identity'],
  'vault/open': ['root', 'file', 'identity', 'passphrase', 'out', 'purpose'],
  'vault/read': ['root', 'file', 'identity', 'passphrase', 'purpose'],
  'audit/list': ['root', 'limit', 'before', 'actor', 'actions', 'file', 'since', 'until'],
  'audit/monitor': ['root', 'actor', 'actions', 'file', 'since', 'until', 'signers', 'trail'],
  'report/create': ['root', 'out', 'signingKey', 'identity', 'passphrase', 'redetect'],
  'report/check': ['file', 'root', 'signers'],
  'policy/show': ['root'],
  'policy/init': ['root'],
  'policy/apply': ['root', 'file'],
  'signer/create': ['out'],
  'checkpoint/sign': ['root', 'key'],
  'recipients/list': ['root'],
  'recipients/add': ['root', 'recipient', 'identity', 'passphrase'],
  'recipients/remove': ['root', 'recipient', 'identity', 'passphrase'],
  'recipients/rotate': ['root', 'identity', 'passphrase'],
  'retention/hold': ['root', 'files', 'reason', 'until'],
  'retention/release': ['root', 'files', 'reason'],
  'vault/purge': ['root', 'files', 'dryRun', 'force', 'reason'],
  'vault/restore': ['root', 'files', 'identity', 'passphrase', 'purpose'],
  'backup/create': ['root', 'destination', 'withOutputs'],
  'backup/restore': ['backup', 'root', 'identity', 'passphrase', 'generation', 'dataset'],
  'backup/prune': ['backup', 'keep', 'identity', 'passphrase', 'dataset', 'dryRun'],
  'annotations/export': ['root', 'format', 'out', 'states'],
  'annotations/import': ['root', 'format', 'file', 'labels', 'trust', 'reason'],
  'redactions/export': ['root', 'out', 'merge'],
};

const REQUESTS_PER_METHOD = 40;

interface Sandbox {
  root: string;
  dir: string;
}

function sandbox(): Sandbox {
  const dir = tempDir('veil-fuzz-');
  const root = join(dir, 'dataset');
  place(ASTRONAUT, root, 'a.png');
  place(ASTRONAUT, root, 'sub/b.png');
  execFileSync('mkfifo', [join(root, 'pipe.jpg')]);
  mkdirSync(join(dir, 'out'));
  // Where an `out` may name a device: a pipe of the sandbox's own. (It was /dev/zero, which a write replaced, as root.)
  execFileSync('mkfifo', [join(dir, 'out', 'device.json')]);
  return { root, dir };
}

/** Values a fuzzed string may take: plausible, hostile, and never a path outside the sandbox that could be written. */
function strings(box: Sandbox): string[] {
  return [
    box.root,
    join(box.root, 'sub'),
    join(box.root, 'a.png'),
    join(box.root, 'pipe.jpg'),
    join(box.root, 'missing'),
    join(box.dir, 'out', 'key.txt'),
    join(box.dir, 'out', 'original.png'),
    join(box.root, '.veil', 'identity.txt'),
    'a.png',
    'sub/b.png',
    'pipe.jpg',
    '../../../etc/passwd',
    join(box.dir, 'out', 'device.json'),
    '',
    ' ',
    'nul\u0000byte',
    'x'.repeat(5000),
    '\u202e\ud800',
    'blazeface',
    'http://127.0.0.1:1/model.onnx',
    'file:///etc/passwd',
    'reviewed',
    'fill',
    'ellipse',
    'yunet',
  ];
}

function randomJson(random: Random, box: Sandbox, depth: number): unknown {
  const kind = random.below(depth > 4 ? 5 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1, 0.5, 2, 7, 256, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 1.5e-300]);
    case 3:
    case 4:
      return random.pick(strings(box));
    case 5:
      return Array.from({ length: random.below(4) }, () => randomJson(random, box, depth + 1));
    case 6:
      return randomBox(random, box);
    default: {
      const keys = ['root', 'file', 'x', 'y', 'w', 'h', 'id', 'state', '__proto__', 'constructor', 'toString'];
      return Object.fromEntries(Array.from({ length: random.below(4) }, () => [random.pick(keys), randomJson(random, box, depth + 1)]));
    }
  }
}

/** A box with each field plausible or not. */
function randomBox(random: Random, box: Sandbox): Record<string, unknown> {
  const number = () => (random.chance(0.7) ? random.next() * 600 - 50 : randomJson(random, box, 5));
  const fields: Record<string, unknown> = {
    id: random.chance(0.8) ? `b${random.below(5)}` : randomJson(random, box, 5),
    x: number(),
    y: number(),
    w: number(),
    h: number(),
    score: random.chance(0.5) ? random.next() : null,
    source: random.pick(['model', 'manual', 'other', 3]),
    state: random.pick(['proposed', 'accepted', 'rejected', 'maybe', null]),
    edited: random.chance(0.5),
  };
  for (const key of Object.keys(fields)) if (random.chance(0.1)) delete fields[key];
  return fields;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { root: value };
  return value;
}

/** Values that pass validation, so that requests reach the work behind it. */
const PLAUSIBLE: Record<string, (box: Sandbox) => unknown[]> = {
  root: (box) => [box.root, join(box.root, 'sub')],
  file: () => ['a.png', 'sub/b.png', 'pipe.jpg'],
  path: (box) => [join(box.root, 'a.png')],
  status: () => ['reviewed', 'unreviewed'],
  threshold: () => [0.1, 0.5, 0.99],
  size: () => [16, 64, 1024],
  mode: () => ['fill', 'pixelate', 'blur'],
  shape: () => ['rect', 'ellipse'],
  margin: () => [0, 0.25, 2],
  reviewer: () => ['Fuzzer', ''],
  clientName: () => ['fuzz'],
  decoder: () => ['blazeface', 'yunet'],
  out: (box) => [join(box.dir, 'out', 'key.txt'), join(box.dir, 'out', 'original.png'), join(box.dir, 'out', 'signing.pem')],
  identity: (box) => [join(box.dir, 'out', 'key.txt')],
  addTo: (box) => [box.root],
  limit: () => [1, 50, 1000],
  before: () => [0, 2, 7],
  actor: () => ['Test Reviewer', 'nobody'],
  actions: () => [['detect-run'], ['detect-image', 'open-original']],
  key: (box) => [join(box.dir, 'out', 'key.txt'), join(box.dir, 'out', 'signing.pem')],
  signingKey: (box) => [join(box.dir, 'out', 'signing.pem')],
  signers: () => [['veil-ed25519:' + Buffer.alloc(32, 7).toString('base64')], ['veil-ed25519:short'], []],
  full: () => [true, false],
  since: () => ['2026-01-01T00:00:00Z', '2026-11-29T14:03:00.5+01:00', '2026-13-45T99:00Z', 'yesterday'],
  // Also a date alone: a hold's end (retention/hold).
  until: () => ['2099-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2999-01-31'],
  redetect: () => [false],
  // A valid recipient (of a key nobody keeps) and one that is not.
  recipient: () => ['age1jjst6q7xw4frcf7dxkyzuq640ssv45xag3mn9md69ylm6cm0xqns2je3xu', 'age1notarecipient'],
  dryRun: () => [true, false],
  destination: (box) => [join(box.dir, 'out', 'backup')],
  backup: (box) => [join(box.dir, 'out', 'backup')],
  withOutputs: () => [true, false],
  generation: () => [1, 2],
  keep: () => [1, 3],
  dataset: () => ['0123456789abcdef'],
  format: () => ['coco', 'yolo', 'voc', 'labelstudio'],
  states: () => [['accepted'], ['accepted', 'proposed', 'rejected', 'possible']],
  labels: () => [['face'], ['person', 'face']],
  trust: () => [true, false],
};

function randomParams(random: Random, box: Sandbox, keys: readonly string[]): unknown {
  const shape = random.below(10);
  if (shape === 0) return randomJson(random, box, 0);
  if (shape === 1) return deeplyNested(200 + random.below(2000));
  const params: Record<string, unknown> = {};
  for (const key of keys) {
    if (random.chance(0.25)) continue;
    if (key === 'boxes') params[key] = random.chance(0.8) ? Array.from({ length: random.below(4) }, () => randomBox(random, box)) : randomJson(random, box, 1);
    else if (key === 'files') params[key] = random.chance(0.7) ? Array.from({ length: random.below(3) }, () => random.pick(strings(box))) : randomJson(random, box, 1);
    else if (key === 'checkpoint') params[key] = random.chance(0.5) ? { entries: random.below(5), sha256: random.pick(['0'.repeat(64), 'zz', '']) } : randomJson(random, box, 1);
    else if (key in PLAUSIBLE && random.chance(0.5)) params[key] = random.pick(PLAUSIBLE[key](box));
    else params[key] = random.chance(0.6) ? random.pick(strings(box)) : randomJson(random, box, 1);
  }
  if (random.chance(0.2)) params[random.pick(['extra', '__proto__', 'constructor'])] = randomJson(random, box, 1);
  return params;
}

describe('every method’s params fuzzed against the real daemon (issue #9)', function () {
  this.timeout(300_000);
  let daemon: TestDaemon | undefined;
  after(async () => daemon?.client.close());

  it('answers every request with a result or a coded error (never internal) and keeps serving', async () => {
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay with VEIL_DRILL_SEED=${random.seed})`);
    const box = sandbox();
    // The daemon runs in this process's working folder: nothing may land there (a relative `out` once did).
    const workingFolder = readdirSync(process.cwd()).sort();
    daemon = await startDaemon();
    const client = daemon.client;
    await client.request('dataset/detect', { root: box.root });

    const codes = new Map<number | 'ok', number>();
    const methods = (Object.keys(METHOD_KEYS) as MethodName[]).filter((method) => METHOD_KEYS[method] !== 'not fuzzed');
    for (let round = 0; round < REQUESTS_PER_METHOD; round++) {
      // A few requests in flight at once, as the editor sends them.
      await Promise.all(
        methods.map(async (method) => {
          const params = randomParams(random, box, METHOD_KEYS[method] as readonly string[]);
          const sent = JSON.stringify(params)?.slice(0, 300);
          try {
            await client.request(method, params as never);
            codes.set('ok', (codes.get('ok') ?? 0) + 1);
          } catch (error) {
            assert.ok(DaemonError.is(error), `${method} ${sent}: ${String(error)}`);
            assert.notEqual(error.code, ErrorCode.Internal, `${method} ${sent}: internal error ${error.message}`);
            codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          }
        }),
      );
    }
    console.log(`      ${methods.length * REQUESTS_PER_METHOD} requests: ${[...codes].map(([code, n]) => `${code} ×${n}`).join(', ')}`);
    assert.ok((codes.get(ErrorCode.InvalidParams) ?? 0) > 0 && (codes.get('ok') ?? 0) > 0, 'the fuzzer reached both refusals and results');
    // Found by this fuzzer: a file given as a dataset root was an internal error (ENOTDIR from scandir).
    for (const method of ['dataset/open', 'dataset/detect', 'dataset/commit', 'dataset/verify'] as const) {
      const error = await client.request(method, { root: join(box.root, 'a.png') }).then(() => assert.fail(`${method} took a file as root`), (e: DaemonError) => e);
      assert.equal(error.code, ErrorCode.BadPath, `${method}: ${error.message}`);
      assert.match(error.message, /is a file, not a dataset folder/);
    }
    assert.deepEqual(readdirSync(process.cwd()).sort(), workingFolder, 'the fuzzer wrote into the daemon’s working folder');
    assert.ok(lstatSync(join(box.dir, 'out', 'device.json')).isFIFO(), 'a write replaced the pipe standing where its file was to go');
    const models = await client.request('models/list', {});
    assert.ok(Array.isArray(models) && models.length > 0, 'the daemon still serves');
  });
});
