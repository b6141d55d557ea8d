/**
 * `veil status` as a CI gate and a pre-commit hook (README "Git and DVC"): counts by status, `--require reviewed|committed`
 * exiting 5 while any image falls short (each listed), `--json` one document; inside a git repository, a warning for each
 * committed image whose original git's index or history still holds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../cli/exitCodes';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { runCli } from '../support/cli';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e' } });
}

async function markReviewed(daemon: TestDaemon, root: string, file: string): Promise<void> {
  const record = await daemon.client.request('review/get', { root, file });
  await daemon.client.request('review/update', { root, file, boxes: record.boxes.map((box) => ({ ...box, state: box.state === 'possible' ? 'rejected' : 'accepted' })), status: 'reviewed' });
}

describe('veil status: counts, --require for hooks and CI, and git holding originals', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startDaemon();
  });
  after(async () => daemon.client.close());

  it('counts by status; --require exits 5 listing each image that falls short, 0 once met; --json is one document', async () => {
    const root = tempDir('veil-status-');
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'b.png');
    writeFileSync(join(root, 'broken.jpg'), 'not an image');
    await daemon.client.request('dataset/detect', { root });
    await markReviewed(daemon, root, 'a.png');

    const plain = await runCli(['status', root]);
    assert.equal(plain.code, EXIT.ok, plain.stderr);
    assert.match(plain.stdout, /2 images: 1 unreviewed, 1 reviewed, 0 committed; 1 failed, 0 excluded/);
    const reviewed = await runCli(['status', root, '--require', 'reviewed']);
    assert.equal(reviewed.code, EXIT.requirementUnmet);
    assert.match(reviewed.stderr, /2 file\(s\) keep the dataset from being reviewed:\n {2}b\.png: not reviewed\n {2}broken\.jpg: cannot be read: /);
    const json = await runCli(['status', root, '--require', 'committed', '--json']);
    assert.equal(json.code, EXIT.requirementUnmet);
    const document = (JSON.parse(json.stdout) as { result: { counts: Record<string, number>; met: boolean; shortfall: Array<{ file: string }> } }).result;
    assert.deepEqual(document.counts, { images: 2, unreviewed: 1, reviewed: 1, committed: 0, failed: 1, excluded: 0 });
    assert.deepEqual([document.met, document.shortfall.map((item) => item.file)], [false, ['a.png', 'b.png', 'broken.jpg']]);

    await daemon.client.request('dataset/exclude', { root, files: ['broken.jpg'], reason: 'not a photo' });
    await markReviewed(daemon, root, 'b.png');
    const met = await runCli(['status', root, '--require', 'reviewed']);
    assert.equal(met.code, EXIT.ok, met.stderr);
    assert.match(met.stdout, /every image is reviewed/);
    assert.equal((await runCli(['status', root, '--require', 'everything'])).code, EXIT.usage);
    assert.equal((await runCli(['status', join(root, 'missing')])).code, EXIT.failed);
  });

  it('in a git repository, warns of each committed image whose original git still holds: in its index, then in its history', async () => {
    const repo = tempDir('veil-status-git-');
    git(repo, 'init', '--quiet');
    const root = join(repo, 'photos');
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'b.png');
    git(repo, 'add', 'photos/a.png');
    git(repo, 'commit', '--quiet', '-m', 'a, as it came');
    await daemon.client.request('keys/create', { out: join(tempDir('veil-key-'), 'id.txt'), addTo: root });
    await daemon.client.request('dataset/detect', { root });
    for (const file of ['a.png', 'b.png']) await markReviewed(daemon, root, file);
    await daemon.client.request('dataset/commit', { root });

    const staged = await runCli(['status', root, '--require', 'committed']);
    assert.equal(staged.code, EXIT.ok, staged.stderr);
    assert.match(staged.stderr, /^warning: a\.png: anonymized by Veil, but git's index still holds another version of it \(the original\)/m);
    assert.doesNotMatch(staged.stderr, /b\.png/, 'b.png was never in git');
    git(repo, 'add', 'photos');
    git(repo, 'commit', '--quiet', '-m', 'anonymized');
    const history = await runCli(['status', root]);
    assert.match(history.stderr, /^warning: a\.png: git history holds another version of it/m);
    assert.doesNotMatch(history.stderr, /b\.png/, 'b.png entered git anonymized');
  });
});
