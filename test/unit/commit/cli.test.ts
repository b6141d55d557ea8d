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

function veil(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { ...process.env, VEIL_HOME: tempDir('veil-home-'), ...env } });
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
    assert.equal(commit.code, 0, commit.stderr);
    assert.match(commit.stdout, /1 image\(s\) committed/);
    const checkpoint = /checkpoint: (\{.*\})/.exec(commit.stdout)![1];
    assert.ok(!readFileSync(join(root, 'a.png')).equals(bytes));

    const clean = veil(['verify', root, '--identity', keyFile, '--checkpoint', checkpoint]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /ok: no findings/);

    const out = join(tempDir(), 'original.png');
    const open = veil(['open', root, 'a.png', '--identity', keyFile, '--out', out, '--purpose', 'model re-evaluation']);
    assert.equal(open.code, 0, open.stderr);
    assert.ok(readFileSync(out).equals(bytes));

    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    writeFileSync(auditPath(root), lines.slice(0, 1).join('\n') + '\n');
    const cut = veil(['verify', root, '--checkpoint', checkpoint]);
    assert.equal(cut.code, 1);
    assert.match(cut.stdout, /audit-checkpoint .*tail was cut/);
    assert.ok((await sharp(join(root, 'a.png')).metadata()).format === 'png');
  });

  it('open asks for the passphrase of a protected identity, logs the refusal of a wrong one, and nothing for an output inside the dataset', function () {
    this.timeout(90_000);
    const root = tempDir('veil-cli-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, [{ file: 'a.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const keyFile = join(tempDir(), 'sealed.key');
    const passphrase = 'open sesame, slowly';
    const keygen = veil(['keygen', '--out', keyFile, '--passphrase', '--add-to', root], { VEIL_PASSPHRASE: passphrase });
    assert.equal(keygen.code, 0, keygen.stderr);
    assert.match(keygen.stderr, /identity written to .*sealed\.key \(mode 0600, passphrase-protected\)/);
    assert.equal(veil(['commit', root]).code, 0);
    const auditLines = () => readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    const before = auditLines().length;

    const purpose = ['--purpose', 'clinical follow-up'];
    const inside = veil(['open', root, 'a.png', '--identity', keyFile, '--out', join(root, 'copy.png'), ...purpose], { VEIL_PASSPHRASE: passphrase });
    assert.equal(inside.code, 1);
    assert.match(inside.stderr, /refusing to write an original inside the dataset/);
    assert.equal(auditLines().length, before, 'an output inside the dataset is refused before anything is logged');
    const wrong = veil(['open', root, 'a.png', '--identity', keyFile, '--out', join(tempDir(), 'x.png'), ...purpose], {}, 'not the passphrase\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong passphrase.*refused, and the refusal is in the audit log/);
    assert.deepEqual(
      (({ type, reason, purpose: logged }) => ({ type, reason, logged }))(JSON.parse(auditLines().at(-1)!)),
      { type: 'open-refused', reason: 'key-unusable', logged: 'clinical follow-up' },
    );

    // The passphrase comes from standard input (no VEIL_PASSPHRASE): the CLI asks, the daemon decrypts.
    const out = join(tempDir(), 'original.png');
    const open = veil(['open', root, 'a.png', '--identity', keyFile, '--out', out, ...purpose], {}, passphrase + '\n');
    assert.equal(open.code, 0, open.stderr);
    assert.match(open.stdout, /wrote the original of a\.png \(\d+ bytes, vault object [0-9a-f]{12}…\) to .*original\.png\n/);
    assert.match(open.stdout, /the opening is in the audit log: purpose "clinical follow-up", key of age1[0-9a-z]+/);
    assert.ok(readFileSync(out).equals(bytes));
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const last = JSON.parse(auditLines().at(-1)!);
    assert.equal(last.type, 'open-original');
    assert.equal(last.file, 'a.png');
  });

  it('keygen refuses to overwrite an identity and checks --add-to before writing one', () => {
    const existing = join(tempDir(), 'me.key');
    assert.equal(veil(['keygen', '--out', existing]).code, 0);
    const again = veil(['keygen', '--out', existing]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; refusing to overwrite an identity/);
    const fresh = join(tempDir(), 'fresh.key');
    const missing = veil(['keygen', '--out', fresh, '--add-to', join(tempDir(), 'no-such-dataset')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /dataset folder does not exist/);
    assert.throws(() => statSync(fresh), 'no identity written for a dataset that does not exist');
  });
});
