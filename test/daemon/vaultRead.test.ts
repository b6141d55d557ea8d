/**
 * `vault/read`: an original handed to the client in memory, never written to disk; audited with its purpose before the
 * decrypt like `vault/open`, its entry naming the client it was shown in; refused (with a code naming the file) when it
 * cannot be, the refusal logged too (README "Access with a purpose").
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

  it('returns the original bytes, writes no file, and logs an open-original entry with the purpose and key, naming the client instead of a path', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const filesBefore = filesUnder(root);
    const entriesBefore = auditLines(root).length;
    const read = await daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' });
    assert.ok(Buffer.from(read.base64, 'base64').equals(original), 'the bytes returned are not the original');
    assert.equal(read.bytes, original.length);
    assert.equal(read.vaultObject, sha256Hex(original));
    assert.equal(read.recipient, readFileSync(join(root, '.veil', 'recipients.txt'), 'utf8').trim());
    const entries = auditLines(root);
    assert.equal(entries.length, entriesBefore + 1);
    const opened = entries.at(-1)!;
    assert.deepEqual(
      [opened.type, opened.file, opened.vaultObject, opened.purpose, opened.recipient, opened.shownIn, opened.out],
      ['open-original', 'a.png', read.vaultObject, 'audit', read.recipient, 'test', undefined],
    );
    assert.equal(read.checkpoint.entries, entries.length);
    // Nothing new in the dataset but the audit log's growth.
    assert.deepEqual(filesUnder(root), filesBefore);
    // The entry passes the log's checks: verify reads it as a sound open-original.
    const verified = await daemon.client.request('dataset/verify', { root });
    assert.deepEqual(verified.findings, []);
    assert.equal(verified.root, root);
  });

  it('asks the passphrase of a protected identity, and refuses a wrong one, logging the refusal (key-unusable) and no opening', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client, 'correct horse');
    assert.deepEqual(await daemon.client.request('keys/inspect', { identity }), { passphraseProtected: true });
    const entriesBefore = auditLines(root).length;
    const wrong = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity, passphrase: 'battery staple', purpose: 'audit' }));
    assert.equal(wrong.code, ErrorCode.KeyError);
    assert.equal(wrong.file, identity);
    assert.match(wrong.message, /wrong passphrase.*refused, and the refusal is in the audit log/);
    assert.deepEqual(auditLines(root).slice(entriesBefore).map((entry) => [entry.type, entry.reason]), [['open-refused', 'key-unusable']]);
    const read = await daemon.client.request('vault/read', { root, file: 'a.png', identity, passphrase: 'correct horse', purpose: 'audit' });
    assert.ok(Buffer.from(read.base64, 'base64').equals(original));
  });

  it('refuses a key the original was not encrypted to before decrypting anything, and logs the refusal naming that key', async () => {
    daemon = await startDaemon();
    const { root } = await committedDataset(daemon.client);
    const stranger = join(tempDir('veil-stranger-'), 'identity.txt');
    const { recipient } = await daemon.client.request('keys/create', { out: stranger });
    const entriesBefore = auditLines(root).length;
    const refused = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: stranger, purpose: 'audit' }));
    assert.equal(refused.code, ErrorCode.KeyError);
    assert.match(refused.message, /does not decrypt.*refused, and the refusal is in the audit log/);
    assert.match(String(refused.file), /^\.veil\/vault\/[0-9a-f]{64}\.age$/);
    const logged = auditLines(root).slice(entriesBefore);
    assert.deepEqual(logged.map((entry) => [entry.type, entry.reason, entry.recipients, entry.shownIn]), [['open-refused', 'wrong-key', [recipient], 'test']]);
  });

  it('logs the refusal of an image without a committed original; refuses a relative identity and an original too large to return, logging neither', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const entriesBefore = auditLines(root).length;
    const notCommitted = await rpcError(daemon.client.request('vault/read', { root, file: 'b.png', identity, purpose: 'audit' }));
    assert.deepEqual([notCommitted.code, notCommitted.file], [ErrorCode.BadPath, 'b.png']);
    assert.deepEqual(auditLines(root).slice(entriesBefore).map((entry) => [entry.type, entry.reason, entry.file]), [['open-refused', 'not-committed', 'b.png']]);
    const relative = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: 'identity.txt', purpose: 'audit' }));
    assert.equal(relative.code, ErrorCode.InvalidParams);
    assert.match(relative.message, /"identity" must be an absolute path/);
    // A vault object larger than an answer can carry (sparse: no disk used) is refused before the audit entry.
    truncateSync(join(root, '.veil', 'vault', `${sha256Hex(original)}.age`), MAX_READ_ORIGINAL_BYTES + 1);
    const tooLarge = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' }));
    assert.deepEqual([tooLarge.code, tooLarge.file], [ErrorCode.TooLarge, 'a.png']);
    assert.match(tooLarge.message, /veil open/);
    assert.equal(auditLines(root).length, entriesBefore + 1);
  });
});
