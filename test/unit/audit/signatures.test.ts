import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { commitDataset } from '../../../daemon/commit/commit';
import { verifyAuditLog } from '../../../daemon/audit/verifyLog';
import { auditCheckpoint } from '../../../daemon/audit/log';
import { createSigner, signCheckpoint } from '../../../daemon/services/signers';
import { tempDir } from '../../support/images';
import { TEST_ACTOR, appendAuditSync, auditEntries, commitDeps, rechainLog, testContext } from '../../support/commitFixtures';
import { copyOf, findingsOf, newSigner, readyDataset, trustSigners, verify, type ReadyDataset } from '../../support/governanceFixtures';

const LOG = '.veil/audit.jsonl';

function isVeilError(code: ErrorCode, message: RegExp) {
  return (error: unknown) => VeilError.is(error) && error.code === code && message.test(error.message);
}

describe('signed checkpoints', function () {
  this.timeout(60_000);
  /** Committed with the trusted signer's key: the log ends with its signature of every entry before it. */
  let signed: ReadyDataset;
  let signer: { keyFile: string; publicKey: string };

  before(async () => {
    signer = await newSigner();
    signed = await readyDataset();
    await trustSigners(signed.root, [{ name: 'audit server', publicKey: signer.publicKey }]);
    const result = await commitDataset({ root: signed.root, signingKey: signer.keyFile }, testContext(), commitDeps());
    assert.deepEqual(result.committed, ['a.png'], JSON.stringify(result));
    assert.deepEqual([result.signed?.signer, result.signed?.trusted, result.signed?.checkpoint], ['audit server', true, result.checkpoint]);
  });

  it('a commit with a signing key ends with a signature of every entry it wrote, and the signed chain verifies clean', async () => {
    const entries = auditEntries(signed.root);
    const last = entries.at(-1)!;
    assert.equal(last.type, 'checkpoint-signature');
    assert.deepEqual(last.checkpoint, { entries: entries.length - 1, head: (await verifyAuditLog(signed.root)).heads[entries.length - 1] });
    assert.equal(last.signer, 'audit server');

    const checkpoint = await auditCheckpoint(signed.root);
    const result = await verify({ root: signed.root, identity: signed.identityFile, checkpoint, signers: [signer.publicKey] });
    assert.deepEqual(result.findings, []);
    assert.deepEqual([result.ok, result.checked.signatures, result.limits], [true, 1, []]);
    assert.deepEqual(result.signedThrough, { entries: entries.length - 1, signer: 'audit server', signedAt: last.signedAt });
    // Trusting the dataset's own policy: clean too, but said to rest on a file the dataset's writers can change.
    const unpinned = await verify({ root: signed.root, identity: signed.identityFile, checkpoint });
    assert.deepEqual(unpinned.findings, []);
    assert.match(unpinned.limits.join('\n'), /trusted signers are those of the dataset's own \.veil\/policy\.json.*--signer/);
  });

  it('a log rewritten and rehashed from some point on passes the chain check, but not the signed checkpoint', async () => {
    const { root } = copyOf(signed);
    // Who committed a.png rewritten, every hash after it recomputed, the signature line carried over as it was.
    const forged = auditEntries(root).map((entry) => (entry.type === 'commit-image' ? { ...entry, actor: { osUser: 'mallory', reviewer: 'Mallory' } } : entry));
    rechainLog(root, forged);
    assert.deepEqual((await verifyAuditLog(root)).findings, [], 'the rewritten chain is sound in itself');
    assert.deepEqual(await findingsOf({ root }), [`signed-history-rewritten ${LOG}`]);

    // Without the signature (what verify proved before signatures): no finding, only the limit that nothing is signed.
    rechainLog(root, forged.filter((entry) => entry.type !== 'checkpoint-signature'));
    const unsigned = await verify({ root });
    assert.deepEqual(unsigned.findings, []);
    assert.match(unsigned.limits.join('\n'), /no valid signature by a trusted key covers the log/);
  });

  it('reports a signature by a key the policy does not trust; keys pinned by the verifier replace the policy’s', async () => {
    const { root } = copyOf(signed);
    const stranger = await newSigner();
    const signedNow = await signCheckpoint({ root, key: stranger.keyFile }, TEST_ACTOR);
    assert.deepEqual([signedNow.trusted, signedNow.signer], [false, TEST_ACTOR.reviewer]);
    const result = await verify({ root });
    assert.deepEqual(result.findings.map((f) => `${f.kind} ${f.file}`), [`signature-untrusted ${LOG}`]);
    assert.match(result.findings[0].message, /checkpoint signature by "Reviewer One"\): signed by a key no trusted signer holds/);
    // The trusted signature still covers what it signed; after it come only signatures, which claim no history.
    assert.equal(result.signedThrough?.signer, 'audit server');
    assert.doesNotMatch(result.limits.join('\n'), /come(s)? after the last trusted signed checkpoint/);
    appendAuditSync(root, { type: 'include', actor: TEST_ACTOR, file: 'a.png' });
    assert.match((await verify({ root })).limits.join('\n'), /1 entry comes after the last trusted signed checkpoint \(the first \d+ entries, signed by audit server at .*only chained, not signed/);

    const pinned = await verify({ root, signers: [stranger.publicKey] });
    assert.deepEqual(pinned.findings.map((f) => f.kind), ['signature-untrusted']);
    assert.match(pinned.findings[0].message, /signature by "audit server"/);
    await assert.rejects(verify({ root, signers: ['veil-ed25519:xyz'] }), isVeilError(ErrorCode.InvalidParams, /"signers\[0\]": expected the base64 of 32 bytes/));
  });

  it('reports a signature whose statement was altered, or that claims entries after its own line', async () => {
    const { root } = copyOf(signed);
    const entries = auditEntries(root);
    const retimed = entries.map((entry) => (entry.type === 'checkpoint-signature' ? { ...entry, signedAt: new Date(0).toISOString() } : entry));
    rechainLog(root, retimed);
    assert.deepEqual(await findingsOf({ root }), [`signature-invalid ${LOG}`]);
    assert.match((await verify({ root })).findings[0].message, /its signature does not verify/);

    const ahead = entries.map((entry) => (entry.type === 'checkpoint-signature' ? { ...entry, checkpoint: { ...(entry.checkpoint as object), entries: entries.length + 5 } } : entry));
    rechainLog(root, ahead);
    assert.match((await verify({ root })).findings[0].message, /signs \d+ entries, more than the \d+ lines before it/);
  });

  it('keeps signing keys out of datasets and refuses what is no signing key', async () => {
    const { root, identityFile } = copyOf(signed);
    await assert.rejects(createSigner({ out: join(root, 'keys', 'signing.pem') }), isVeilError(ErrorCode.BadPath, /refusing to write a private key inside a dataset \(anyone with the dataset could sign a forged history\)/));
    const keyFile = join(tempDir('veil-signer-'), 'signing.pem');
    const created = await createSigner({ out: keyFile });
    assert.match(created.publicKey, /^veil-ed25519:[A-Za-z0-9+/]{43}=$/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    await assert.rejects(createSigner({ out: keyFile }), isVeilError(ErrorCode.KeyError, /already exists; refusing to overwrite a signing key/));

    const before = readFileSync(join(root, LOG));
    await assert.rejects(signCheckpoint({ root, key: identityFile }, TEST_ACTOR), isVeilError(ErrorCode.KeyError, /is not a private key in PEM/));
    await assert.rejects(commitDataset({ root, signingKey: identityFile }, testContext(), commitDeps()), isVeilError(ErrorCode.KeyError, /is not a private key in PEM/));
    mkdirSync(join(root, 'keys'));
    const inside = join(root, 'keys', 'signing.pem');
    copyFileSync(keyFile, inside);
    await assert.rejects(signCheckpoint({ root, key: inside }, TEST_ACTOR), isVeilError(ErrorCode.BadPath, /the signing key lies inside the dataset it signs/));
    assert.ok(readFileSync(join(root, LOG)).equals(before), 'nothing was written');
    await assert.rejects(signCheckpoint({ root: tempDir('veil-empty-'), key: keyFile }, TEST_ACTOR), isVeilError(ErrorCode.InvalidParams, /the audit log is empty/));
  });
});
