/**
 * Restore and re-review (README "Retention, purge and restore"), on vaults committed with real keys: a restore puts the
 * original back in place of its anonymized image (the opening and the restore audited before the write), the image is
 * unreviewed again with its boxes kept, a later commit takes it like any other (reusing its vault object) and verify
 * passes with both commits in the chain; refusals (no purpose, a wrong key, a purged original) change nothing but the
 * log; a restore stopped between its steps is reported by verify and finished by running it again.
 */
import { filesInCommit } from '../../../daemon/commit/journal';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { commitDataset } from '../../../daemon/commit/commit';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { appendAudit } from '../../../daemon/audit/log';
import { sha256Hex } from '../../../daemon/storage/hash';
import { OpenDatasets } from '../../../daemon/services/datasets';
import { updateReview } from '../../../daemon/services/review';
import { ReviewStore } from '../../../daemon/review/store';
import { openVaultObject } from '../../../daemon/vault/vault';
import { TEST_ACTOR, auditEntries, commitDeps, testContext } from '../../support/commitFixtures';
import { findingsOf } from '../../support/governanceFixtures';
import { ASTRONAUT } from '../../support/images';
import { ageOpens, committedVault, newKey, type Keyholder } from '../../support/rotationFixtures';
import { applyRetention, daysAhead, entriesOf, purge, restore } from '../../support/retentionFixtures';
import { refusal } from '../../support/refusal';

async function recordOf(root: string, file: string) {
  return (await ReviewStore.open(root, filesInCommit)).get(file);
}

const PURPOSE = 'model-reevaluation';

