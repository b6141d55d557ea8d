/**
 * Retention and purge (README "Retention, purge and restore"), on vaults committed with real keys: purge removes the
 * originals past the policy's retention and nothing else, refuses the younger, held, restored and unretained ones
 * unless forced with a reason (which its entry records), and verify tells a purged original from a missing one.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ErrorCode } from '../../../daemon/protocol';
import { commitDataset } from '../../../daemon/commit/commit';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { sha256Hex } from '../../../daemon/storage/hash';
import { listVaultObjects } from '../../../daemon/vault/vault';
import { holdFiles, releaseFiles } from '../../../daemon/services/retentionHold';
import { purgeRecord } from '../../../daemon/vault/retention';
import { TEST_ACTOR, commitDeps, seedDataset, testContext, FACE_BOX, box } from '../../support/commitFixtures';
import { findingsOf } from '../../support/governanceFixtures';
import { ageOpens, ciphertexts, committedVault, newKey, type Keyholder } from '../../support/rotationFixtures';
import { DAY_MS, applyRetention, daysAhead, entriesOf, purge } from '../../support/retentionFixtures';
import { ASTRONAUT } from '../../support/images';
import { refusal } from '../../support/refusal';

/** The vault object (sha256 of the original) each image was committed with, from its commit-image entry. */
function objectsByFile(root: string): Map<string, string> {
  return new Map(entriesOf(root, 'commit-image').map((entry) => [entry.file as string, entry.vaultObject as string]));
}

