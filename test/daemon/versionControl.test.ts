/**
 * A dataset inside a git repository never puts a face or a transient file in front of `git add` (README "Git and DVC"):
 * after detect, thumbnails, display copies, a review and a commit, `git status` lists only the state meant to be
 * versioned, and every name the layout classes as ignored (derived from daemon/dataset/layout.ts, with temp files) stays
 * ignored even when present. In a DVC project, the project's `.dvcignore` holds the same names (one block, rewritten in
 * place); DVC is not installed here, so its patterns are checked with git, whose syntax DVC reads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { LAYOUT, VEIL_DIR } from '../../daemon/dataset/layout';
import { IGNORED_NAMES, VERSIONING } from '../../daemon/dataset/versionControl';
import { TEMP_MARKER } from '../../daemon/storage/durable';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });
}

function gitRepo(): string {
  const repo = tempDir('veil-git-');
  git(repo, 'init', '--quiet');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'Test');
  return repo;
}

/** Paths `git status` offers to add or shows changed, relative to the repository. */
function gitStatusPaths(repo: string): string[] {
  return git(repo, 'status', '--porcelain', '-z', '--untracked-files=all')
    .split('\0')
    .filter((entry) => entry !== '')
    .map((entry) => entry.slice(3));
}

describe('git and DVC: Veil keeps faces and transient files out of version control', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startDaemon();
  });
  after(async () => daemon.client.close());

  it('after detect, thumbnails, display copies, a review and a commit, git status lists only the versioned state and the images', async () => {
    const repo = gitRepo();
    const root = join(repo, 'data', 'faces');
    place(ASTRONAUT, root, 'a.png');
    await sharp(ASTRONAUT).tiff().toFile(join(root, 'b.tif'));
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'the images, as they came');

    await daemon.client.request('keys/create', { out: join(tempDir('veil-key-'), 'id.txt'), addTo: root });
    await daemon.client.request('dataset/detect', { root });
    for (const file of ['a.png', 'b.tif']) await daemon.client.request('image/thumbnail', { root, file, size: 128 });
    await daemon.client.request('image/displayCopy', { root, file: 'b.tif' });
    const record = await daemon.client.request('review/get', { root, file: 'a.png' });
    await daemon.client.request('review/update', { root, file: 'a.png', boxes: record.boxes.map((box) => ({ ...box, state: box.state === 'possible' ? 'rejected' : 'accepted' })), status: 'reviewed' });
    // Renditions made after the commit (a second look at the anonymized image) stay out too.
    await daemon.client.request('dataset/commit', { root });
    await daemon.client.request('image/thumbnail', { root, file: 'a.png', size: 256 });
    await daemon.client.request('image/displayCopy', { root, file: 'b.tif' });
    for (const dir of ['thumbs', 'display'] as const) assert.ok(readdirSync(join(root, VEIL_DIR, LAYOUT[dir])).length > 0, `${dir} holds renditions`);

    const listed = gitStatusPaths(repo);
    const veil = `data/faces/${VEIL_DIR}/`;
    const ignoredPrefixes = IGNORED_NAMES.map((name) => `${veil}${LAYOUT[name]}`);
    assert.deepEqual(listed.filter((path) => ignoredPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))), []);
    assert.ok(!listed.some((path) => path.includes(TEMP_MARKER)), listed.join('\n'));
    const veilFiles = listed.filter((path) => path.startsWith(veil)).map((path) => path.slice(veil.length).split('/')[0]);
    const versioned = new Set<string>((Object.keys(VERSIONING) as Array<keyof typeof VERSIONING>).filter((name) => VERSIONING[name] !== 'ignored').map((name) => LAYOUT[name]));
    assert.deepEqual([...new Set(veilFiles)].filter((name) => !versioned.has(name)), [], 'only names meant to be versioned');
    for (const name of ['.gitignore', 'audit.jsonl', 'review.jsonl', 'recipients.txt', 'vault']) assert.ok(veilFiles.includes(name), `${name} is offered for versioning: ${veilFiles.join(', ')}`);
    // The anonymized image replaced the tracked original: git shows it modified (its original blob is in history).
    assert.ok(listed.includes('data/faces/a.png'), listed.join('\n'));
  });

  it('every name the layout classes as ignored stays out of git status even when present, and so do temp files at any depth', async () => {
    const repo = gitRepo();
    const root = join(repo, 'photos');
    place(ASTRONAUT, root, 'a.png');
    await daemon.client.request('dataset/status', { root });
    const veil = join(root, VEIL_DIR);
    for (const name of IGNORED_NAMES) {
      mkdirSync(join(veil, LAYOUT[name]), { recursive: true });
      writeFileSync(join(veil, LAYOUT[name], 'inside'), 'transient');
    }
    mkdirSync(join(veil, 'vault'), { recursive: true });
    writeFileSync(join(veil, 'vault', `.0123.age${TEMP_MARKER}abc`), 'ciphertext being written');
    writeFileSync(join(veil, `.review.json${TEMP_MARKER}abc`), 'state being written');
    const listed = gitStatusPaths(repo);
    assert.deepEqual(listed.filter((path) => path.startsWith('photos/.veil/')).sort(), ['photos/.veil/.gitignore', 'photos/.veil/review.jsonl']);
  });

  it('in a DVC project, its .dvcignore gets one block of the same names, rewritten in place, the lines around it kept', async () => {
    const project = gitRepo();
    mkdirSync(join(project, '.dvc'));
    writeFileSync(join(project, '.dvcignore'), '# the team\'s own\n*.tmp\n');
    const root = join(project, 'data', 'faces [2024]');
    place(ASTRONAUT, root, 'a.png');
    await daemon.client.request('dataset/status', { root });
    const first = readFileSync(join(project, '.dvcignore'), 'utf8');
    assert.match(first, /^# the team's own\n\*\.tmp\n# >>> veil: data\/faces \[2024\]\n/);
    assert.match(first, /\n\/data\/faces \\\[2024\\\]\/\.veil\/thumbs\n/);
    // Another daemon opening the dataset again leaves one block.
    const other = await startDaemon();
    try {
      await other.client.request('dataset/status', { root });
    } finally {
      await other.client.close();
    }
    assert.equal(readFileSync(join(project, '.dvcignore'), 'utf8'), first);
    // DVC reads gitignore syntax: as a .gitignore at the project's root, the block ignores what it names, and only that.
    writeFileSync(join(project, '.gitignore'), first);
    writeFileSync(join(root, '.veil', '.gitignore'), '');
    mkdirSync(join(root, '.veil', 'thumbs'), { recursive: true });
    writeFileSync(join(root, '.veil', 'thumbs', 'x.jpg'), 'a face');
    writeFileSync(join(root, `.a.png${TEMP_MARKER}1`), 'an output being written');
    const listed = gitStatusPaths(project);
    assert.ok(!listed.some((path) => path.includes('thumbs') || path.includes(TEMP_MARKER)), listed.join('\n'));
    assert.ok(listed.includes('data/faces [2024]/a.png'), listed.join('\n'));
  });
});
