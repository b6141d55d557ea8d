/** `models/install` cancelled mid-download: the daemon stops the download at once and installs nothing. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../daemon/protocol';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { serveBytes, type LoopbackServer } from '../support/loopbackServer';

describe('models/install cancelled (real daemon over stdio, loopback server)', function () {
  this.timeout(60_000);
  let daemon: TestDaemon | undefined;
  let server: LoopbackServer | undefined;
  afterEach(async () => {
    await daemon?.client.close();
    await server?.close();
  });

  it('answers Cancelled at once, though the server holds the connection open (no 30 s stall timeout), and installs nothing', async () => {
    // 64 KB sent of 1 MB, then silence: without the cancel the daemon would wait out its 30 s stall timeout.
    server = await serveBytes('yunet.onnx', Buffer.alloc(1024 * 1024), 64 * 1024);
    daemon = await startDaemon();
    const controller = new AbortController();
    const installing = daemon.client.request('models/install', { name: 'yunet', url: server.url }, { signal: controller.signal, onProgress: () => controller.abort() });
    const started = Date.now();
    const error = await rpcError(installing);
    assert.equal(error.code, ErrorCode.Cancelled, error.message);
    assert.ok(Date.now() - started < 5_000, `cancelled after ${Date.now() - started} ms`);
    const yunet = (await daemon.client.request('models/list', {})).find((model) => model.name === 'yunet');
    assert.equal(yunet?.hashStatus, 'missing');
    assert.equal(existsSync(join(daemon.home, 'models', 'yunet_n_dynamic.onnx')), false);
  });
});
