import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { sha256Hex } from '../../../daemon/models/hash';
import { readManifest } from '../../../daemon/models/manifest';
import { ModelRegistry } from '../../../daemon/models/registry';
import { requireShared } from '../../support/paths';
import { ASTRONAUT, tempDir } from '../../support/images';
import { decodeForDetection, freshRegistry, MANIFEST } from '../../support/models';
import { serveBytes } from '../../support/loopbackServer';

const YUNET_SHA256 = '104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12';

function withCode(code: ErrorCode, ...mentions: string[]) {
  return (error: unknown) => {
    assert.ok(VeilError.is(error), `a VeilError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const text of mentions) assert.ok(error.message.includes(text), `"${error.message}" mentions ${text}`);
    return true;
  };
}

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 1] ^= 0xff;
  return copy;
}

async function filesIn(dir: string): Promise<string[]> {
  return existsSync(dir) ? readdir(dir) : [];
}

describe('model registry', function () {
  this.timeout(60_000);
  const registries: ModelRegistry[] = [];
  function registry(home?: string): ModelRegistry {
    const created = freshRegistry(home);
    registries.push(created);
    return created;
  }
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.dispose()));
  });

  describe('offline (embedded model only)', () => {
    it('lists the embedded BlazeFace as intact and YuNet as not installed', async () => {
      const models = await registry().list();
      const blazeface = models.find((m) => m.name === 'blazeface');
      const yunet = models.find((m) => m.name === 'yunet');
      assert.equal(blazeface?.source, 'npm');
      assert.equal(blazeface?.hashStatus, 'ok');
      assert.ok(blazeface?.path.endsWith('face_detection_back_256x256_barracuda.onnx'));
      assert.equal(yunet?.source, 'installed');
      assert.equal(yunet?.hashStatus, 'missing');
    });

    it('defaults to BlazeFace when nothing else is installed, and loads it', async () => {
      const models = registry();
      assert.equal(await models.defaultModelName(), 'blazeface');
      const detector = await models.load();
      assert.equal(detector.model.name, 'blazeface');
      assert.equal(detector.model.decoder, 'blazeface');
    });

    it('caches one detector per model', async () => {
      const models = registry();
      assert.equal(await models.load('blazeface'), await models.load('blazeface'));
    });

    it('refuses an unknown model name, and an installable model that is not installed', async () => {
      const models = registry();
      await assert.rejects(models.load('retinaface'), withCode(ErrorCode.ModelNotFound, 'retinaface', 'blazeface'));
      await assert.rejects(models.load('yunet'), withCode(ErrorCode.ModelNotFound, 'not installed', 'veil models install yunet'));
    });

    it('refuses a tampered model file, naming the file and both hashes', async () => {
      // A manifest whose installable model pins BlazeFace's hash; the "installed" copy has one byte changed.
      const dir = tempDir();
      const blazefaceEntry = (await readManifest(MANIFEST)).find((m) => m.name === 'blazeface');
      assert.ok(blazefaceEntry);
      const manifestPath = join(dir, 'manifest.json');
      const mirror = { ...blazefaceEntry, name: 'mirror', source: { url: 'http://127.0.0.1:9/mirror.onnx' } };
      await writeFile(manifestPath, JSON.stringify({ models: [blazefaceEntry, { ...mirror, rank: 50 }] }));
      const home = join(dir, 'home');
      await mkdir(join(home, 'models'), { recursive: true });
      const original = await readFile((await registry().info('blazeface')).path);
      const tampered = flipLastByte(original);
      const tamperedPath = join(home, 'models', 'mirror.onnx');
      await writeFile(tamperedPath, tampered);
      const models = new ModelRegistry({ home, manifestPath });
      registries.push(models);
      assert.equal((await models.info('mirror')).hashStatus, 'mismatch');
      await assert.rejects(models.load('mirror'), withCode(ErrorCode.ModelMismatch, tamperedPath, blazefaceEntry.sha256, sha256Hex(tampered)));
      assert.equal(await models.defaultModelName(), 'blazeface', 'a damaged model is never the default, whatever its rank');
      await writeFile(tamperedPath, original);
      assert.equal(await models.defaultModelName(), 'mirror', 'the intact copy of the higher-ranked model is the default');
    });

    it('adds a local model offline, records its hash and refuses it once the file changes', async () => {
      const home = tempDir('veil-home-');
      const models = registry(home);
      const source = join(tempDir(), 'my-face-model.onnx');
      const bytes = await readFile((await models.info('blazeface')).path);
      await writeFile(source, bytes);
      const added = await models.add({ file: source, decoder: 'blazeface' });
      assert.equal(added.name, 'my-face-model');
      assert.equal(added.source, 'added');
      assert.equal(added.hashStatus, 'ok');
      assert.equal(added.sha256, sha256Hex(bytes));
      const record = JSON.parse(await readFile(join(home, 'models', 'added.json'), 'utf8'));
      assert.deepEqual(record.models.map((m: { name: string; sha256: string }) => [m.name, m.sha256]), [['my-face-model', sha256Hex(bytes)]]);
      const detector = await models.load('my-face-model');
      assert.ok((await detector.detect(await decodeForDetection(ASTRONAUT), {})).length > 0);

      await writeFile(added.path, flipLastByte(bytes));
      const reopened = registry(home);
      assert.equal((await reopened.info('my-face-model')).hashStatus, 'mismatch');
      await assert.rejects(reopened.load('my-face-model'), withCode(ErrorCode.ModelMismatch, added.path, added.sha256));
    });

    it('refuses to add a file under the wrong decoder, or one that is not a model', async () => {
      const models = registry();
      const blazefacePath = (await models.info('blazeface')).path;
      await assert.rejects(models.add({ file: blazefacePath, decoder: 'yunet', name: 'x' }), withCode(ErrorCode.InvalidParams, 'yunet', 'looks like blazeface'));
      const junk = join(tempDir(), 'junk.onnx');
      await writeFile(junk, 'not a model');
      await assert.rejects(models.add({ file: junk, decoder: 'blazeface' }), withCode(ErrorCode.InvalidParams, junk, 'not a loadable ONNX model'));
      await assert.rejects(models.add({ file: blazefacePath, decoder: 'blazeface', name: 'blazeface' }), withCode(ErrorCode.InvalidParams, 'blazeface'));
    });

    it('loads a model given by path, recognising its decoder from its outputs', async () => {
      const models = registry();
      const path = (await models.info('blazeface')).path;
      const detector = await models.load(path);
      assert.equal(detector.model.decoder, 'blazeface');
      assert.equal(detector.model.path, path);
      await assert.rejects(models.load('/nonexistent/model.onnx'), withCode(ErrorCode.ModelNotFound, '/nonexistent/model.onnx'));
    });
  });

  describe('installing YuNet over loopback HTTP (needs ../shared)', () => {
    let yunetPath: string;
    let yunetBytes: Buffer;
    before(async function () {
      yunetPath = requireShared(this, 'models', 'yunet_n_dynamic.onnx');
      yunetBytes = await readFile(yunetPath);
    });

    it('downloads the file, checks the pinned hash, and YuNet becomes the default', async () => {
      const server = await serveBytes('yunet_n_dynamic.onnx', yunetBytes);
      try {
        const home = tempDir('veil-home-');
        const models = registry(home);
        const progress: number[] = [];
        const info = await models.install({ name: 'yunet', url: server.url }, (p) => progress.push(p.received));
        assert.equal(server.requests(), 1);
        assert.equal(info.hashStatus, 'ok');
        assert.equal(info.sha256, YUNET_SHA256);
        assert.equal(info.path, join(home, 'models', 'yunet_n_dynamic.onnx'));
        assert.equal(sha256Hex(await readFile(info.path)), YUNET_SHA256);
        assert.equal(progress[progress.length - 1], yunetBytes.length);
        assert.deepEqual(await filesIn(join(home, 'models')), ['yunet_n_dynamic.onnx'], 'no temp file left');
        assert.equal(await models.defaultModelName(), 'yunet');
        const detector = await models.load();
        assert.equal(detector.model.name, 'yunet');
        assert.ok((await detector.detect(await decodeForDetection(ASTRONAUT), {})).length > 0);
      } finally {
        await server.close();
      }
    });

    it('refuses a corrupted download and leaves nothing behind', async () => {
      const server = await serveBytes('yunet_n_dynamic.onnx', flipLastByte(yunetBytes));
      try {
        const home = tempDir('veil-home-');
        const models = registry(home);
        await assert.rejects(models.install({ name: 'yunet', url: server.url }), withCode(ErrorCode.ModelMismatch, YUNET_SHA256, 'nothing was installed'));
        assert.deepEqual(await filesIn(join(home, 'models')), []);
        assert.equal((await models.info('yunet')).hashStatus, 'missing');
        assert.equal(await models.defaultModelName(), 'blazeface');
      } finally {
        await server.close();
      }
    });

    it('reports a failed download (HTTP 404, connection refused) as a download error and leaves nothing behind', async () => {
      const server = await serveBytes('yunet_n_dynamic.onnx', yunetBytes);
      const home = tempDir('veil-home-');
      const models = registry(home);
      try {
        await assert.rejects(models.install({ name: 'yunet', url: server.url.replace('yunet_n_dynamic', 'missing') }), withCode(ErrorCode.ModelDownload, 'HTTP 404'));
      } finally {
        await server.close();
      }
      await assert.rejects(models.install({ name: 'yunet', url: server.url }), withCode(ErrorCode.ModelDownload, server.url));
      assert.deepEqual(await filesIn(join(home, 'models')), []);
    });

    it('abandons a download that stalls (no byte for VEIL_DOWNLOAD_IDLE_MS) and leaves nothing behind', async () => {
      const server = await serveBytes('yunet_n_dynamic.onnx', yunetBytes, 4096);
      const home = tempDir('veil-home-');
      const models = registry(home);
      process.env.VEIL_DOWNLOAD_IDLE_MS = '300';
      try {
        await assert.rejects(models.install({ name: 'yunet', url: server.url }), withCode(ErrorCode.ModelDownload, 'after 4096 bytes', 'stalled'));
      } finally {
        delete process.env.VEIL_DOWNLOAD_IDLE_MS;
        await server.close();
      }
      assert.deepEqual(await filesIn(join(home, 'models')), []);
      assert.equal(await models.defaultModelName(), 'blazeface');
    });

    it('adding the official file offline installs it as YuNet (same pinned hash)', async () => {
      const home = tempDir('veil-home-');
      const models = registry(home);
      const info = await models.add({ file: yunetPath, decoder: 'yunet' });
      assert.equal(info.name, 'yunet');
      assert.equal(info.source, 'installed');
      assert.equal(info.hashStatus, 'ok');
      assert.equal(await models.defaultModelName(), 'yunet');
    });

    it('refuses a tampered installed YuNet and falls back to BlazeFace as the default', async () => {
      const home = tempDir('veil-home-');
      await mkdir(join(home, 'models'), { recursive: true });
      const path = join(home, 'models', 'yunet_n_dynamic.onnx');
      const tampered = flipLastByte(yunetBytes);
      await writeFile(path, tampered);
      const models = registry(home);
      await assert.rejects(models.load('yunet'), withCode(ErrorCode.ModelMismatch, path, YUNET_SHA256, sha256Hex(tampered)));
      assert.equal(await models.defaultModelName(), 'blazeface');
    });
  });
});
