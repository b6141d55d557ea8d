import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { commitDataset } from '../../../daemon/commit/commit';
import { openOriginal } from '../../../daemon/vault/openOriginal';
import { verifyDataset } from '../../../daemon/verify/verify';
import { createKey } from '../../../daemon/services/keys';
import { thumbnail } from '../../../daemon/services/renditions';
import { DEFAULT_MAX_PIXELS } from '../../../daemon/image/decode';
import { ASTRONAUT, tempDir } from '../../support/images';
import { FACE_BOX, TEST_ACTOR, addKey, box, commitDeps, seedDataset, testContext } from '../../support/commitFixtures';

const isBadPath = (pattern: RegExp) => (error: unknown) => VeilError.is(error) && error.code === ErrorCode.BadPath && pattern.test(error.message);

async function committedDataset() {
  const root = tempDir();
  const bytes = await sharp(ASTRONAUT).png().toBuffer();
  seedDataset(root, [{ file: 'a.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
  const key = await addKey(root);
  return { root, key, bytes };
}

describe('where keys, originals and renditions land', () => {
  it('veil open never writes an original into the dataset, also through a symlinked output folder', async () => {
    const { root, key } = await committedDataset();
    await commitDataset({ root }, testContext(), commitDeps());
    const outside = tempDir();
    symlinkSync(join(root, 'sub'), join(outside, 'looks-outside'));
    mkdirSync(join(root, 'sub'));
    await assert.rejects(
      openOriginal({ root, file: 'a.png', purpose: 'audit', keys: async () => [key.identity], out: join(outside, 'looks-outside', 'original.png'), actor: TEST_ACTOR }),
      isBadPath(/inside the dataset/),
    );
    assert.deepEqual(readdirSync(join(root, 'sub')), [], 'the original reached the dataset through the link');
    // Through a symlinked dataset path too.
    const linkedRoot = join(tempDir(), 'dataset-link');
    symlinkSync(root, linkedRoot);
    await assert.rejects(
      openOriginal({ root: linkedRoot, file: 'a.png', purpose: 'audit', keys: async () => [key.identity], out: join(root, 'leak.png'), actor: TEST_ACTOR }),
      isBadPath(/inside the dataset/),
    );
    assert.equal(existsSync(join(root, 'leak.png')), false);
  });

  it('veil keygen refuses to put a private key inside a dataset (its .veil/, a subfolder, through a link, or the --add-to dataset)', async () => {
    const { root } = await committedDataset();
    const link = join(tempDir(), 'innocent');
    symlinkSync(join(root, '.veil'), link);
    const fresh = tempDir();
    for (const [out, addTo] of [
      [join(root, '.veil', 'identity.txt'), undefined],
      [join(root, 'keys', 'identity.txt'), undefined],
      [join(link, 'identity.txt'), undefined],
      [join(fresh, 'identity.txt'), fresh],
    ] as const) {
      await assert.rejects(createKey({ out, addTo }), isBadPath(/private key inside a dataset/), out);
      assert.equal(existsSync(out), false, `${out} was written`);
    }
    assert.equal(existsSync(join(root, 'keys')), false, 'a folder was made inside the dataset before refusing');
    const allowed = join(tempDir(), 'me', 'identity.txt');
    const made = await createKey({ out: allowed, addTo: root });
    assert.match(made.recipient, /^age1/);
    assert.ok(existsSync(allowed));
    // A dataset given its recipients before any detection is a dataset too.
    const recipientsOnly = tempDir();
    mkdirSync(join(recipientsOnly, '.veil'));
    writeFileSync(join(recipientsOnly, '.veil', 'recipients.txt'), `${made.recipient}\n`);
    await assert.rejects(createKey({ out: join(recipientsOnly, 'identity.txt') }), isBadPath(/private key inside a dataset/));
    // The Veil home (`~/.veil`, keygen's default) is no dataset's .veil/.
    const home = join(tempDir(), '.veil', 'identity.txt');
    await createKey({ out: home });
    assert.ok(existsSync(home));
  });

  it('a commit removes cached renditions before it clears its journal, so no kill leaves pre-commit thumbnails', async () => {
    const { root } = await committedDataset();
    const limits = { maxPixels: DEFAULT_MAX_PIXELS };
    const { path } = await thumbnail({ root, file: 'a.png', size: 160 }, limits);
    assert.ok(existsSync(path));
    // commitDataset itself (not only the RPC handler after it returns) removes them: the journal is its last step.
    await commitDataset({ root }, testContext(), commitDeps());
    assert.equal(existsSync(path), false, 'a thumbnail of the unredacted face survived the commit');
    assert.deepEqual(readdirSync(join(root, '.veil')).filter((name) => name === 'thumbs' || name === 'display'), []);
  });

  it('verify reports a thumbnail older than the latest commit (a commit killed before its clean-up) and not a newer one', async () => {
    const { root } = await committedDataset();
    const limits = { maxPixels: DEFAULT_MAX_PIXELS };
    const before = await thumbnail({ root, file: 'a.png', size: 160 }, limits);
    const saved = readFileSync(before.path);
    await commitDataset({ root }, testContext(), commitDeps());
    // As a kill between the last image and the clean-up leaves it: the pre-commit thumbnail back in place, old mtime.
    mkdirSync(dirname(before.path), { recursive: true });
    writeFileSync(before.path, saved);
    utimesSync(before.path, new Date(0), new Date(0));
    const fresh = await thumbnail({ root, file: 'a.png', size: 160 }, limits);
    const { findings } = await verifyDataset({ root }, testContext(), commitDeps());
    const stale = findings.filter((finding) => finding.kind === 'rendition-stale').map((finding) => finding.file);
    assert.deepEqual(stale, [`.veil/thumbs/${basename(before.path)}`]);
    assert.notEqual(fresh.path, before.path, 'the committed image maps to the old thumbnail');
  });
});
