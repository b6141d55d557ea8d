/**
 * The CI gate of README "CI gate and scripting": docs/pre-commit/git-hook.sh installed as a real git repository's
 * pre-commit hook refuses commits touching a dataset until Veil has committed every image of it (naming the images),
 * and `veil status --require verified` adds `veil verify`'s findings to what falls short.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../cli/exitCodes';
import type { JsonDocument } from '../../cli/jsonOutput';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { committedDataset } from '../support/committedDataset';
import { runCli } from '../support/cli';
import { DIST, REPO_ROOT } from '../support/paths';

describe('CI gate: the git pre-commit hook of docs/ and status --require verified', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startDaemon();
  });
  after(async () => daemon.client.close());

  it('the hook refuses a commit touching the dataset while images are unreviewed or uncommitted, naming them, and accepts it after detect, review and veil commit', async () => {
    const repo = tempDir('veil-hook-');
    const home = tempDir('veil-hook-home-');
    const env = {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: repo,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@e',
      VEIL_HOME: home,
      VEIL_CLI: `${process.execPath} ${join(DIST, 'cli.js')}`,
    };
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
    assert.equal(git('init', '--quiet').status, 0);
    copyFileSync(join(REPO_ROOT, 'docs', 'pre-commit', 'git-hook.sh'), join(repo, '.git', 'hooks', 'pre-commit'));
    chmodSync(join(repo, '.git', 'hooks', 'pre-commit'), 0o755);
    const root = join(repo, 'data', 'photos');
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'people/b.png');
    await daemon.client.request('keys/create', { out: join(home, 'id.txt'), addTo: root });
    writeFileSync(join(repo, 'README.md'), 'a dataset\n');

    // A commit of a file outside every dataset is none of Veil's business.
    git('add', 'README.md');
    const readme = git('commit', '--quiet', '-m', 'readme');
    assert.equal(readme.status, 0, readme.stderr);

    git('add', '-A');
    const unreviewed = git('commit', '--quiet', '-m', 'photos, as they came');
    assert.notEqual(unreviewed.status, 0, 'refused while unreviewed');
    assert.match(unreviewed.stderr, /2 file\(s\) keep the dataset from being committed:\n {2}a\.png: not reviewed\n {2}people\/b\.png: not reviewed/);
    assert.match(unreviewed.stderr, /veil pre-commit: commit refused/);

    const detect = await runCli(['detect', root], { VEIL_HOME: home });
    assert.equal(detect.code, EXIT.ok, detect.stderr);
    for (const file of ['a.png', 'people/b.png']) {
      const record = await daemon.client.request('review/get', { root, file });
      await daemon.client.request('review/update', { root, file, boxes: record.boxes.map((box) => ({ ...box, state: box.state === 'possible' ? 'rejected' : 'accepted' })), status: 'reviewed' });
    }
    git('add', '-A');
    const reviewed = git('commit', '--quiet', '-m', 'photos, reviewed');
    assert.notEqual(reviewed.status, 0, 'refused while reviewed, not committed');
    assert.match(reviewed.stderr, / {2}a\.png: reviewed, not committed\n {2}people\/b\.png: reviewed, not committed/);

    const commit = await runCli(['commit', root], { VEIL_HOME: home });
    assert.equal(commit.code, EXIT.ok, commit.stdout + commit.stderr);
    git('add', '-A');
    const accepted = git('commit', '--quiet', '-m', 'photos, anonymized');
    assert.equal(accepted.status, 0, accepted.stdout + accepted.stderr);
    assert.equal(git('log', '--format=%s', '-1').stdout.trim(), 'photos, anonymized');
    assert.match(git('show', '--name-only', '--format=', 'HEAD').stdout, /^data\/photos\/\.veil\/audit\.jsonl$/m, 'the audit log goes into git with the images');
  });

  it('status --require verified: exit 0 on a clean committed dataset, 5 once a committed image is changed, the finding listed', async () => {
    const { root } = await committedDataset(daemon.client);
    const clean = await runCli(['status', root, '--require', 'verified', '--json']);
    assert.equal(clean.code, EXIT.ok, clean.stdout + clean.stderr);
    const verified = (JSON.parse(clean.stdout) as JsonDocument).result as { met: boolean; verify: { ok: boolean; findings: unknown[] } };
    assert.deepEqual([verified.met, verified.verify.ok, verified.verify.findings], [true, true, []]);
    assert.equal((await runCli(['status', root, '--require', 'committed'])).code, EXIT.ok);

    place(ASTRONAUT, root, 'a.png'); // the original back over its anonymized output, after the commit
    const changed = await runCli(['status', root, '--require', 'verified', '--json']);
    assert.equal(changed.code, EXIT.requirementUnmet, changed.stdout + changed.stderr);
    const { shortfall } = (JSON.parse(changed.stdout) as JsonDocument).result as { shortfall: Array<{ file: string; message: string }> };
    assert.ok(shortfall.length > 0 && shortfall.every((item) => item.file === 'a.png' && /^verify: image-/.test(item.message)), JSON.stringify(shortfall));
    assert.equal((await runCli(['status', root, '--require', 'committed'])).code, EXIT.ok, 'still committed as far as the review state knows');
    const human = await runCli(['status', root, '--require', 'verified']);
    assert.equal(human.code, EXIT.requirementUnmet);
    assert.match(human.stderr, /file\(s\) keep the dataset from being verified:\n {2}a\.png: verify: image-/);
  });
});
