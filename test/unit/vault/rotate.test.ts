/**
 * Key lifecycle (issue #11): adding, removing and rotating recipients re-encrypts every vault object, and the stock
 * `age` CLI (/usr/bin/age) is the judge of who can open what afterwards.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { CancellationToken } from '../../../daemon/core/callContext';
import { commitDataset } from '../../../daemon/commit/commit';
import { verifyDataset } from '../../../daemon/verify/verify';
import { changeRecipients, listRecipients, type RecipientsChangeRequest } from '../../../daemon/services/recipients';
import { writeIdentityFile } from '../../../daemon/vault/identity';
import { addRecipient, listedRecipients } from '../../../daemon/vault/recipients';
import { listVaultObjects, storeOriginal } from '../../../daemon/vault/vault';
import { acquireLock } from '../../../daemon/storage/lock';
import { auditPath } from '../../../daemon/audit/log';
import { vaultObjectPath, veilPath } from '../../../daemon/dataset/layout';
import { tempDir } from '../../support/images';
import { auditEntries, commitDeps, flipByte, testContext } from '../../support/commitFixtures';
import { ageOpens, ciphertexts, committedVault, newKey, openingProblems, type Keyholder } from '../../support/rotationFixtures';

function change(root: string, changeKind: RecipientsChangeRequest['change'], identity: Keyholder, recipient?: Keyholder, ctx = testContext()) {
  return changeRecipients({ root, change: changeKind, recipient: recipient?.recipient, identity: identity.identityFile }, ctx);
}

async function verified(root: string, key: Keyholder) {
  return (await verifyDataset({ root, identity: key.identityFile }, testContext(), commitDeps())).findings.map((f) => `${f.kind} ${f.file ?? ''}: ${f.message}`);
}

function isVeilError(code: ErrorCode, message: RegExp) {
  return (error: unknown) => VeilError.is(error) && error.code === code && message.test(error.message);
}

describe('recipients: add, remove, rotate (key lifecycle)', function () {
  this.timeout(60_000);

  it('add: the new key opens every original with the stock age CLI, the old one still does, each re-encryption is audited, verify passes', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice], 3);
    const result = await change(root, 'add', alice, bob);
    assert.deepEqual(result.recipients, [alice.recipient, bob.recipient]);
    assert.deepEqual(result.changes.map(({ change: kind, resumed, objects: count, reencrypted, failures }) => [kind, resumed, count, reencrypted, failures.length]), [['add', false, 4, 4, 0]]);
    assert.deepEqual(openingProblems(root, objects, [alice, bob], []), []);

    const entries = auditEntries(root);
    const start = entries.findIndex((entry) => entry.type === 'recipients-change');
    const rewraps = entries.filter((entry) => entry.type === 'vault-rewrap');
    assert.ok(start >= 0 && entries.indexOf(rewraps[0]!) > start, 'the change is logged before any object is re-encrypted');
    assert.deepEqual(entries[start]!.recipients, [alice.recipient, bob.recipient]);
    const now = ciphertexts(root, objects);
    assert.deepEqual(new Map(rewraps.map((entry) => [entry.vaultObject as string, entry.vaultSha256 as string])), now, 'each object’s new ciphertext is audited');
    assert.deepEqual(await verified(root, bob), []);
    const listed = await listRecipients({ root });
    assert.deepEqual(listed.recipients.map((entry) => [entry.recipient, entry.listed, entry.opens]), [[alice.recipient, true, 4], [bob.recipient, true, 4]]);
    assert.equal(listed.unknown, 0);
  });

  it('remove: the removed key opens no original with the stock age CLI, the rest all do, a later commit encrypts to the listed recipients only', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice, bob], 3, { later: true });
    const result = await change(root, 'remove', bob, alice);
    assert.deepEqual(result.recipients, [bob.recipient]);
    assert.deepEqual(await listedRecipients(root), [bob.recipient]);
    assert.deepEqual(openingProblems(root, objects, [bob], [alice]), []);

    const later = await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps());
    assert.equal(later.committed.length, 1);
    const added = (await listVaultObjects(root)).filter((id) => !objects.includes(id));
    assert.equal(added.length, 1);
    assert.deepEqual(openingProblems(root, added, [bob], [alice]), []);
    assert.deepEqual(await verified(root, bob), []);
  });

  it('an old ciphertext copy still opens with a removed key (it cannot be recalled); put back, verify reports it, and rotate re-encrypts it', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice, bob], 1);
    const id = objects[0]!;
    const copy = readFileSync(vaultObjectPath(root, id));
    await change(root, 'remove', bob, alice);
    writeFileSync(vaultObjectPath(root, id), copy);
    assert.ok(ageOpens(root, id, alice), 'the copy taken before the removal opens with the removed key');
    const findings = await verified(root, bob);
    assert.equal(findings.length, 1, findings.join('\n'));
    assert.match(findings[0]!, /^vault-altered .*: holds an older ciphertext of this original, replaced at audit entry \d+/);

    const rotated = await change(root, 'rotate', bob);
    assert.equal(rotated.changes[0]!.reencrypted, objects.length);
    assert.deepEqual(openingProblems(root, objects, [bob], [alice]), []);
    assert.deepEqual(await verified(root, bob), []);
  });

  it('rotate: every ciphertext changes, every original still opens with every listed key, verify passes', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice, bob], 3);
    const before = ciphertexts(root, objects);
    const result = await change(root, 'rotate', alice);
    assert.deepEqual(result.changes.map((outcome) => [outcome.change, outcome.recipient, outcome.reencrypted]), [['rotate', undefined, 4]]);
    const after = ciphertexts(root, objects);
    for (const id of objects) assert.notEqual(after.get(id), before.get(id), `${id} kept its ciphertext`);
    assert.deepEqual(openingProblems(root, objects, [alice, bob], []), []);
    assert.deepEqual(await verified(root, alice), []);
  });

  it('re-encrypts payloads of every size around the 64 KiB chunk so that the stock age CLI opens them', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const root = tempDir('veil-rotate-sizes-');
    await addRecipient(root, alice.recipient);
    const objects = [];
    for (const size of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 200_000]) objects.push((await storeOriginal(root, randomBytes(size), [alice.recipient])).id);
    await change(root, 'add', alice, bob);
    assert.deepEqual(openingProblems(root, objects, [alice, bob], []), []);
  });

  it('leaves a damaged object as it was and names it; every other object is re-encrypted and the change finishes', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice, bob], 3);
    const damaged = objects.find((id) => readFileSync(vaultObjectPath(root, id)).length > 200_000)!;
    flipByte(vaultObjectPath(root, damaged), (bytes) => bytes.length - 70_000);
    const before = readFileSync(vaultObjectPath(root, damaged));
    const result = await change(root, 'remove', alice, bob);
    assert.deepEqual(
      result.changes[0]!.failures.map((failure) => [failure.file, failure.code]),
      [[`.veil/vault/${damaged}.age`, ErrorCode.KeyError]],
    );
    assert.match(result.changes[0]!.failures[0]!.message, /does not decrypt \(chunk \d+ of 13 fails authentication/);
    assert.ok(readFileSync(vaultObjectPath(root, damaged)).equals(before), 'the damaged object was rewritten');
    const rest = objects.filter((id) => id !== damaged);
    assert.deepEqual(openingProblems(root, rest, [alice], [bob]), []);
    assert.equal(existsSync(veilPath(root, 'rotationPlan')), false, 'the change is finished');
  });

  it('refuses, changing nothing: the last recipient, an invalid recipient, a wrong identity, a run during a commit; a change already made does nothing', async () => {
    const [alice, bob, carol] = [await newKey(), await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice], 3);
    const state = () => ({ recipients: readFileSync(veilPath(root, 'recipients'), 'utf8'), audit: readFileSync(auditPath(root), 'utf8'), vault: [...ciphertexts(root, objects)] });
    const before = state();
    await assert.rejects(change(root, 'remove', alice, alice), isVeilError(ErrorCode.KeyError, /refusing to remove the last recipient/));
    await assert.rejects(
      changeRecipients({ root, change: 'add', recipient: 'age1notarecipient', identity: alice.identityFile }, testContext()),
      isVeilError(ErrorCode.KeyError, /not a valid age recipient/),
    );
    // Already done (run again after a run killed at its very end): nothing to do, nothing written.
    assert.deepEqual((await change(root, 'remove', alice, bob)).changes, []);
    assert.deepEqual((await change(root, 'add', alice, alice)).changes, []);
    await assert.rejects(change(root, 'add', carol, bob), isVeilError(ErrorCode.KeyError, /the identity opens 0 of the 4 vault objects.*Nothing was changed/));
    const lock = await acquireLock(root, 'commit');
    try {
      await assert.rejects(change(root, 'add', alice, bob), isVeilError(ErrorCode.Locked, /locked by process \d+/));
    } finally {
      await lock.release();
    }
    assert.deepEqual(state(), before);
    assert.equal(existsSync(veilPath(root, 'rotationPlan')), false);
  });

  it('opens the originals with a passphrase-protected identity when given its passphrase', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice], 1);
    const sealed = join(tempDir('veil-key-'), 'sealed.key');
    await writeIdentityFile(sealed, alice, { passphrase: 'correct horse battery staple', scryptLogN: 10 });
    const request = { root, change: 'add' as const, recipient: bob.recipient, identity: sealed };
    await assert.rejects(changeRecipients(request, testContext()), isVeilError(ErrorCode.KeyError, /passphrase-protected/));
    await assert.rejects(changeRecipients({ ...request, passphrase: 'wrong' }, testContext()), isVeilError(ErrorCode.KeyError, /wrong passphrase/));
    await changeRecipients({ ...request, passphrase: 'correct horse battery staple' }, testContext());
    assert.deepEqual(openingProblems(root, objects, [alice, bob], []), []);
  });

  it('a cancelled change refuses commits and is reported by verify until the same command finishes it; another command finishes it first', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice, bob], 5, { later: true });
    const token = new CancellationToken();
    const cancelled = await change(root, 'remove', alice, bob, testContext(token, ({ done }) => done >= 2 && token.cancel()));
    assert.equal(cancelled.cancelled, true);
    const first = cancelled.changes[0]!;
    assert.ok(first.reencrypted >= 2 && first.reencrypted < objects.length, `re-encrypted ${first.reencrypted} of ${objects.length} before the cancel`);
    await assert.rejects(commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps()), isVeilError(ErrorCode.KeyError, /interrupted; run `veil recipients remove <dir> age1/));
    assert.ok((await verified(root, alice)).some((finding) => finding.startsWith('rotation-unfinished .veil/rotation.json')));
    assert.deepEqual((await listRecipients({ root })).unfinished, { change: 'remove', recipient: bob.recipient });

    const finished = await change(root, 'rotate', alice);
    assert.deepEqual(
      finished.changes.map((outcome) => [outcome.change, outcome.resumed, outcome.reencrypted]),
      [['remove', true, objects.length - first.reencrypted], ['rotate', false, objects.length]],
    );
    assert.deepEqual(openingProblems(root, objects, [alice], [bob]), []);
    assert.deepEqual(await verified(root, alice), []);
    assert.equal((await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps())).committed.length, 1);
  });

  it('list: counts the objects of each recipient, names a former recipient still able to open them and objects with no record', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root } = await committedVault([alice], 2);
    writeFileSync(veilPath(root, 'recipients'), `# the team\n${bob.recipient}\n`); // edited by hand: nothing re-encrypted
    const listed = await listRecipients({ root });
    assert.deepEqual(listed.recipients.map((entry) => [entry.recipient, entry.listed, entry.opens]), [[bob.recipient, true, 0], [alice.recipient, false, 3]]);
    rmSync(veilPath(root, 'vaultRecipients'));
    assert.equal((await listRecipients({ root })).unknown, 3);
    await change(root, 'rotate', alice);
    const rotated = await listRecipients({ root });
    assert.deepEqual(rotated.recipients.map((entry) => [entry.recipient, entry.opens]), [[bob.recipient, 3]]);
    assert.equal(rotated.unknown, 0);
    assert.match(readFileSync(veilPath(root, 'recipients'), 'utf8'), /^# the team\n/);
  });
});
