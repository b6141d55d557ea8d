import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { auditPath } from '../../../daemon/audit/log';
import { ASTRONAUT, tempDir } from '../../support/images';
import { DIST } from '../../support/paths';
import { FACE_BOX, box, seedDataset } from '../../support/commitFixtures';

const CLI = join(DIST, 'cli.js');

function veil(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, VEIL_HOME: tempDir('veil-home-'), ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('veil keygen / commit / verify / open (CLI)', () => {
  it('keygen writes a 0600 identity, prints its recipient and adds it to a dataset', () => {
    const dataset = tempDir();
    const out = join(tempDir(), 'me.key');
    const run = veil(['keygen', '--out', out, '--add-to', dataset]);
    assert.equal(run.code, 0, run.stderr);
    const recipient = run.stdout.trim();
    assert.match(recipient, /^age1[0-9a-z]{58}$/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(dataset, '.veil', 'recipients.txt'), 'utf8'), recipient + '\n');
    assert.equal(execFileSync('/usr/bin/age-keygen', ['-y', out], { encoding: 'utf8' }).trim(), recipient, 'age-keygen -y derives the same recipient');
  });

  it('keygen --passphrase writes an identity the age CLI opens with that passphrase', function () {
    this.timeout(30_000);
    const out = join(tempDir(), 'sealed.key');
    const passphrase = 'a long test passphrase';
    const run = veil(['keygen', '--out', out, '--passphrase'], { VEIL_PASSPHRASE: passphrase });
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^-----BEGIN AGE ENCRYPTED FILE-----/);
    assert.doesNotMatch(text, /AGE-SECRET-KEY/);
    // age reads passphrases from the terminal only: give it one with script(1).
    const opened = join(tempDir(), 'opened.key');
    execFileSync('/usr/bin/script', ['-qec', `/usr/bin/age -d -o ${opened} ${out}`, '/dev/null'], { input: passphrase + '\n' });
    const inner = readFileSync(opened, 'utf8');
    assert.match(inner, new RegExp(`# public key: ${run.stdout.trim()}\\nAGE-SECRET-KEY-1`));
  });

  it('commit, verify and open work end to end through the daemon', async function () {
    this.timeout(60_000);
    const root = tempDir('veil-cli-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, [{ file: 'a.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const keyFile = join(tempDir(), 'id.key');
    assert.equal(veil(['keygen', '--out', keyFile, '--add-to', root]).code, 0);

    const commit = veil(['commit', root, '--mode', 'pixelate']);
    if (/not available in this build/.test(commit.stderr)) {
      console.warn('      (skipped: dataset/commit is not wired into daemon/handlers.ts yet)');
      this.skip();
    }
    assert.equal(commit.code, 0, commit.stderr);
    assert.match(commit.stdout, /1 image\(s\) committed/);
    const checkpoint = /checkpoint: (\{.*\})/.exec(commit.stdout)![1];
    assert.ok(!readFileSync(join(root, 'a.png')).equals(bytes));

    const clean = veil(['verify', root, '--identity', keyFile, '--checkpoint', checkpoint]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /ok: no findings/);

    const out = join(tempDir(), 'original.png');
    const open = veil(['open', root, 'a.png', '--identity', keyFile, '--out', out]);
    assert.equal(open.code, 0, open.stderr);
    assert.ok(readFileSync(out).equals(bytes));

    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    writeFileSync(auditPath(root), lines.slice(0, 1).join('\n') + '\n');
    const cut = veil(['verify', root, '--checkpoint', checkpoint]);
    assert.equal(cut.code, 1);
    assert.match(cut.stdout, /audit-checkpoint .*tail was cut/);
    assert.ok((await sharp(join(root, 'a.png')).metadata()).format === 'png');
  });
});