describe('restore and re-review (real keys, real vault)', function () {
  this.timeout(120_000);
  let key: Keyholder;
  let stranger: Keyholder;
  before(async () => {
    [key, stranger] = [await newKey(), await newKey()];
  });

  it('puts the original back, audited before the write, unreviewed with its boxes; reviewed and committed again, verify passes and the chain shows both commits', async () => {
    const { root } = await committedVault([key], 1);
    const original = readFileSync(ASTRONAUT);
    const output = readFileSync(join(root, 'astronaut.png'));
    const committed = await recordOf(root, 'astronaut.png');
    const restored = await restore({ root, files: ['astronaut.png'], identity: key.identityFile, purpose: PURPOSE });
    assert.deepEqual([restored.restored, restored.failures], [['astronaut.png'], []]);
    assert.ok(readFileSync(join(root, 'astronaut.png')).equals(original), 'the image holds its original again');
    const record = await recordOf(root, 'astronaut.png');
    assert.deepEqual([record?.status, record?.boxes, record?.committedAt], ['unreviewed', committed?.boxes, undefined]);

    const tail = auditEntries(root).slice(-3);
    assert.deepEqual(tail.map((entry) => entry.type), ['open-original', 'restore-original', 'review-change']);
    assert.deepEqual([tail[0]!.restoredTo, tail[0]!.purpose, tail[0]!.recipient], ['astronaut.png', PURPOSE, key.recipient]);
    assert.deepEqual([tail[1]!.purpose, tail[1]!.replacedSha256, tail[1]!.vaultObject], [PURPOSE, sha256Hex(output), sha256Hex(original)]);
    assert.equal(tail[2]!.status, 'unreviewed');
    assert.deepEqual(await findingsOf({ root, identity: key.identityFile, full: true }), [], 'a restored image is not checked as committed');

    const again = await restore({ root, files: ['astronaut.png'], identity: key.identityFile, purpose: PURPOSE });
    assert.deepEqual([again.restored, again.alreadyRestored], [[], ['astronaut.png']]);

    const datasets = new OpenDatasets();
    await updateReview({ root, file: 'astronaut.png', boxes: record!.boxes, status: 'reviewed' }, TEST_ACTOR, datasets);
    const recommit = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(recommit.committed, ['astronaut.png']);
    const commits = entriesOf(root, 'commit-image').filter((entry) => entry.file === 'astronaut.png');
    assert.equal(commits.length, 2, 'the chain holds both commits');
    assert.deepEqual([commits[1]!.vaultObject, commits[1]!.vaultSha256], [commits[0]!.vaultObject, commits[0]!.vaultSha256], 'the vault object is reused');
    assert.ok(ageOpens(root, sha256Hex(original), key));
    assert.notDeepEqual(readFileSync(join(root, 'astronaut.png')), original);
    assert.deepEqual(await findingsOf({ root, identity: key.identityFile, full: true }), []);
  });

  it('restores every committed image of the dataset when none is named', async () => {
    const { root } = await committedVault([key], 2);
    const result = await restore({ root, identity: key.identityFile, purpose: 'audit' });
    assert.deepEqual(result.restored, ['astronaut.png', 'img-00.jpg', 'img-01.jpg']);
    assert.deepEqual(await findingsOf({ root }), []);
  });

  it('is refused without a purpose or with a wrong key (each refusal logged), and for a purged original; nothing changes', async () => {
    const { root } = await committedVault([key], 0);
    const output = readFileSync(join(root, 'astronaut.png'));
    const noPurpose = await refusal(restore({ root, files: ['astronaut.png'], identity: key.identityFile }));
    assert.equal(noPurpose.code, ErrorCode.PurposeRefused);
    const wrongKey = await restore({ root, files: ['astronaut.png'], identity: stranger.identityFile, purpose: PURPOSE });
    assert.deepEqual([wrongKey.restored, wrongKey.failures.map((failure) => failure.code)], [[], [ErrorCode.KeyError]]);
    assert.deepEqual(entriesOf(root, 'open-refused').map((entry) => [entry.reason, entry.restoredTo]), [['no-purpose', 'astronaut.png'], ['wrong-key', 'astronaut.png']]);
    assert.ok(readFileSync(join(root, 'astronaut.png')).equals(output), 'the anonymized image is as it was');
    assert.equal((await recordOf(root, 'astronaut.png'))?.status, 'committed');
    assert.equal(entriesOf(root, 'restore-original').length, 0);

    await applyRetention(root, { days: 1, action: 'purge' });
    await purge({ root }, daysAhead(2));
    const purged = await restore({ root, files: ['astronaut.png'], identity: key.identityFile, purpose: PURPOSE });
    assert.match(purged.failures[0]!.message, /vault object was purged \(crypto-shredded, see the audit log\)/);
    assert.equal(entriesOf(root, 'open-refused').at(-1)?.reason, 'purged', 'the attempt on a purged original is logged');
    assert.deepEqual(await findingsOf({ root }), []);
  });

  it('a restored original is not purged unless forced with a reason', async () => {
    const { root } = await committedVault([key], 0);
    await applyRetention(root, { days: 1, action: 'purge' });
    await restore({ root, files: ['astronaut.png'], identity: key.identityFile, purpose: PURPOSE });
    const kept = await purge({ root }, daysAhead(2));
    assert.deepEqual([kept.purged, kept.originals[0]?.state], [[], 'restored']);
    const forced = await purge({ root, files: ['astronaut.png'], force: true, reason: 'the subject withdrew consent' }, daysAhead(2));
    assert.equal(forced.purged.length, 1);
  });

  it('a restore stopped after its entry, or after its write, is reported by verify and finished by running it again', async () => {
    const { root } = await committedVault([key], 1);
    const [astronaut, small] = ['astronaut.png', 'img-00.jpg'];
    const commits = new Map(entriesOf(root, 'commit-image').map((entry) => [entry.file as string, entry]));

    // Stopped between its restore-original entry and the rename: the output is still in place.
    const first = commits.get(astronaut)!;
    await appendAudit(root, { type: 'restore-original', actor: TEST_ACTOR, file: astronaut, vaultObject: first.vaultObject as string, purpose: PURPOSE, replacedSha256: first.outputSha256 as string });
    // Stopped between the rename and the review write: the original is in place, the review state still committed.
    const second = commits.get(small)!;
    const smallOriginal = await openVaultObject(root, second.vaultObject as string, [key.identity]);
    await appendAudit(root, { type: 'restore-original', actor: TEST_ACTOR, file: small, vaultObject: second.vaultObject as string, purpose: PURPOSE, replacedSha256: second.outputSha256 as string });
    writeFileSync(join(root, small), smallOriginal);

    assert.deepEqual(await findingsOf({ root }), [`restore-unfinished ${astronaut}`, `restore-unfinished ${small}`]);
    const opened = entriesOf(root, 'open-original').length;
    const finished = await restore({ root, files: [astronaut, small], identity: key.identityFile, purpose: PURPOSE });
    assert.deepEqual([finished.restored, finished.failures], [[astronaut, small], []]);
    assert.equal(entriesOf(root, 'open-original').length, opened + 1, 'only the image still holding its output is decrypted again');
    assert.equal(entriesOf(root, 'restore-original').length, 2, 'no restore is logged twice');
    assert.ok(readFileSync(join(root, astronaut)).equals(readFileSync(ASTRONAUT)));
    assert.equal(sha256Hex(readFileSync(vaultObjectPath(root, second.vaultObject as string))), second.vaultSha256, 'the vault object is untouched');
    assert.deepEqual(await findingsOf({ root }), []);
  });
});
