import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { ASTRONAUT, tempDir } from '../support/images';
import { FACE_BOX, auditEntries, box, rechainLog, seedDataset } from '../support/commitFixtures';

describe('veil CLI: policy, signer and checkpoint commands (real daemon per run)', function () {
  this.timeout(120_000);

  it('a signer trusted by an applied policy signs each commit; verify --full passes, and fails once history is rewritten', async () => {
    const root = tempDir('veil-cli-governance-');
    seedDataset(root, [{ file: 'a.png', bytes: readFileSync(ASTRONAUT), width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const keys = tempDir('veil-cli-keys-');
    assert.equal((await runCli(['keygen', '--out', join(keys, 'id.txt'), '--add-to', root])).code, 0);

    const created = await runCli(['signer', 'create', '--out', join(keys, 'signing.pem')]);
    assert.equal(created.code, 0, created.stderr);
    const publicKey = created.stdout.trim();
    assert.match(publicKey, /^veil-ed25519:[A-Za-z0-9+/]{43}=$/);
    assert.equal((await runCli(['signer', 'create', '--out', join(root, 'signing.pem')])).code, 1, 'a key inside the dataset is refused');

    const shown = await runCli(['policy', 'show', root]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stderr, /has no \.veil\/policy\.json: these are the defaults/);
    const policy = JSON.parse(shown.stdout);
    const edited = join(keys, 'policy.json');
    writeFileSync(edited, JSON.stringify({ ...policy, signers: [{ name: 'auditor', publicKey }] }));
    const applied = await runCli(['policy', 'apply', root, edited]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /put in place .*policy\.json \(sha256 [0-9a-f]{64}\)/);
    assert.equal((await runCli(['policy', 'init', root])).code, 1, 'init refuses to overwrite');

    const commit = await runCli(['commit', root], { VEIL_SIGNING_KEY: join(keys, 'signing.pem') });
    assert.equal(commit.code, 0, commit.stdout + commit.stderr);
    assert.match(commit.stdout, /signed the audit log's first \d+ entries .* as auditor/);
    const verified = await runCli(['verify', root, '--full', '--identity', join(keys, 'id.txt'), '--signer', publicKey]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /1 checkpoint signatures/);
    assert.match(verified.stdout, /signed: the first \d+ audit entries, by auditor/);

    rechainLog(root, auditEntries(root).map((entry) => (entry.type === 'review-change' ? { ...entry, actor: { osUser: 'x', reviewer: 'Someone Else' } } : entry)));
    const rewritten = await runCli(['verify', root, '--signer', publicKey]);
    assert.equal(rewritten.code, 1);
    assert.match(rewritten.stdout, /signed-history-rewritten/);
  });

  it('refuses unknown subcommands and missing keys as usage errors (exit 2), and prints each usage on --help', async () => {
    const root = tempDir('veil-cli-governance-');
    for (const args of [['policy', 'erase', root], ['policy', 'apply', root], ['signer', 'create'], ['checkpoint', 'sign', root], ['checkpoint', 'verify', root]]) {
      const run = await runCli(args, { VEIL_SIGNING_KEY: '' });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /usage: veil (policy|signer|checkpoint)/);
    }
    for (const command of ['policy', 'signer', 'checkpoint']) {
      const help = await runCli([command, '--help']);
      assert.deepEqual([help.code, help.stdout.startsWith(`usage: veil ${command}`)], [0, true], help.stdout);
    }
  });
});
