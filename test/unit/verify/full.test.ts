import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitDataset } from '../../../daemon/commit/commit';
import { OpenDatasets } from '../../../daemon/services/datasets';
import { excludeFiles } from '../../../daemon/services/exclusions';
import { initPolicy } from '../../../daemon/services/policy';
import { storeOriginal } from '../../../daemon/vault/vault';
import { readRecipients } from '../../../daemon/vault/recipients';
import { sha256Hex } from '../../../daemon/storage/hash';
import { NO_FACE } from '../../support/images';
import { TEST_ACTOR, appendAuditSync, commitDeps, flipByte, testContext } from '../../support/commitFixtures';
import { copyOf, findingsOf, readyDataset, verify, type ReadyDataset } from '../../support/governanceFixtures';

/** The last byte of `needle`'s first occurrence after the last occurrence of `after` (a byte inside one record). */
function inside(after: string, needle: string): (bytes: Buffer) => number {
  return (bytes) => bytes.indexOf(needle, bytes.lastIndexOf(after)) + needle.length - 1;
}

describe('verify --full: a flipped byte in any file of the dataset is found and named', function () {
  this.timeout(60_000);
  /** a.png committed, c.png excluded, the starter policy in place: verify --full finds nothing. */
  let prepared: ReadyDataset;
  let vaultObject: string;

  before(async () => {
    prepared = await readyDataset([{ file: 'c.png', bytes: readFileSync(NO_FACE), width: 400, height: 300, boxes: [], status: 'unreviewed' }]);
    const { root } = prepared;
    await excludeFiles({ root, files: ['c.png'], reason: 'a drawing, no person in it' }, TEST_ACTOR, new OpenDatasets());
    await initPolicy({ root }, TEST_ACTOR);
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual([result.committed, result.excluded.map((e) => e.file)], [['a.png'], ['c.png']], JSON.stringify(result));
    vaultObject = `.veil/vault/${sha256Hex(prepared.seeded[0].bytes)}.age`;
  });

  const full = (root: string, identity?: string) => findingsOf({ root, identity, full: true });
  /** The findings of --full with one bit of `file` flipped at `at`; the file is put back afterwards. */
  async function fullWithFlip(root: string, file: string, at: (bytes: Buffer) => number): Promise<string[]> {
    const path = join(root, file);
    const pristine = readFileSync(path);
    flipByte(path, at);
    try {
      return await full(root);
    } finally {
      writeFileSync(path, pristine);
    }
  }

  it('finds nothing in an intact dataset, with or without an identity', async () => {
    const { root, identityFile } = copyOf(prepared);
    assert.deepEqual(await full(root), []);
    assert.deepEqual(await full(root, identityFile), []);
  });

  it('an output image', async () => {
    const { root } = copyOf(prepared);
    assert.deepEqual(await fullWithFlip(root, 'a.png', (b) => b.length - 100), ['image-changed a.png']);
  });

  it('a vault object a commit names, without an identity (its audited hash) and with one (it no longer decrypts)', async () => {
    const { root, identityFile } = copyOf(prepared);
    flipByte(join(root, vaultObject), (b) => b.length - 1000);
    assert.deepEqual(await full(root), [`vault-altered ${vaultObject}`]);
    assert.deepEqual(await full(root, identityFile), [`vault-altered ${vaultObject}`, `vault-undecryptable ${vaultObject}`]);
  });

  it('a vault object no commit names: reported by --full only, and decrypted when an identity allows', async () => {
    const { root, identityFile } = copyOf(prepared);
    const stray = await storeOriginal(root, readFileSync(NO_FACE), await readRecipients(root));
    const file = `.veil/vault/${stray.id}.age`;
    assert.deepEqual(await findingsOf({ root }), [], 'a plain verify reads only the objects commits name');
    assert.deepEqual(await full(root, identityFile), [`vault-unaudited ${file}`]);
    flipByte(join(root, file), (b) => b.length - 10);
    // Without a key only its structure can be checked: a flip in the payload shows once it is decrypted.
    assert.deepEqual(await full(root), [`vault-unaudited ${file}`]);
    assert.deepEqual(await full(root, identityFile), [`vault-unaudited ${file}`, `vault-undecryptable ${file}`]);
    writeFileSync(join(root, '.veil/vault/notes.txt'), 'left here by hand');
    assert.ok((await full(root)).includes('vault-unaudited .veil/vault/notes.txt'));
  });

  it('an audit line', async () => {
    const { root } = copyOf(prepared);
    assert.deepEqual(await fullWithFlip(root, '.veil/audit.jsonl', inside('"type":"exclude"', 'tester')), ['audit-chain .veil/audit.jsonl']);
  });

  it('the review log: a box changed (its record no longer what the log says), or a line that no longer parses', async () => {
    const { root } = copyOf(prepared);
    assert.deepEqual(await fullWithFlip(root, '.veil/review.jsonl', inside('"file":"a.png"', '"x":175')), ['review-unaudited a.png']);
    assert.deepEqual(await fullWithFlip(root, '.veil/review.jsonl', () => 0), ['state-corrupt .veil/review.jsonl']);
  });

  it('the policy: a value changed since its policy-change entry, or the file no longer parses', async () => {
    const { root } = copyOf(prepared);
    assert.deepEqual(await fullWithFlip(root, '.veil/policy.json', inside('"allowed"', 'audit')), ['policy-unaudited .veil/policy.json']);
    assert.deepEqual(await fullWithFlip(root, '.veil/policy.json', () => 0), ['policy-unaudited .veil/policy.json', 'state-corrupt .veil/policy.json']);
    // A policy-change whose write never landed (a kill between the entry and the file) reads the same.
    const current = sha256Hex(readFileSync(join(root, '.veil/policy.json')));
    appendAuditSync(root, { type: 'policy-change', actor: TEST_ACTOR, source: 'apply', sha256: sha256Hex('another policy'), previousSha256: current });
    assert.deepEqual(await full(root), ['policy-unaudited .veil/policy.json']);
  });

  it('the exclusions: --full holds each against its audited decision', async () => {
    const { root } = copyOf(prepared);
    flipByte(join(root, '.veil/exclusions.json'), inside('"reason"', 'drawing'));
    assert.deepEqual(await findingsOf({ root }), [], 'a plain verify does not read the exclusions');
    const found = (await verify({ root, full: true })).findings;
    assert.deepEqual(found.map((f) => `${f.kind} ${f.file}`), ['exclusion-unaudited c.png']);
    assert.match(found[0].message, /excluded in \.veil\/exclusions\.json but its reason differs from the one entry \d+ recorded/);
  });

  it('the recipients file: a recipient that no longer parses is named', async () => {
    const { root } = copyOf(prepared);
    assert.deepEqual(await findingsOf({ root }), [], 'a plain verify does not read the recipients');
    const found = await fullWithFlip(root, '.veil/recipients.txt', (b) => b.indexOf('age1') + 20);
    assert.deepEqual(found, ['state-corrupt .veil/recipients.txt']);
  });
});
