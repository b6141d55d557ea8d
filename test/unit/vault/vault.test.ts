import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { createIdentity, loadIdentities, writeIdentityFile } from '../../../daemon/vault/identity';
import { addRecipient, readRecipients } from '../../../daemon/vault/recipients';
import { openVaultObject, storeOriginal } from '../../../daemon/vault/vault';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { ageStructureProblem } from '../../../daemon/vault/ageFormat';
import { sha256Hex } from '../../../daemon/storage/hash';
import { tempDir } from '../../support/images';

const AGE_CLI = '/usr/bin/age';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => VeilError.is(error) && error.code === code && message.test(error.message));
}

describe('vault and keys', () => {
  it('writes a new identity file readable only by its owner and refuses to overwrite it', async () => {
    const dir = tempDir();
    const key = await createIdentity();
    const path = join(dir, 'me.key');
    await writeIdentityFile(path, key);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(path, 'utf8'), new RegExp(`# public key: ${key.recipient}\\nAGE-SECRET-KEY-1`));
    assert.deepEqual(await loadIdentities(path), [key.identity]);
    await rejectsWith(writeIdentityFile(path, key), ErrorCode.KeyError, /refusing to overwrite/);
  });

  it('stores an original that the stock age CLI decrypts byte for byte', async () => {
    const root = tempDir();
    const key = await createIdentity();
    const identityFile = join(tempDir(), 'id.txt');
    await writeIdentityFile(identityFile, key);
    const original = randomBytes(200_000); // several 64 KiB chunks
    const object = await storeOriginal(root, original, [key.recipient]);
    assert.equal(object.id, sha256Hex(original));
    const decrypted = execFileSync(AGE_CLI, ['-d', '-i', identityFile, vaultObjectPath(root, object.id)]);
    assert.ok(decrypted.equals(original));
  });

  it('encrypts every payload size the way the age CLI expects (empty, one chunk, chunk boundaries)', async () => {
    const root = tempDir();
    const key = await createIdentity();
    const identityFile = join(tempDir(), 'id.txt');
    await writeIdentityFile(identityFile, key);
    for (const size of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536]) {
      const original = randomBytes(size);
      const { id } = await storeOriginal(root, original, [key.recipient]);
      const path = vaultObjectPath(root, id);
      assert.ok(execFileSync(AGE_CLI, ['-d', '-i', identityFile, path]).equals(original), `age CLI, ${size} bytes`);
      assert.ok(Buffer.from(await openVaultObject(root, id, [key.identity])).equals(original), `age-encryption, ${size} bytes`);
      assert.equal(ageStructureProblem(readFileSync(path)), undefined);
    }
  });

  it('lets every recipient open the object on its own', async () => {
    const root = tempDir();
    const alice = await createIdentity();
    const bob = await createIdentity();
    const original = randomBytes(100_000);
    const { id } = await storeOriginal(root, original, [alice.recipient, bob.recipient]);
    for (const key of [alice, bob]) {
      const identityFile = join(tempDir(), 'id.txt');
      await writeIdentityFile(identityFile, key);
      assert.ok(execFileSync(AGE_CLI, ['-d', '-i', identityFile, vaultObjectPath(root, id)]).equals(original));
    }
  });

  it('reuses the stored object for the same content instead of writing a second one', async () => {
    const root = tempDir();
    const { recipient } = await createIdentity();
    const original = randomBytes(1000);
    const first = await storeOriginal(root, original, [recipient]);
    const second = await storeOriginal(root, original, [recipient]);
    assert.deepEqual(second, first);
  });

  it('opens originals with a passphrase-protected identity only when given the passphrase', async () => {
    const root = tempDir();
    const key = await createIdentity();
    const path = join(tempDir(), 'protected.key');
    await writeIdentityFile(path, key, { passphrase: 'correct horse battery staple', scryptLogN: 10 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(path, 'utf8'), /AGE-SECRET-KEY/);
    const original = randomBytes(5000);
    const { id } = await storeOriginal(root, original, [key.recipient]);
    await rejectsWith(loadIdentities(path), ErrorCode.KeyError, /passphrase-protected/);
    await rejectsWith(loadIdentities(path, async () => 'wrong'), ErrorCode.KeyError, /wrong passphrase/);
    const identities = await loadIdentities(path, async () => 'correct horse battery staple');
    assert.ok(Buffer.from(await openVaultObject(root, id, identities)).equals(original));
  });

  it('cannot be opened by a holder of the recipients file alone (another identity fails)', async () => {
    const root = tempDir();
    const owner = await createIdentity();
    const stranger = await createIdentity();
    const { id } = await storeOriginal(root, randomBytes(100), [owner.recipient]);
    await rejectsWith(openVaultObject(root, id, [stranger.identity]), ErrorCode.KeyError, /does not decrypt/);
  });

  it('tells the user to run veil keygen when the dataset has no recipients', async () => {
    await rejectsWith(readRecipients(tempDir()), ErrorCode.KeyError, /veil keygen/);
  });

  it('keeps one line per recipient and rejects what is not an age recipient', async () => {
    const root = tempDir();
    const { recipient } = await createIdentity();
    assert.equal(await addRecipient(root, recipient), true);
    assert.equal(await addRecipient(root, recipient), false);
    assert.deepEqual(await readRecipients(root), [recipient]);
    await rejectsWith(addRecipient(root, 'age1notarecipient'), ErrorCode.KeyError, /not a valid age recipient/);
    writeFileSync(join(root, '.veil', 'recipients.txt'), `# team\n${recipient}\nssh-rsa AAAA\n`);
    await rejectsWith(readRecipients(root), ErrorCode.KeyError, /not a valid age recipient/);
  });

  it('recognizes a partial last chunk or a non-age object without a key, and a flipped byte with one', async () => {
    const root = tempDir();
    const key = await createIdentity();
    const original = randomBytes(70_000);
    const { id } = await storeOriginal(root, original, [key.recipient]);
    const sound = readFileSync(vaultObjectPath(root, id));
    assert.equal(ageStructureProblem(sound), undefined);
    const lastChunk = 70_000 - 65_536 + 16;
    assert.match(ageStructureProblem(sound.subarray(0, sound.length - lastChunk + 5)) ?? '', /partial chunk/);
    assert.match(ageStructureProblem(sound.subarray(0, 100)) ?? '', /malformed|header/);
    assert.match(ageStructureProblem(Buffer.from('hello world\n')) ?? '', /not an age v1 file/);
    const flipped = Buffer.from(sound);
    flipped[flipped.length - 100] ^= 0x01;
    writeFileSync(vaultObjectPath(root, id), flipped);
    await rejectsWith(openVaultObject(root, id, [key.identity]), ErrorCode.KeyError, /does not decrypt/);
  });
});
