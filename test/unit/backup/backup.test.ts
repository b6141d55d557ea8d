/**
 * Backups of committed vaults with real keys, judged by the stock `age` CLI: what a generation holds and to whom it is
 * sealed, what a second run writes, what a restore rebuilds, and what is refused.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitDataset } from '../../../daemon/commit/commit';
import { changeRecipients } from '../../../daemon/services/recipients';
import { verifyDataset } from '../../../daemon/verify/verify';
import { vaultObjectPath, veilPath } from '../../../daemon/dataset/layout';
import { sha256Hex } from '../../../daemon/storage/hash';
import { ErrorCode } from '../../../daemon/protocol';
import { CancellationToken } from '../../../daemon/core/callContext';
import { Journal, filesInCommit } from '../../../daemon/commit/journal';
import { ReviewStore } from '../../../daemon/review/store';
import { SegmentWriter } from '../../../daemon/review/segments';
import { listVaultObjects } from '../../../daemon/vault/vault';
import { tempDir } from '../../support/images';
import { TEST_ACTOR, auditEntries, commitDeps, testContext } from '../../support/commitFixtures';
import { committedVault, newKey } from '../../support/rotationFixtures';
import { ageOpen, backUp, blobsOf, manifestLines, restore, storedParts } from '../../support/backupFixtures';
import { refusal } from '../../support/refusal';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

describe('backup', function () {
  this.timeout(120_000);

  it('copies each vault object as it is, seals the rest to the custodians, leaves the renditions, and logs the generation before it exists', async () => {
    const [alice, outsider] = [await newKey(), await newKey()];
    const { root, objects } = await committedVault([alice], 3);
    mkdirSync(veilPath(root, 'thumbs'), { recursive: true });
    writeFileSync(join(veilPath(root, 'thumbs'), 'astronaut.png.jpg'), 'a face');
    const before = auditEntries(root).length;
    const dest = join(tempDir('veil-backup-'), 'disk');

    const result = await backUp(root, dest);
    assert.equal(result.generation, 1);
    assert.equal(result.vaultObjects, objects.length);
    assert.deepEqual(result.warnings, []);
    const lines = manifestLines(result, alice);
    const parts = storedParts(lines);
    const blobs = blobsOf(dest);
    for (const id of objects) {
      const part = parts.find((p) => p.path === `.veil/vault/${id}.age`);
      assert.ok(part && part.kind === 'copied', `vault object ${id.slice(0, 8)} is in the manifest`);
      assert.deepEqual(blobs.get(part.blob), readFileSync(vaultObjectPath(root, id)), 'stored as it is');
    }
    const sealedPaths = parts.filter((p) => p.kind === 'sealed').map((p) => p.path).sort();
    assert.deepEqual(sealedPaths, ['.veil/audit.jsonl', '.veil/recipients.txt', '.veil/redactions.json', '.veil/review.json', '.veil/review.jsonl', '.veil/vault-recipients.jsonl']);
    for (const part of parts.filter((p) => p.kind === 'sealed')) {
      const opened = ageOpen(join(dest, 'blobs', part.blob), alice);
      assert.ok(opened, `the stock age opens ${part.path} with a custodian's key`);
      assert.equal(sha256Hex(opened), part.sha256);
      assert.equal(ageOpen(join(dest, 'blobs', part.blob), outsider), undefined, `${part.path} does not open with another key`);
    }
    assert.equal(ageOpen(result.manifest!, outsider), undefined);
    const committedAs = auditEntries(root).filter((entry) => entry.type === 'commit-image');
    assert.deepEqual(
      lines.filter((line) => line.startsWith('original ')).sort(),
      committedAs.map((entry) => `original ${entry.vaultObject} ${entry.file}`).sort(),
      'each committed image with the vault object of its original',
    );
    // Nothing in the folder names a file, a reviewer or the dataset in the clear.
    for (const file of filesUnder(dest)) {
      const text = readFileSync(file).toString('latin1');
      for (const secret of ['astronaut', 'img-00', 'Reviewer One', root]) assert.ok(!text.includes(secret), `${file} holds "${secret}" in the clear`);
    }

    const entries = auditEntries(root);
    assert.equal(entries.length, before + 1);
    const entry = entries.at(-1)!;
    assert.equal(entry.type, 'backup');
    assert.equal(entry.generation, 1);
    assert.equal(entry.destination, result.destination);
    assert.equal(entry.manifestSha256, sha256Hex(readFileSync(result.manifest!)));
    assert.deepEqual(entry.covers, result.covers);
    assert.equal(result.covers.entries, before, 'the generation holds every entry before its own');
  });

  it('writes only the new log entries on a second run, and one new original and the changed state after a commit', async () => {
    const [alice] = [await newKey()];
    const { root, objects } = await committedVault([alice], 6, { later: true });
    const dest = tempDir('veil-backup-');
    const first = await backUp(root, dest);
    assert.equal(first.reused.blobs, 0);

    const unchanged = await backUp(root, dest);
    console.log(`      second run, no change: wrote ${unchanged.written.blobs} blob(s), ${unchanged.written.bytes} bytes; reused ${unchanged.reused.blobs} (${unchanged.reused.bytes} bytes)`);
    assert.equal(unchanged.generation, 2);
    assert.equal(unchanged.written.blobs, 1, 'only the log part holding the first backup entry');
    assert.ok(unchanged.written.bytes < 2048, `${unchanged.written.bytes} bytes`);
    const parts = storedParts(manifestLines(unchanged, alice));
    assert.equal(parts.filter((p) => p.path === '.veil/audit.jsonl').length, 2, 'the log in two parts: the first run\'s, then the entries since');

    const committed = await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps());
    assert.equal(committed.committed.length, 1);
    const newObject = (await listVaultObjects(root)).find((id) => !objects.includes(id))!;
    const afterCommit = await backUp(root, dest);
    const writtenParts = storedParts(manifestLines(afterCommit, alice)).filter((p) => !storedParts(manifestLines(unchanged, alice)).some((q) => q.blob === p.blob));
    console.log(`      after one commit: wrote ${afterCommit.written.blobs} blob(s), ${afterCommit.written.bytes} bytes: ${writtenParts.map((p) => p.path).join(', ')}`);
    assert.deepEqual(
      writtenParts.map((p) => p.path).sort(),
      ['.veil/audit.jsonl', '.veil/redactions.json', '.veil/review.jsonl', '.veil/vault-recipients.jsonl', `.veil/vault/${newObject}.age`].sort(),
    );
    assert.equal(afterCommit.written.blobs, writtenParts.length);
  });

  it('rebuilds .veil/ in an empty folder, and verify passes once the images are back (with --with-outputs, from the backup itself)', async () => {
    const [alice] = [await newKey()];
    const { root } = await committedVault([alice], 3);
    const dest = tempDir('veil-backup-');
    await backUp(root, dest);
    const withOutputs = await backUp(root, dest, { withOutputs: true });
    assert.equal(withOutputs.outputs, 4);

    // Generation 1: the state alone; the anonymized images come from wherever the dataset is kept.
    const fresh = join(tempDir('veil-restored-'), 'dataset');
    const restored = await restore(dest, fresh, alice, { generation: 1 });
    assert.equal(restored.outputs, 0);
    assert.equal(existsSync(join(fresh, 'astronaut.png')), false);
    assert.deepEqual(readdirSync(join(fresh, '.veil')).sort(), ['audit.jsonl', 'recipients.txt', 'redactions.json', 'review.json', 'review.jsonl', 'vault', 'vault-recipients.jsonl']);
    for (const name of readdirSync(root)) if (!name.startsWith('.')) cpSync(join(root, name), join(fresh, name));
    const verified = await verifyDataset({ root: fresh, identity: alice.identityFile, checkpoint: restored.covers }, testContext(), commitDeps());
    assert.deepEqual(verified.findings, []);
    const log = auditEntries(fresh);
    assert.equal(log.at(-1)!.type, 'backup-restore');
    assert.deepEqual(log.slice(0, -1), auditEntries(root).slice(0, restored.covers.entries), 'the log as the backup held it');

    // Generation 2: the images too, restored byte for byte.
    const whole = join(tempDir('veil-restored-'), 'dataset');
    const second = await restore(dest, whole, alice);
    assert.equal(second.generation, 2);
    assert.equal(second.outputs, 4);
    for (const name of ['astronaut.png', 'img-00.jpg']) assert.deepEqual(readFileSync(join(whole, name)), readFileSync(join(root, name)));
    assert.deepEqual((await verifyDataset({ root: whole, identity: alice.identityFile }, testContext(), commitDeps())).findings, []);
  });

  it('seals a generation after a custodian is removed to the keys left only (earlier generations still open with the removed key)', async () => {
    const [alice, bob] = [await newKey(), await newKey()];
    const { root } = await committedVault([alice, bob], 2);
    const dest = tempDir('veil-backup-');
    const before = await backUp(root, dest);
    await changeRecipients({ root, change: 'remove', recipient: bob.recipient, identity: alice.identityFile }, testContext());
    const after = await backUp(root, dest);

    assert.equal(ageOpen(after.manifest!, bob), undefined, 'the new manifest');
    for (const part of storedParts(manifestLines(after, alice))) {
      assert.equal(ageOpen(join(dest, 'blobs', part.blob), bob), undefined, `${part.path} of the new generation opens with the removed key`);
      assert.ok(ageOpen(join(dest, 'blobs', part.blob), alice), `${part.path} opens with the key left`);
    }
    assert.ok(ageOpen(before.manifest!, bob), 'what cannot be undone: the generation written before still opens with the removed key');
  });

  it('writes a generation again when its run was killed between its backup entry and its manifest', async () => {
    const [alice] = [await newKey()];
    const { root } = await committedVault([alice], 1);
    const dest = tempDir('veil-backup-');
    await backUp(root, dest);
    const killed = await backUp(root, dest);
    rmSync(killed.manifest!); // the state such a kill leaves: the entry logged, the manifest never renamed into place
    const rerun = await backUp(root, dest);
    assert.equal(rerun.generation, killed.generation);
    assert.equal(rerun.written.blobs, 1, 'only the log part holding both entries');
    const entries = auditEntries(root).filter((entry) => entry.type === 'backup');
    assert.deepEqual(entries.map((entry) => entry.generation), [1, 2, 2], 'the log shows the run that never published');
    assert.equal(entries.at(-1)!.manifestSha256, sha256Hex(readFileSync(rerun.manifest!)));
    assert.equal((await restore(dest, tempDir('veil-restored-'), alice)).generation, 2);
  });

  it('backs up a vault object that is not the ciphertext the log records as found, and says so', async () => {
    const [alice] = [await newKey()];
    const { root, objects } = await committedVault([alice], 1);
    const path = vaultObjectPath(root, objects[0]!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 3] ^= 1;
    writeFileSync(path, bytes);
    const dest = tempDir('veil-backup-');
    const result = await backUp(root, dest);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!.message, /is not the ciphertext the audit log records .*: backed up as found/);
    assert.deepEqual(blobsOf(dest).get(sha256Hex(bytes)), bytes, 'stored under the hash of what it holds');
  });

  it('publishes nothing and logs nothing when cancelled', async () => {
    const [alice] = [await newKey()];
    const { root } = await committedVault([alice], 2);
    const before = auditEntries(root).length;
    const token = new CancellationToken();
    token.cancel();
    const dest = tempDir('veil-backup-');
    const result = await backUp(root, dest, { ctx: testContext(token) });
    assert.deepEqual([result.cancelled, result.generation, result.manifest], [true, 0, undefined]);
    assert.equal(auditEntries(root).length, before);
    assert.equal(existsSync(join(dest, 'datasets')), false);
    assert.equal((await backUp(root, dest)).generation, 1, 'the next run writes the first generation');
  });

  it('writes again a blob missing from the backup folder', async () => {
    const [alice] = [await newKey()];
    const { root, objects } = await committedVault([alice], 2);
    const dest = tempDir('veil-backup-');
    const first = await backUp(root, dest);
    const lost = storedParts(manifestLines(first, alice)).find((p) => p.path === `.veil/vault/${objects[0]}.age`)!;
    rmSync(join(dest, 'blobs', lost.blob));
    const second = await backUp(root, dest);
    assert.ok(existsSync(join(dest, 'blobs', lost.blob)));
    assert.ok(second.written.blobs >= 2, 'the object and the new log part');
    const fresh = tempDir('veil-restored-');
    assert.equal((await restore(dest, fresh, alice)).vaultObjects, objects.length);
  });

  it('refuses a backup folder inside the dataset or holding other files, a dataset with an interrupted commit, and a restore over a dataset', async () => {
    const [alice] = [await newKey()];
    const { root } = await committedVault([alice], 1);
    assert.equal((await refusal(backUp(root, join(root, 'backups')))).code, ErrorCode.BadPath);
    assert.equal(existsSync(join(root, 'backups')), false, 'nothing was created inside the dataset');
    const busy = tempDir('veil-not-a-backup-');
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    assert.match((await refusal(backUp(root, busy))).message, /not a Veil backup folder/);

    const dest = tempDir('veil-backup-');
    await backUp(root, dest);
    assert.equal((await refusal(restore(dest, root, alice))).code, ErrorCode.Conflict, 'a restore never replaces a dataset');
    assert.equal((await refusal(restore(dest, join(root, 'sub'), alice))).code, ErrorCode.BadPath, 'nor nests one');
    const outsider = await newKey();
    assert.equal((await refusal(restore(dest, tempDir('veil-restored-'), outsider))).code, ErrorCode.KeyError, 'the manifest opens with a custodian key only');

    await Journal.begin(root, { commitId: 'c1', startedAt: new Date().toISOString(), actor: TEST_ACTOR, files: ['astronaut.png'], options: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect', includeUnreviewed: false } });
    assert.equal((await refusal(backUp(root, dest))).code, ErrorCode.Conflict);
  });

  it("refuses a backup while a shard's segment is not closed, naming it, and backs up once it is", async () => {
    const [alice] = [await newKey()];
    const { root } = await committedVault([alice], 1);
    const dest = tempDir('veil-backup-');
    const shard = await SegmentWriter.open(root, 'detect', { index: 0, count: 2 }, TEST_ACTOR);
    const refused = await refusal(backUp(root, dest));
    assert.equal(refused.code, ErrorCode.Conflict);
    assert.equal(refused.file, `.veil/segments/${shard.id}.jsonl`);
    assert.match(refused.message, /a shard is running or was stopped before its end/);
    await shard.finish(await ReviewStore.open(root, filesInCommit));
    await backUp(root, dest);
  });

  it('refuses to restore from a damaged blob, and leaves no .veil/ behind', async () => {
    const [alice] = [await newKey()];
    const { root } = await committedVault([alice], 1);
    const dest = tempDir('veil-backup-');
    const result = await backUp(root, dest);
    const review = storedParts(manifestLines(result, alice)).find((p) => p.path === '.veil/review.json')!;
    const path = join(dest, 'blobs', review.blob);
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 1;
    writeFileSync(path, bytes);
    const fresh = tempDir('veil-restored-');
    const error = await refusal(restore(dest, fresh, alice));
    assert.equal(error.code, ErrorCode.Corrupt);
    assert.match(error.message, /the backup is damaged: the blob of \.veil\/review\.json does not hash to its name/);
    assert.deepEqual(readdirSync(fresh), [], 'nothing was put in place');
    assert.ok(statSync(fresh).isDirectory());
  });
});
