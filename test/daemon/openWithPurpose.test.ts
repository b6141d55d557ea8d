/**
 * Access with a purpose (issue #11, item 1), through the real daemon over stdio, the real `veil` CLI, real age keys and
 * the stock `age` CLI: every opening of an original states a purpose the policy accepts and is logged with the actor,
 * the purpose and the recipient of the key that opened it; every refusal (no purpose, a purpose the policy does not
 * accept, a removed key, a missing or purged object) is logged before it is answered.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type Policy } from '../../daemon/protocol';
import { sha256Hex } from '../../daemon/storage/hash';
import { vaultObjectPath } from '../../daemon/dataset/layout';
import { committedDataset } from '../support/committedDataset';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { tempDir } from '../support/images';
import { AGE_CLI } from '../support/rotationFixtures';

type Logged = Record<string, unknown>;

function auditLines(root: string): Logged[] {
  return readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Logged);
}

/** The audit entries written since `before` entries, as [type, reason] pairs. */
function since(root: string, before: number): Array<[unknown, unknown]> {
  return auditLines(root)
    .slice(before)
    .map((entry) => [entry.type, entry.reason]);
}

async function applyPolicy(daemon: TestDaemon, root: string, policy: Partial<Policy>): Promise<void> {
  const file = join(tempDir('veil-policy-'), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  await daemon.client.request('policy/apply', { root, file });
}

describe('opening an original with a purpose (real daemon, real keys, stock age)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('an opening without a purpose is refused and logged (no-purpose), through vault/open, vault/read and `veil open`, and writes nothing', async () => {
    daemon = await startDaemon();
    const { root, identity } = await committedDataset(daemon.client);
    const before = auditLines(root).length;
    const out = join(tempDir('veil-out-'), 'original.png');

    const viaOpen = await rpcError(daemon.client.request('vault/open', { root, file: 'a.png', identity, out }));
    assert.equal(viaOpen.code, ErrorCode.PurposeRefused);
    assert.match(viaOpen.message, /needs a purpose.*refused, and the refusal is in the audit log/);
    const viaRead = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: ' \n ' }));
    assert.equal(viaRead.code, ErrorCode.PurposeRefused);
    const cli = await runCli(['open', root, 'a.png', '--identity', identity, '--out', out]);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /a\.png: opening an original needs a purpose \(--purpose\)/);
    assert.equal(existsSync(out), false, 'a refused opening wrote the original');

    const logged = auditLines(root).slice(before);
    assert.deepEqual(
      logged.map((entry) => [entry.type, entry.reason, entry.file, entry.purpose, entry.vaultObject, entry.out ?? entry.shownIn]),
      [
        ['open-refused', 'no-purpose', 'a.png', undefined, undefined, out],
        ['open-refused', 'no-purpose', 'a.png', undefined, undefined, 'test'],
        ['open-refused', 'no-purpose', 'a.png', undefined, undefined, out],
      ],
    );
    assert.equal((logged[0]!.actor as { reviewer: string }).reviewer, 'Test Reviewer');
    const verified = await daemon.client.request('dataset/verify', { root });
    assert.deepEqual(verified.findings, [], 'verify does not accept the refusals it finds in the log');
  });

  it('a policy that takes only its listed purposes refuses any other (logged as purpose-not-allowed) and records a listed one in its spelling; with free text, the words given', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    await applyPolicy(daemon, root, { purposes: { required: true, allowed: ['clinical-follow-up', 'audit'], freeText: false } });
    const before = auditLines(root).length;

    const refused = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'curiosity' }));
    assert.equal(refused.code, ErrorCode.PurposeRefused);
    assert.match(refused.message, /does not accept the purpose "curiosity": one of clinical-follow-up, audit/);
    const listed = await daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'Clinical-Follow-Up' });
    assert.ok(Buffer.from(listed.base64, 'base64').equals(original));
    assert.equal(listed.purpose, 'clinical-follow-up');

    await applyPolicy(daemon, root, { purposes: { required: true, allowed: ['clinical-follow-up', 'audit'], freeText: true } });
    const ownWords = await daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'second opinion\n  for the tumour board' });
    assert.equal(ownWords.purpose, 'second opinion for the tumour board');

    const logged = auditLines(root).slice(before);
    assert.deepEqual(
      logged.filter((entry) => entry.type !== 'policy-change').map((entry) => [entry.type, entry.reason, entry.purpose]),
      [
        ['open-refused', 'purpose-not-allowed', 'curiosity'],
        ['open-original', undefined, 'clinical-follow-up'],
        ['open-original', undefined, 'second opinion for the tumour board'],
      ],
    );
  });

  it('a valid opening logs the actor, the purpose, the recipient of the key that opened it (of two in the identity file), the file and the vault object', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const recipient = readFileSync(join(root, '.veil', 'recipients.txt'), 'utf8').trim();
    // An identity file holding a stranger's key first, then the dataset's: the opening names the key that opened it.
    const strangerFile = join(tempDir('veil-stranger-'), 'identity.txt');
    await daemon.client.request('keys/create', { out: strangerFile });
    const both = join(tempDir('veil-both-'), 'identity.txt');
    writeFileSync(both, readFileSync(strangerFile, 'utf8') + readFileSync(identity, 'utf8'), { mode: 0o600 });
    await daemon.client.request('session/configure', { reviewer: 'Dr. Ada Lovelace' });
    const out = join(tempDir('veil-out-'), 'original.png');
    const before = auditLines(root).length;

    const opened = await daemon.client.request('vault/open', { root, file: 'a.png', identity: both, out, purpose: 'clinical-follow-up' });
    assert.ok(readFileSync(out).equals(original));
    assert.deepEqual([opened.purpose, opened.recipient, opened.vaultObject], ['clinical-follow-up', recipient, sha256Hex(original)]);
    const [entry, ...rest] = auditLines(root).slice(before);
    assert.deepEqual(rest, []);
    assert.deepEqual(
      { type: entry!.type, reviewer: (entry!.actor as { reviewer: string }).reviewer, purpose: entry!.purpose, recipient: entry!.recipient, file: entry!.file, vaultObject: entry!.vaultObject, out: entry!.out },
      { type: 'open-original', reviewer: 'Dr. Ada Lovelace', purpose: 'clinical-follow-up', recipient, file: 'a.png', vaultObject: sha256Hex(original), out },
    );
    const trail = await daemon.client.request('audit/list', { root, limit: 1 });
    assert.match(trail.entries[0]!.details, new RegExp(`for "clinical-follow-up" with the key of ${recipient} and written to`));
    assert.deepEqual((await daemon.client.request('dataset/verify', { root, identity })).findings, []);
  });

  it('a removed key is refused and logged (wrong-key, naming its recipient), and the stock age CLI cannot open the object with it either', async () => {
    daemon = await startDaemon();
    const { root, identity: kept, original } = await committedDataset(daemon.client);
    const removedFile = join(tempDir('veil-removed-'), 'identity.txt');
    const { recipient: removed } = await daemon.client.request('keys/create', { out: removedFile });
    await daemon.client.request('recipients/add', { root, recipient: removed, identity: kept });
    const added = await daemon.client.request('vault/read', { root, file: 'a.png', identity: removedFile, purpose: 'audit' });
    assert.equal(added.recipient, removed, 'the added key did not open the original');
    await daemon.client.request('recipients/remove', { root, recipient: removed, identity: kept });
    const before = auditLines(root).length;

    const refused = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: removedFile, purpose: 'audit' }));
    assert.equal(refused.code, ErrorCode.KeyError);
    assert.match(refused.message, new RegExp(`it is not encrypted to ${removed}; refused, and the refusal is in the audit log`));
    const logged = auditLines(root).slice(before);
    assert.deepEqual(logged.map((entry) => [entry.type, entry.reason, entry.purpose, entry.recipients, entry.vaultObject]), [['open-refused', 'wrong-key', 'audit', [removed], sha256Hex(original)]]);
    const age = spawnSync(AGE_CLI, ['-d', '-i', removedFile, vaultObjectPath(root, sha256Hex(original))]);
    assert.notEqual(age.status, 0, 'the stock age CLI opened the object with the removed key');
  });

  it('a vault object gone without a purge is refused as missing, one purged through Veil as purged, each logged before the key is touched', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const id = sha256Hex(original);
    const saved = readFileSync(vaultObjectPath(root, id));
    rmSync(vaultObjectPath(root, id));
    const before = auditLines(root).length;
    // A passphrase-less identity that does not exist: the object's state is refused first, the key never loaded.
    const missing = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: join(tempDir(), 'none.txt'), purpose: 'audit' }));
    assert.deepEqual([missing.code, missing.file], [ErrorCode.KeyError, `.veil/vault/${id}.age`]);
    assert.match(missing.message, /vault object is missing/);
    assert.deepEqual(since(root, before), [['open-refused', 'missing']]);

    writeFileSync(vaultObjectPath(root, id), saved);
    await daemon.client.request('vault/purge', { root, files: ['a.png'], force: true, reason: 'the patient withdrew consent' });
    assert.equal(existsSync(vaultObjectPath(root, id)), false);
    const purgedAt = auditLines(root).length;
    const purged = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' }));
    assert.equal(purged.code, ErrorCode.KeyError);
    assert.match(purged.message, /was purged/);
    assert.deepEqual(since(root, purgedAt), [['open-refused', 'purged']]);
  });
});
