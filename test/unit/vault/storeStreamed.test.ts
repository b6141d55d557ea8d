/** Originals too large for memory (videos), sealed and checked a block at a time: opened by the stock age, damage found. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { createIdentity } from '../../../daemon/vault/identity';
import { checkObjectStreamed, sha256OfFile, storeOriginalFile } from '../../../daemon/vault/storeStreamed';
import { flipByte } from '../../support/commitFixtures';
import { tempDir } from '../../support/images';

describe('streamed vault objects (vault/storeStreamed.ts)', () => {
  it('seals an original of several blocks that the stock age opens, reuses a sound object, and its check finds a flipped byte and a cut', async () => {
    const root = tempDir('veil-streamed-');
    const original = join(root, 'clip.mp4');
    // 2.5 MiB: more than one 1 MiB block, and a last chunk shorter than 64 KiB.
    writeFileSync(original, randomBytes(2.5 * 1024 * 1024 + 123));
    const key = await createIdentity();
    const identityFile = join(root, 'key.txt');
    writeFileSync(identityFile, key.identity + '\n', { mode: 0o600 });
    const { sha256: id } = await sha256OfFile(original, 'clip.mp4');

    const stored = await storeOriginalFile(root, original, 'clip.mp4', id, [key.recipient]);
    const path = vaultObjectPath(root, id);
    assert.equal(stored.sha256, (await sha256OfFile(path, 'object')).sha256);
    const opened = execFileSync('age', ['-d', '-i', identityFile, path], { maxBuffer: 8 * 1024 * 1024 });
    assert.equal(opened.length, 2.5 * 1024 * 1024 + 123);
    assert.deepEqual(await storeOriginalFile(root, original, 'clip.mp4', id, [key.recipient]), stored, 'a sound object is reused as it is');

    assert.deepEqual(await checkObjectStreamed(path, id, [key.identity]), { sha256: stored.sha256, plaintextSha256: id });
    assert.deepEqual(await checkObjectStreamed(path, id, []), { sha256: stored.sha256 });
    flipByte(path, (bytes) => bytes.length - 70_000);
    const flipped = await checkObjectStreamed(path, id, [key.identity]);
    assert.notEqual(flipped.sha256, stored.sha256);
    assert.match(String(flipped.openError), /fails authentication/);
    // The payload after the header and its 16-byte nonce is chunks of 64 KiB + a 16-byte tag.
    const bytes = readFileSync(path);
    const payload = bytes.indexOf('\n', bytes.indexOf('\n---') + 1) + 1 + 16;
    const chunk = 64 * 1024 + 16;
    const lastChunk = (bytes.length - payload) % chunk || chunk;
    // Cut so that the last chunk is shorter than a tag: the structure says so.
    truncateSync(path, bytes.length - lastChunk + 5);
    assert.match((await checkObjectStreamed(path, id, [key.identity])).problem ?? '', /truncated or padded/);
    // Cut on a chunk's end: sound in structure, but the chunk now last was not sealed as the last one.
    truncateSync(path, bytes.length - lastChunk);
    const cut = await checkObjectStreamed(path, id, [key.identity]);
    assert.equal(cut.problem, undefined);
    assert.match(String(cut.openError), /fails authentication/);
  });

  it('refuses an original that changed between its hash and its seal, and leaves no object', async () => {
    const root = tempDir('veil-streamed-changed-');
    const original = join(root, 'clip.mp4');
    writeFileSync(original, randomBytes(200_000));
    const { sha256: id } = await sha256OfFile(original, 'clip.mp4');
    writeFileSync(original, randomBytes(200_000));
    const key = await createIdentity();
    await assert.rejects(storeOriginalFile(root, original, 'clip.mp4', id, [key.recipient]), /changed while it was being committed/);
    assert.equal((await checkObjectStreamed(vaultObjectPath(root, id), id, []).catch((error: NodeJS.ErrnoException) => error.code)), 'ENOENT');
  });
});