describe('retention and purge (real keys, real vault)', function () {
  this.timeout(120_000);
  let key: Keyholder;
  before(async () => {
    key = await newKey();
  });

  it('purges the originals past retention, each purge entry recording what it destroyed, and keeps the younger ones', async () => {
    const { root, objects } = await committedVault([key], 3, { later: true });
    await new Promise((done) => setTimeout(done, 30));
    const late = await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps());
    assert.equal(late.committed.length, 1);
    await applyRetention(root, { days: 30, action: 'purge' });
    const byFile = objectsByFile(root);
    const lateObject = byFile.get(late.committed[0])!;
    const lateAt = Date.parse(entriesOf(root, 'commit-image').find((entry) => entry.vaultObject === lateObject)!.at as string);
    const before = ciphertexts(root, objects);

    // One millisecond before the late original's retention runs out: the four committed earlier are past theirs.
    const result = await purge({ root }, () => new Date(lateAt + 30 * DAY_MS - 1));
    assert.deepEqual([...result.purged].sort(), objects.filter((id) => id !== lateObject).sort());
    assert.deepEqual(await listVaultObjects(root), [lateObject]);
    assert.equal(result.originals.find((item) => item.vaultObject === lateObject)?.state, 'retained');
    const purges = entriesOf(root, 'vault-purge');
    assert.equal(purges.length, 4);
    for (const entry of purges) {
      const id = entry.vaultObject as string;
      assert.deepEqual([entry.state, entry.retentionDays, entry.vaultSha256, entry.reason], ['expired', 30, before.get(id), undefined]);
      assert.equal((await purgeRecord(root, id))?.seq, entry.seq, 'purgeRecord names the object purged');
    }
    assert.equal(await purgeRecord(root, lateObject), undefined);
    assert.ok(ageOpens(root, lateObject, key), 'the stock age still opens the kept original');
    assert.deepEqual(await findingsOf({ root, identity: key.identityFile, full: true }), [], 'purged originals are no finding');

    const again = await purge({ root }, () => new Date(lateAt + 30 * DAY_MS - 1));
    assert.deepEqual([again.purged, again.finished], [[], []], 'a second run has nothing to do');
    const later = await purge({ root }, () => new Date(lateAt + 30 * DAY_MS));
    assert.deepEqual(later.purged, [lateObject]);
  });

  it('refuses originals kept without retention days, younger than retention or on hold unless forced with a reason, which the entry records', async () => {
    const { root } = await committedVault([key], 2);
    const byFile = objectsByFile(root);
    const [astronaut, first, second] = ['astronaut.png', 'img-00.jpg', 'img-01.jpg'].map((file) => byFile.get(file)!);

    // No policy: no retention days, so nothing expires.
    const unretained = await purge({ root, files: ['astronaut.png'] }, daysAhead(1000));
    assert.deepEqual(unretained.purged, []);
    assert.equal(unretained.refused[0]?.code, ErrorCode.Conflict);
    assert.match(unretained.refused[0]!.message, /sets no retention days/);
    assert.deepEqual((await purge({ root }, daysAhead(1000))).originals.map((item) => item.state), ['no-retention', 'no-retention', 'no-retention']);

    await applyRetention(root, { days: 7, action: 'purge' });
    const younger = await purge({ root, files: ['img-00.jpg'] });
    assert.deepEqual(younger.purged, []);
    assert.match(younger.refused[0]!.message, /^not purged: it is kept until \d{4}-\d\d-\d\dT/);

    await holdFiles({ root, files: ['img-00.jpg'], reason: 'legal hold, case 17' }, TEST_ACTOR);
    const whole = await purge({ root }, daysAhead(8));
    assert.deepEqual([...whole.purged].sort(), [astronaut, second].sort(), 'the held original is kept');
    assert.deepEqual(whole.originals.find((item) => item.vaultObject === first)?.hold?.reason, 'legal hold, case 17');
    const held = await purge({ root, files: ['img-00.jpg'] }, daysAhead(8));
    assert.match(held.refused[0]!.message, /on hold \(img-00\.jpg: "legal hold, case 17" by Reviewer One, until released\)/);

    assert.equal((await refusal(purge({ root, files: ['img-00.jpg'], force: true }))).code, ErrorCode.InvalidParams, '--force without a reason');
    assert.equal((await refusal(purge({ root, force: true, reason: 'all of it' }))).code, ErrorCode.InvalidParams, '--force on the whole vault');
    const forced = await purge({ root, files: ['img-00.jpg'], force: true, reason: 'court order 2026-3 lifts the hold early' }, daysAhead(8));
    assert.deepEqual(forced.purged, [first]);
    const entry = entriesOf(root, 'vault-purge').at(-1)!;
    assert.deepEqual([entry.state, entry.reason, entry.files], ['held', 'court order 2026-3 lifts the hold early', ['img-00.jpg']]);
    assert.deepEqual(await listVaultObjects(root), []);
    const gone = await purge({ root, files: ['img-00.jpg', 'never.png'] });
    assert.deepEqual(gone.refused.map((failure) => [failure.file, failure.code]), [['img-00.jpg', ErrorCode.Conflict], ['never.png', ErrorCode.BadPath]]);
  });

  it('a hold lasts until its date or its release, both audited; a hold that cannot apply is refused before anything is written', async () => {
    const { root } = await committedVault([key], 1);
    await applyRetention(root, { days: 1, action: 'purge' });
    const entries = () => entriesOf(root, 'retention-hold').length + entriesOf(root, 'retention-release').length;
    assert.equal((await refusal(holdFiles({ root, files: ['astronaut.png', 'nothing.png'], reason: 'x' }, TEST_ACTOR))).code, ErrorCode.BadPath);
    assert.equal((await refusal(holdFiles({ root, files: ['astronaut.png'], reason: 'x', until: '2001-01-01' }, TEST_ACTOR))).code, ErrorCode.InvalidParams);
    assert.equal((await refusal(holdFiles({ root, files: ['astronaut.png'], reason: 'x', until: 'next week' }, TEST_ACTOR))).code, ErrorCode.InvalidParams);
    assert.equal((await refusal(holdFiles({ root, files: ['astronaut.png'], reason: '  ' }, TEST_ACTOR))).code, ErrorCode.InvalidParams);
    assert.equal((await refusal(releaseFiles({ root, files: ['astronaut.png'], reason: 'x' }, TEST_ACTOR))).code, ErrorCode.Conflict, 'nothing to release');
    assert.equal(entries(), 0, 'a refusal writes nothing');

    const until = new Date(Date.now() + 3 * DAY_MS).toISOString().slice(0, 10);
    await holdFiles({ root, files: ['astronaut.png'], reason: 'complaint pending', until }, TEST_ACTOR);
    const hold = entriesOf(root, 'retention-hold')[0]!;
    assert.deepEqual([hold.file, hold.reason, hold.until], ['astronaut.png', 'complaint pending', `${until}T23:59:59.999Z`]);
    const statesAt = async (days: number) => new Map((await purge({ root, dryRun: true }, daysAhead(days))).originals.map((item) => [item.files[0], item.state]));
    assert.deepEqual(await statesAt(2), new Map([['astronaut.png', 'held'], ['img-00.jpg', 'expired']]));
    assert.equal((await statesAt(5)).get('astronaut.png'), 'expired', 'a hold ends on its date by itself');

    await holdFiles({ root, files: ['img-00.jpg'], reason: 'second look' }, TEST_ACTOR);
    await releaseFiles({ root, files: ['img-00.jpg'], reason: 'looked' }, TEST_ACTOR);
    assert.equal(entries(), 3);
    const released = await purge({ root, files: ['img-00.jpg'] }, daysAhead(2));
    assert.equal(released.purged.length, 1, 'a released original is purged once expired');
  });

  it('a whole-vault purge under a "report" policy lists the expired originals and purges none; naming them purges them', async () => {
    const { root, objects } = await committedVault([key], 1);
    await applyRetention(root, { days: 1, action: 'report' });
    const listed = await purge({ root }, daysAhead(2));
    assert.deepEqual([listed.purged, listed.originals.map((item) => item.state)], [[], ['expired', 'expired']]);
    assert.deepEqual(await listVaultObjects(root), objects);
    const named = await purge({ root, files: ['astronaut.png', 'img-00.jpg'] }, daysAhead(2));
    assert.equal(named.purged.length, 2);
    assert.deepEqual(await listVaultObjects(root), []);
  });

  it('verify tells a purged original from a missing one, and a purged one put back is finished by the next purge', async () => {
    const { root } = await committedVault([key], 2);
    await applyRetention(root, { days: 1, action: 'purge' });
    const byFile = objectsByFile(root);
    const [purged, deleted] = [byFile.get('astronaut.png')!, byFile.get('img-00.jpg')!];
    const saved = readFileSync(vaultObjectPath(root, purged));
    await purge({ root, files: ['astronaut.png'] }, daysAhead(2));
    assert.deepEqual(await findingsOf({ root }), []);

    rmSync(vaultObjectPath(root, deleted));
    assert.deepEqual(await findingsOf({ root }), [`vault-missing .veil/vault/${deleted}.age`], 'a deletion with no purge entry is still a finding');
    const refusedMissing = await purge({ root, files: ['img-00.jpg'] }, daysAhead(2));
    assert.match(refusedMissing.refused[0]!.message, /missing from the vault with no purge logged/);
    assert.equal(entriesOf(root, 'vault-purge').length, 1, 'a missing object is not purged after the fact');

    writeFileSync(vaultObjectPath(root, purged), saved);
    assert.deepEqual(await findingsOf({ root }), [`purge-unfinished .veil/vault/${purged}.age`, `vault-missing .veil/vault/${deleted}.age`]);
    const finished = await purge({ root, dryRun: true }, daysAhead(2));
    assert.deepEqual([finished.finished, existsSync(vaultObjectPath(root, purged))], [[purged], true], 'a dry run only says so');
    const run = await purge({ root }, daysAhead(2));
    assert.deepEqual(run.finished, [purged]);
    assert.equal(existsSync(vaultObjectPath(root, purged)), false);
    assert.deepEqual(await findingsOf({ root }), [`vault-missing .veil/vault/${deleted}.age`]);
  });

  it('the same original committed again after its purge is stored anew and verify passes', async () => {
    const { root } = await committedVault([key], 0);
    await applyRetention(root, { days: 1, action: 'purge' });
    const id = objectsByFile(root).get('astronaut.png')!;
    const original = readFileSync(ASTRONAUT);
    assert.equal(sha256Hex(original), id);
    await purge({ root }, daysAhead(2));
    assert.deepEqual(await listVaultObjects(root), []);
    seedDataset(root, [{ file: 'copy.png', bytes: original, width: 512, height: 512, boxes: [box(FACE_BOX)] }]);
    const again = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(again.committed, ['copy.png']);
    assert.deepEqual(await listVaultObjects(root), [id]);
    assert.ok(ageOpens(root, id, key));
    assert.deepEqual(await findingsOf({ root, identity: key.identityFile, full: true }), []);
    assert.equal((await purge({ root, dryRun: true })).originals[0]?.state, 'retained', 'its retention starts again from the new commit');
  });
});
