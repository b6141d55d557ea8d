import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { createIdentity } from '../../../daemon/vault/identity';
import { addRecipient, readRecipients } from '../../../daemon/vault/recipients';
import { tempDir } from '../../support/images';

function keyErrorAboutRecipients(error: unknown): boolean {
  assert.ok(VeilError.is(error), `a VeilError, got ${String(error)}`);
  assert.equal(error.code, ErrorCode.KeyError, error.message);
  assert.equal(error.file, '.veil/recipients.txt');
  return true;
}

describe('an unreadable recipients.txt', () => {
  // Tests run as root here (mode 000 is readable), so the list is made unreadable another way.
  it('is refused by addRecipient, never replaced by a list of the new recipient alone', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.veil'));
    const path = join(root, '.veil', 'recipients.txt');
    symlinkSync('recipients.txt', path); // a link to itself: ELOOP on every read
    const { recipient } = await createIdentity();
    await assert.rejects(addRecipient(root, recipient), keyErrorAboutRecipients);
    assert.ok(lstatSync(path).isSymbolicLink(), 'the list is left as it was');
    assert.equal(readlinkSync(path), 'recipients.txt');
    await assert.rejects(readRecipients(root), keyErrorAboutRecipients);
  });

  it('a folder in its place is refused the same way, saying it is a folder', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.veil', 'recipients.txt'), { recursive: true });
    const { recipient } = await createIdentity();
    await assert.rejects(addRecipient(root, recipient), (error: unknown) => keyErrorAboutRecipients(error) && /is a folder/.test((error as Error).message));
    assert.ok(lstatSync(join(root, '.veil', 'recipients.txt')).isDirectory());
  });
});
