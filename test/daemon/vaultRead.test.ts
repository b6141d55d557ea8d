/**
 * `vault/read`: an original handed to the client in memory, never written to disk; audited before the decrypt like
 * `vault/open`, its entry naming the client it was shown in; refused (with a code naming the file) when it cannot be.
 */
import assert from 'node:assert/strict';
import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, MAX_READ_ORIGINAL_BYTES } from '../../daemon/protocol';
import { sha256Hex } from '../../daemon/storage/hash';
import { committedDataset, filesUnder } from '../support/committedDataset';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir } from '../support/images';

function auditLines(root: string): Array<Record<string, unknown>> {
  return readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('vault/read: an original shown from memory (real daemon over stdio)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('returns the original bytes, writes no file, and logs an open-original entry naming the client instead of a path', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const filesBefore = filesUnder(root);
    const entriesBefore = auditLines(root).length;
    const read = await daemon.client.request('vault/read', { root, file: 'a.png', identity });
    assert.ok(Buffer.from(read.base64, 'base64').equals(original), 'the bytes returned are not the original');
    assert.equal(read.bytes, original.length);
    assert.equal(read.vaultObject, sha256Hex(original));
    const entries = auditLines(root);
    assert.equal(entries.length, entriesBefore + 1);
    const opened = entries.at(-1)!;
    assert.deepEqual([opened.type, opened.file, opened.vaultObject, opened.shownIn, opened.out], ['open-original', 'a.png', read.vaultObject, 'test', undefined]);
    assert.equal(read.checkpoint.entries, entries.length);
    // Nothing new in the dataset but the audit log's growth.
    assert.deepEqual(filesUnder(root), filesBefore);
    // The entry passes the log's checks: verify reads it as a sound open-original.
    const verified = await daemon.client.request('dataset/verify', { root });
    assert.deepEqual(verified.findings, []);
    assert.equal(verified.root, root);
  });

  it('asks the passphrase of a protected identity, and refuses a wrong one before anything is logged', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client, 'correct horse');
    assert.deepEqual(await daemon.client.request('keys/inspect', { identity }), { passphraseProtected: true });
    const entriesBefore = auditLines(root).length;
    const wrong = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity, passphrase: 'battery staple' }));
    assert.equal(wrong.code, ErrorCode.KeyError);
    assert.equal(wrong.file, identity);
    assert.equal(auditLines(root).length, entriesBefore, 'a refused passphrase was logged as an opening');
    const read = await daemon.client.request('vault/read', { root, file: 'a.png', identity, passphrase: 'correct horse' });
    assert.ok(Buffer.from(read.base64, 'base64').equals(original));
  });

  it('logs the attempt before decrypting: a key the original was not encrypted to is refused, and the attempt stays in the log', async () => {
    daemon = await startDaemon();
    const { root } = await committedDataset(daemon.client);
    const stranger = join(tempDir('veil-stranger-'), 'identity.txt');
    await daemon.client.request('keys/create', { out: stranger });
    const entriesBefore = auditLines(root).length;
    const refused = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: stranger }));
    assert.equal(refused.code, ErrorCode.KeyError);
    assert.match(refused.message, /does not decrypt.*the attempt is in the audit log/);
    assert.match(String(refused.file), /^\.veil\/vault\/[0-9a-f]{64}\.age$/);
    assert.equal(auditLines(root).length, entriesBefore + 1);
    assert.equal(auditLines(root).at(-1)!.type, 'open-original');
  });

  it('refuses an image without a committed original, a relative identity and an original too large to return, logging none', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const entriesBefore = auditLines(root).length;
    const notCommitted = await rpcError(daemon.client.request('vault/read', { root, file: 'b.png', identity }));
    assert.deepEqual([notCommitted.code, notCommitted.file], [ErrorCode.BadPath, 'b.png']);
    const relative = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: 'identity.txt' }));
    assert.equal(relative.code, ErrorCode.InvalidParams);
    assert.match(relative.message, /"identity" must be an absolute path/);
    // A vault object larger than an answer can carry (sparse: no disk used) is refused before the audit entry.
    truncateSync(join(root, '.veil', 'vault', `${sha256Hex(original)}.age`), MAX_READ_ORIGINAL_BYTES + 1);
    const tooLarge = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity }));
    assert.deepEqual([tooLarge.code, tooLarge.file], [ErrorCode.TooLarge, 'a.png']);
    assert.match(tooLarge.message, /veil open/);
    assert.equal(auditLines(root).length, entriesBefore);
  });
});
