/**
 * `veil hold`, `veil release`, `veil purge` and `veil restore` from the command line (a real daemon per run, real keys,
 * a retention policy put in place with `veil policy apply`): each refusal exits 1 (or 2 for a usage error) and changes
 * nothing but the log, each change is audited, and verify passes throughout.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../support/cli';
import { ASTRONAUT, tempDir } from '../support/images';
import { FACE_BOX, auditEntries, box, seedDataset } from '../support/commitFixtures';
import { backdateCommits } from '../support/retentionFixtures';

describe('veil CLI: hold, release, purge and restore (real daemon per run)', function () {
  this.timeout(240_000);

  it('holds, purges past retention, refuses what is younger, held or unforced, restores for re-review and commits again; verify passes throughout', async () => {
    const root = tempDir('veil-cli-retention-');
    const small = await sharp(ASTRONAUT).resize(128, 128).jpeg({ quality: 85 }).toBuffer();
    const quarter = { x: FACE_BOX.x / 4, y: FACE_BOX.y / 4, w: FACE_BOX.w / 4, h: FACE_BOX.h / 4 };
    seedDataset(root, [
      { file: 'a.png', bytes: readFileSync(ASTRONAUT), width: 512, height: 512, boxes: [box(FACE_BOX)] },
      { file: 'b.jpg', bytes: small, width: 128, height: 128, boxes: [box(quarter)] },
    ]);
    const keys = tempDir('veil-cli-retention-keys-');
    const identity = join(keys, 'id.txt');
    assert.equal((await runCli(['keygen', '--out', identity, '--add-to', root])).code, 0);
    const commit = await runCli(['commit', root]);
    assert.equal(commit.code, 0, commit.stdout + commit.stderr);
    const policy = join(keys, 'policy.json');
    writeFileSync(policy, JSON.stringify({ retention: { days: 30, action: 'purge' } }));
    assert.equal((await runCli(['policy', 'apply', root, policy])).code, 0);
    const ok = async (args: string[], code = 0) => {
      const run = await runCli(args);
      assert.equal(run.code, code, `veil ${args.join(' ')}: ${run.stdout}${run.stderr}`);
      return run;
    };

    const dry = await ok(['purge', root, '--dry-run']);
    assert.match(dry.stdout, /originals are kept 30 day\(s\) after their commit, then purged/);
    assert.match(dry.stdout, /would purge 0 original\(s\)/);
    assert.match(dry.stdout, /a\.png .* retained/);
    assert.match((await ok(['purge', root, 'a.png'], 1)).stderr, /a\.png: not purged: it is kept until \d{4}-/);
    assert.match((await ok(['hold', root, 'a.png', '--reason', 'legal hold, case 17'])).stdout, /held the originals of \(until released\) 1 image/);
    assert.match((await ok(['hold', root, 'a.png'], 2)).stderr, /--reason is required/);

    backdateCommits(root, 31);
    await ok(['verify', root]);
    const purged = await ok(['purge', root]);
    assert.match(purged.stdout, /purged 1 original\(s\) \(crypto-shredded\), each removal in the audit log/);
    assert.match(purged.stdout, /originals in the vault: 1 expired, 1 held \(--dry-run lists each\)/);
    assert.match((await ok(['purge', root, '--dry-run'])).stdout, /a\.png .* held: legal hold, case 17/);
    assert.match(purged.stdout, /copies of these originals elsewhere .* still exist/);
    assert.match((await ok(['purge', root, 'a.png'], 1)).stderr, /on hold \(a\.png: "legal hold, case 17"/);
    assert.match((await ok(['purge', root, 'a.png', '--force'], 2)).stderr, /--force needs --reason/);
    assert.match((await ok(['purge', root, '--force', '--reason', 'all'], 2)).stderr, /--force needs the files/);
    await ok(['verify', root, '--full', '--identity', identity]);

    await ok(['release', root, 'a.png', '--reason', 'case closed']);
    assert.match((await ok(['restore', root, 'a.png'], 2)).stderr, /--identity is required/);
    assert.match((await ok(['restore', root, 'a.png', '--identity', identity], 1)).stderr, /a\.png: .*purpose/);
    assert.match((await ok(['restore', root, 'b.jpg', '--identity', identity, '--purpose', 'audit'], 1)).stderr, /b\.jpg: .*vault object was purged/);
    const restored = await ok(['restore', root, 'a.png', '--identity', identity, '--purpose', 'model-reevaluation']);
    assert.match(restored.stdout, /restored 1 original\(s\) in place of their anonymized images/);
    assert.ok(readFileSync(join(root, 'a.png')).equals(readFileSync(ASTRONAUT)), 'a.png holds its original again');
    await ok(['verify', root, '--full', '--identity', identity]);
    assert.match((await ok(['purge', root, '--dry-run'])).stdout, /a\.png .* restored/);

    await ok(['commit', root, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
    assert.ok(!readFileSync(join(root, 'a.png')).equals(readFileSync(ASTRONAUT)), 'a.png is anonymized again');
    await ok(['verify', root, '--full', '--identity', identity]);
    const actions = auditEntries(root).map((entry) => entry.type);
    for (const action of ['retention-hold', 'retention-release', 'vault-purge', 'open-refused', 'restore-original']) assert.ok(actions.includes(action), `no ${action} entry`);
    assert.equal(auditEntries(root).filter((entry) => entry.type === 'commit-image' && entry.file === 'a.png').length, 2, 'the chain shows both commits of a.png');
  });

  it('prints the usage of each command on --help', async () => {
    for (const command of ['purge', 'hold', 'release', 'restore']) {
      const help = await runCli([command, '--help']);
      assert.deepEqual([help.code, help.stdout.startsWith(`usage: veil ${command}`)], [0, true], help.stdout);
    }
  });
});
