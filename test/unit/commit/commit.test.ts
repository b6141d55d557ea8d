import * as assert from 'node:assert/strict';
import { filesInCommit } from '../../../daemon/commit/journal';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode, REDACTION_MODES, type CommitResult } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { CancellationToken } from '../../../daemon/core/callContext';
import { commitDataset } from '../../../daemon/commit/commit';
import { verifyDataset } from '../../../daemon/verify/verify';
import { openOriginal } from '../../../daemon/vault/openOriginal';
import { verifyAuditLog } from '../../../daemon/audit/verifyLog';
import { auditPath } from '../../../daemon/audit/log';
import { boxesSha256, committedMarginRule, type CommitImageEvent } from '../../../daemon/audit/events';
import { ReviewStore } from '../../../daemon/review/store';
import { sha256Hex } from '../../../daemon/storage/hash';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { decodeDisplayed, DEFAULT_MAX_PIXELS } from '../../../daemon/image/decode';
import { ASTRONAUT, meanDiffIn, tempDir } from '../../support/images';
import { freshRegistry } from '../../support/models';
import { BACKGROUND, FACE_BOX, TEST_ACTOR, addKey, appendAuditSync, auditEntries, box, flipByte, commitDeps, rechainLog, seedDataset, testContext, type SeedImage } from '../../support/commitFixtures';

const LIMITS = { maxPixels: DEFAULT_MAX_PIXELS };

async function astronautImages(): Promise<SeedImage[]> {
  const png = readFileSync(ASTRONAUT);
  const jpeg = await sharp(ASTRONAUT).jpeg({ quality: 90 }).toBuffer();
  return [
    { file: 'a.png', bytes: png, width: 512, height: 512, boxes: [box(FACE_BOX), box(BACKGROUND, 'rejected', 'b2')] },
    { file: 'sub/b.jpg', bytes: jpeg, width: 512, height: 512, boxes: [box(FACE_BOX)] },
    { file: 'c.jpg', bytes: jpeg, width: 512, height: 512, boxes: [box(FACE_BOX, 'proposed')], status: 'unreviewed' },
  ];
}

async function readyDataset(images?: SeedImage[]) {
  const root = tempDir('veil-commit-');
  const seeded = images ?? (await astronautImages());
  seedDataset(root, seeded);
  const key = await addKey(root);
  return { root, key, seeded };
}

/** The review.json the fixtures wrote, changed by `edit` (a hand edit outside Veil). */
function editReviewJson(root: string, edit: (images: Record<string, { boxes: Array<Record<string, unknown>>; status: string }>) => void): void {
  const path = join(root, '.veil', 'review.json');
  const state = JSON.parse(readFileSync(path, 'utf8'));
  edit(state.images);
  writeFileSync(path, JSON.stringify(state));
}

function isVeilError(code: ErrorCode, message: RegExp) {
  return (error: unknown) => VeilError.is(error) && error.code === code && message.test(error.message);
}

describe('commit', () => {
  for (const mode of REDACTION_MODES) {
    it(`${mode}: anonymizes the reviewed images, vaults their originals, audits each, and verify finds nothing`, async function () {
      this.timeout(60_000);
      const { root, key, seeded } = await readyDataset();
      const result = await commitDataset({ root, mode }, testContext(), commitDeps());

      assert.deepEqual(result.committed, ['a.png', 'sub/b.jpg']);
      assert.deepEqual(result.failures, []);
      assert.deepEqual(result.leftAsIs.map((entry) => [entry.file, entry.cause]), [['c.jpg', 'not-reviewed']]);
      const before = await decodeDisplayed(seeded[0].bytes, 'a.png', LIMITS);
      const after = await decodeDisplayed(readFileSync(join(root, 'a.png')), 'a.png', LIMITS);
      assert.ok(meanDiffIn(before.rgb, after.rgb, 512, FACE_BOX) > 15, 'the face is still there');
      assert.equal(meanDiffIn(before.rgb, after.rgb, 512, BACKGROUND), 0, 'a rejected box was redacted');
      assert.equal((await sharp(join(root, 'sub/b.jpg')).metadata()).format, 'jpeg');
      assert.ok(readFileSync(join(root, 'c.jpg')).equals(seeded[2].bytes), 'an unreviewed image was touched');

      const entries = auditEntries(root);
      const perImage = entries.filter((e) => e.type === 'commit-image');
      assert.equal(perImage.length, 2);
      const a = perImage.find((e) => e.file === 'a.png')!;
      assert.deepEqual(a.actor, TEST_ACTOR);
      assert.equal(a.model, 'test-model');
      assert.equal(a.threshold, 0.6);
      assert.deepEqual(a.redaction, { mode, margin: 0.25, doubtMargin: 1, shape: 'rect' });
      assert.deepEqual((a.boxes as Record<string, unknown>).model, { proposed: 0, accepted: 1, rejected: 1 });
      assert.equal(a.redacted, 1);
      assert.equal(a.originalSha256, sha256Hex(seeded[0].bytes));
      assert.equal(a.outputSha256, sha256Hex(readFileSync(join(root, 'a.png'))));
      assert.equal(a.vaultObject, a.originalSha256);
      assert.equal(a.modelOnly, undefined);
      assert.equal(entries.at(-1)!.type, 'commit');
      assert.equal(result.checkpoint.entries, entries.length);

      const original = execFileSync('/usr/bin/age', ['-d', '-i', key.identityFile, vaultObjectPath(root, a.vaultObject as string)]);
      assert.ok(original.equals(seeded[0].bytes), 'the vault does not hold the original');
      const store = await ReviewStore.open(root, filesInCommit);
      assert.equal(store.get('a.png')?.status, 'committed');
      assert.ok(store.get('a.png')?.committedAt);
      assert.equal(store.get('c.jpg')?.status, 'unreviewed');

      const verified = await verifyDataset({ root, identity: key.identityFile, checkpoint: result.checkpoint }, testContext(), commitDeps());
      assert.deepEqual(verified.findings, []);
      assert.deepEqual(verified.checked, { auditEntries: entries.length, images: 2, vaultObjects: 2, signatures: 0 });
      assert.equal(existsSync(join(root, '.veil', 'lock')), false);
      assert.deepEqual(readdirSync(join(root, '.veil', 'journal')), []);
    });
  }

  it('grows a doubted model box by its own margin, records the rule in the audit, and a margin of doubt of 0 grows it by the margin alone', async () => {
    const flatImage = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#808080' } }).png().toBuffer();
    const doubted = { id: 'd1', x: 150, y: 150, w: 100, h: 100, score: 0.4, source: 'model' as const, state: 'accepted' as const, edited: false };
    // 0.25 + 1 x (1 - 0.4) = 0.85 of 100 px: the fill reaches x = 65; at a margin of doubt of 0 it stops at x = 125.
    const strip = { x: 70, y: 190, w: 50, h: 20 };
    const filledShare = async (doubtMargin: number | undefined) => {
      const root = tempDir('veil-doubt-');
      seedDataset(root, [{ file: 'a.png', bytes: flatImage, width: 400, height: 400, boxes: [doubted] }]);
      await addKey(root);
      const result = await commitDataset({ root, ...(doubtMargin === undefined ? {} : { doubtMargin }) }, testContext(), commitDeps());
      assert.deepEqual(result.committed, ['a.png']);
      const entry = auditEntries(root).find((e) => e.type === 'commit-image')!;
      const out = await decodeDisplayed(readFileSync(join(root, 'a.png')), 'a.png', LIMITS);
      return { redaction: entry.redaction, change: meanDiffIn(Buffer.alloc(out.rgb.length, 128), out.rgb, 400, strip) };
    };
    const byDefault = await filledShare(undefined);
    assert.deepEqual(byDefault.redaction, { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' });
    assert.ok(byDefault.change > 100, 'the doubted box was not grown over the strip');
    const off = await filledShare(0);
    assert.deepEqual(off.redaction, { mode: 'fill', margin: 0.25, doubtMargin: 0, shape: 'rect' });
    assert.equal(off.change, 0);
    assert.deepEqual(committedMarginRule({ redaction: { mode: 'fill', margin: 0.25, shape: 'rect' } }), { margin: 0.25, doubtMargin: 0 }, 'a commit from before the margin of doubt is judged by its margin alone');
  });

  it('commits unreviewed images only when asked, and says in the audit that their boxes were model-only', async () => {
    const { root } = await readyDataset();
    const first = await commitDataset({ root }, testContext(), commitDeps());
    assert.equal(first.committed.includes('c.jpg'), false);
    const second = await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps());
    assert.deepEqual(second.committed, ['c.jpg']);
    const entry = auditEntries(root).find((e) => e.type === 'commit-image' && e.file === 'c.jpg')!;
    assert.equal(entry.modelOnly, true);
    assert.equal(auditEntries(root).find((e) => e.type === 'commit-image' && e.file === 'a.png')!.modelOnly, undefined);
  });

  it('reports an image whose redaction fails verification, leaves it untouched and commits the others', async () => {
    const flat = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#777777' } }).png().toBuffer();
    const { root, seeded } = await readyDataset([
      ...(await astronautImages()).slice(0, 2),
      { file: 'flat.png', bytes: flat, width: 300, height: 300, boxes: [box({ x: 100, y: 100, w: 80, h: 80 })] },
    ]);
    const result = await commitDataset({ root, mode: 'pixelate' }, testContext(), commitDeps());
    assert.deepEqual(result.committed, ['a.png', 'sub/b.jpg']);
    assert.deepEqual(result.failures.map((f) => [f.file, f.code]), [['flat.png', ErrorCode.VerifyFailed]]);
    assert.ok(readFileSync(join(root, 'flat.png')).equals(seeded[2].bytes));
    assert.equal(auditEntries(root).filter((e) => e.type === 'commit-image').length, 2);
    assert.deepEqual((await verifyDataset({ root }, testContext(), commitDeps())).findings, []);
  });

  it('records the hash of the boxes it redacted, equal to the last review decision of each reviewed image', async () => {
    const { root, seeded } = await readyDataset();
    await commitDataset({ root, includeUnreviewed: true }, testContext(), commitDeps());
    const commits = auditEntries(root).filter((e) => e.type === 'commit-image');
    for (const image of seeded) {
      const entry = commits.find((e) => e.file === image.file)!;
      assert.equal(entry.boxesSha256, boxesSha256(image.boxes), image.file);
    }
    const decision = auditEntries(root).find((e) => e.type === 'review-change' && e.file === 'a.png')!;
    assert.equal(decision.boxesSha256, commits.find((e) => e.file === 'a.png')!.boxesSha256);
  });

  it('refuses a reviewed image whose boxes were edited outside Veil after its last review decision, and commits the others', async () => {
    const { root, seeded } = await readyDataset();
    // One coordinate moved in review.json: the box would paint the flag, and the face would stay bare.
    editReviewJson(root, (images) => {
      images['a.png'].boxes[0].x = 300;
    });
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(result.committed, ['sub/b.jpg']);
    assert.deepEqual(result.failures.map((f) => [f.file, f.code]), [['a.png', ErrorCode.Corrupt]]);
    assert.match(result.failures[0].message, /its boxes differ from the last reviewed decision in the audit log \(edited outside Veil\?\)/);
    assert.ok(readFileSync(join(root, 'a.png')).equals(seeded[0].bytes), 'the refused image was touched');
    assert.equal(existsSync(vaultObjectPath(root, sha256Hex(seeded[0].bytes))), false, 'the refused original went into the vault');
    assert.equal(auditEntries(root).filter((e) => e.type === 'commit-image' && e.file === 'a.png').length, 0);
  });

  it('refuses an image marked reviewed by hand (no review decision in the audit log), or rejected by hand after review', async () => {
    const { root } = await readyDataset();
    editReviewJson(root, (images) => {
      images['c.jpg'].status = 'reviewed';
      images['c.jpg'].boxes[0].state = 'accepted';
      images['sub/b.jpg'].boxes[0].state = 'rejected';
    });
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(result.committed, ['a.png']);
    result.failures.sort((x, y) => x.file.localeCompare(y.file));
    assert.deepEqual(
      result.failures.map((f) => [f.file, f.code]),
      [
        ['c.jpg', ErrorCode.Corrupt],
        ['sub/b.jpg', ErrorCode.Corrupt],
      ],
    );
    assert.match(result.failures[0].message, /marked reviewed but the audit log has no review decision for it \(edited outside Veil\?\)/);
    assert.match(result.failures[1].message, /its boxes differ from the last reviewed decision/);
  });

  it('stores one vault object for identical images committed side by side', async () => {
    const { root, key, seeded } = await readyDataset();
    const copy = { ...seeded[1], file: 'sub/b-copy.jpg' };
    seedDataset(root, [...seeded, copy]);
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(result.committed, ['a.png', 'sub/b-copy.jpg', 'sub/b.jpg']);
    assert.equal(readdirSync(join(root, '.veil', 'vault')).length, 2);
    const verified = await verifyDataset({ root, identity: key.identityFile }, testContext(), commitDeps());
    assert.deepEqual(verified.findings, []);
  });

  it('changes nothing when a finished commit is run again', async () => {
    const { root } = await readyDataset();
    const first = await commitDataset({ root }, testContext(), commitDeps());
    const snapshot = () => ['a.png', 'sub/b.jpg', 'c.jpg', '.veil/audit.jsonl'].map((f) => sha256Hex(readFileSync(join(root, f))));
    const before = snapshot();
    const vaultBefore = readdirSync(join(root, '.veil', 'vault'));
    const again = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(again.committed, []);
    assert.deepEqual(again.checkpoint, first.checkpoint);
    assert.deepEqual(snapshot(), before);
    assert.deepEqual(readdirSync(join(root, '.veil', 'vault')), vaultBefore);
  });

  it('refuses a second commit on the same dataset while the first holds the lock', async () => {
    const { root } = await readyDataset();
    const [one, two] = await Promise.allSettled([
      commitDataset({ root }, testContext(), commitDeps()),
      commitDataset({ root }, testContext(), commitDeps()),
    ]);
    const outcomes = [one, two].map((o) => o.status);
    assert.deepEqual(outcomes.sort(), ['fulfilled', 'rejected']);
    const refused = [one, two].find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    assert.ok(isVeilError(ErrorCode.Locked, /locked by process \d+ .*commit/)(refused.reason), String(refused.reason));
  });

  it('takes over the lock of a process that died', async () => {
    const { root } = await readyDataset();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(root, '.veil', 'lock'), JSON.stringify({ pid: dead, host: hostname(), since: 'then', purpose: 'commit' }));
    const result = await commitDataset({ root }, testContext(), commitDeps());
    assert.equal(result.committed.length, 2);
  });

  it('refuses to commit without recipients, telling the user to run veil keygen, and touches nothing', async () => {
    const root = tempDir('veil-commit-');
    const images = await astronautImages();
    seedDataset(root, images);
    const auditBefore = readFileSync(auditPath(root), 'utf8');
    await assert.rejects(commitDataset({ root }, testContext(), commitDeps()), isVeilError(ErrorCode.KeyError, /veil keygen/));
    assert.ok(readFileSync(join(root, 'a.png')).equals(images[0].bytes));
    assert.equal(readFileSync(auditPath(root), 'utf8'), auditBefore, 'nothing was audited');
  });

  it('stops between images when cancelled: the image in flight finishes, no other starts', async () => {
    const { root, seeded } = await readyDataset();
    const token = new CancellationToken();
    const result: CommitResult = await commitDataset({ root }, testContext(token, () => token.cancel()), commitDeps());
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.committed, ['a.png']);
    assert.deepEqual(
      result.leftAsIs.map((entry) => [entry.file, entry.cause]),
      [
        ['c.jpg', 'not-reviewed'],
        ['sub/b.jpg', 'not-started'],
      ],
    );
    assert.ok(readFileSync(join(root, 'sub/b.jpg')).equals(seeded[1].bytes));
    const summary = auditEntries(root).at(-1)!;
    assert.equal(summary.type, 'commit');
    assert.equal(summary.cancelled, true);
    const rest = await commitDataset({ root }, testContext(), commitDeps());
    assert.deepEqual(rest.committed, ['sub/b.jpg']);
  });

  it('opens an original only after logging the opening, logs a refused one, and never writes into the dataset', async () => {
    const { root, key, seeded } = await readyDataset();
    await commitDataset({ root }, testContext(), commitDeps());
    const out = join(tempDir(), 'a-original.png');
    const request = { root, file: 'a.png', purpose: 'audit', actor: TEST_ACTOR };
    await assert.rejects(
      openOriginal({ ...request, keys: async () => [key.identity], out: join(root, 'leak.png') }),
      isVeilError(ErrorCode.BadPath, /inside the dataset/),
    );
    const stranger = (await addKey(tempDir())).identity;
    await assert.rejects(openOriginal({ ...request, keys: async () => [stranger], out }), isVeilError(ErrorCode.KeyError, /does not decrypt/));
    assert.equal(auditEntries(root).at(-1)!.type, 'open-refused', 'a refused opening must still be in the audit log');
    await openOriginal({ ...request, keys: async () => [key.identity], out });
    assert.ok(readFileSync(out).equals(seeded[0].bytes));
    assert.deepEqual(
      auditEntries(root).flatMap((e) => (e.type === 'open-original' || e.type === 'open-refused' ? [e.type] : [])),
      ['open-refused', 'open-original'],
    );
  });
});

describe('verify', () => {
  async function committed() {
    const ready = await readyDataset();
    const result = await commitDataset({ root: ready.root }, testContext(), commitDeps());
    return { ...ready, result };
  }
  const kinds = async (root: string, identity?: string, checkpoint?: CommitResult['checkpoint']) =>
    (await verifyDataset({ root, identity, checkpoint }, testContext(), commitDeps())).findings.map((f) => `${f.kind} ${f.file ?? ''}`);
  it('reports one flipped byte in a committed image', async () => {
    const { root } = await committed();
    flipByte(join(root, 'sub/b.jpg'), (b) => b.length - 100);
    assert.deepEqual(await kinds(root), ['image-changed sub/b.jpg']);
  });

  it('reports one flipped byte in a vault object, with or without an identity', async () => {
    const { root, key, seeded } = await committed();
    const object = `.veil/vault/${sha256Hex(seeded[0].bytes)}.age`;
    flipByte(join(root, object), (b) => b.length - 1000);
    assert.deepEqual(await kinds(root), [`vault-altered ${object}`]);
    assert.deepEqual(await kinds(root, key.identityFile), [`vault-altered ${object}`, `vault-undecryptable ${object}`]);
  });

  it('reports one flipped byte in an audit line', async () => {
    const { root } = await committed();
    flipByte(auditPath(root), (b) => b.indexOf('"file":"a.png"') + 9);
    const found = await kinds(root);
    assert.ok(found.includes('audit-chain .veil/audit.jsonl'), found.join());
  });

  it('catches a cut audit tail against the checkpoint printed by the commit', async () => {
    const { root, result } = await committed();
    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    writeFileSync(auditPath(root), lines.slice(0, -2).join('\n') + '\n');
    assert.ok((await verifyAuditLog(root)).findings.length === 0, 'a chain alone cannot see a cut tail');
    const found = await kinds(root, undefined, result.checkpoint);
    assert.ok(found.includes('audit-checkpoint .veil/audit.jsonl'), found.join());
  });

  it('reports a committed image put back to its original', async () => {
    const { root, seeded } = await committed();
    writeFileSync(join(root, 'a.png'), seeded[0].bytes);
    assert.deepEqual(await kinds(root), ['image-not-anonymized a.png']);
  });

  it('says what a chain without a checkpoint cannot prove, without failing on it', async () => {
    const { root, key, result } = await committed();
    const bare = await verifyDataset({ root }, testContext(), commitDeps());
    assert.equal(bare.ok, true);
    assert.deepEqual(bare.findings, []);
    assert.equal(bare.limits.length, 2);
    assert.match(bare.limits[0], /no checkpoint given: .*tail was cut or rewritten .*--checkpoint/);
    assert.match(bare.limits[1], /no identity given/);
    const full = await verifyDataset({ root, identity: key.identityFile, checkpoint: result.checkpoint }, testContext(), commitDeps());
    assert.deepEqual([full.ok, full.limits], [true, []]);
  });

  describe('a forged, correctly chained commit entry appended after the original was put back', () => {
    /** The original of a.png put back, and one forged entry appended, chained with formatEntry; verify with everything it has (the redaction sidecar names the real entry: stale). */
    async function forge(change: (real: CommitImageEvent, original: string) => Partial<CommitImageEvent>, copyVault?: (real: CommitImageEvent) => string) {
      const { root, key, seeded, result } = await committed();
      writeFileSync(join(root, 'a.png'), seeded[0].bytes);
      const { seq: _seq, prev: _prev, at: _at, ...real } = auditEntries(root).find((e) => e.type === 'commit-image' && e.file === 'a.png') as unknown as CommitImageEvent & { seq: number; prev: string; at: string };
      if (copyVault) writeFileSync(vaultObjectPath(root, copyVault(real)), readFileSync(vaultObjectPath(root, real.vaultObject)));
      appendAuditSync(root, { ...real, ...change(real, sha256Hex(seeded[0].bytes)) });
      assert.deepEqual(await verifyAuditLog(root, result.checkpoint).then((r) => r.findings), [], 'the forged line chains and reaches the checkpoint');
      // --redetect: a detector that finds the face where it is still there (the original's pixels), inside the reviewed box.
      const originalPixels = (await decodeDisplayed(seeded[0].bytes, 'a.png', LIMITS)).rgb;
      const detector = { model: { name: 'fake' } as never, detect: async (image: { rgb: Buffer }) => (image.rgb.equals(originalPixels) ? [{ ...FACE_BOX, score: 0.95 }] : []) };
      const verify = (identity?: string) =>
        verifyDataset({ root, identity, checkpoint: result.checkpoint, redetect: true }, testContext(), { ...commitDeps(), loadDetector: async () => detector });
      const kindsOf = async (identity?: string) => (await verify(identity)).findings.map((f) => `${f.kind} ${f.file}`).sort();
      return { root, kindsOf, identity: key.identityFile };
    }

    it('output and original swapped: the output is its own vault object, the vault name is not the original, the image is an audited original', async () => {
      const { kindsOf, identity } = await forge((real, original) => ({ originalSha256: real.outputSha256, outputSha256: original }));
      assert.deepEqual(await kindsOf(identity), ['commit-output-is-original a.png', 'commit-vault-mismatch a.png', 'face-inside-redaction a.png', 'image-not-anonymized a.png', 'redactions-stale .veil/redactions.json']);
    });

    it('output equal to the original it names', async () => {
      const { kindsOf, identity } = await forge((_real, original) => ({ outputSha256: original }));
      assert.deepEqual(await kindsOf(identity), ['commit-output-is-original a.png', 'face-inside-redaction a.png', 'image-not-anonymized a.png', 'redactions-stale .veil/redactions.json']);
    });

    it('a consistent made-up original whose vault object is a renamed copy: the image is an earlier audited original; decrypted, the object is not what its name says', async () => {
      const fake = sha256Hex('no such original');
      const { kindsOf, identity } = await forge((_real, original) => ({ originalSha256: fake, vaultObject: fake, outputSha256: original }), () => fake);
      assert.deepEqual(await kindsOf(), ['face-inside-redaction a.png', 'image-not-anonymized a.png', 'redactions-stale .veil/redactions.json']);
      assert.deepEqual(await kindsOf(identity), ['face-inside-redaction a.png', 'image-not-anonymized a.png', 'redactions-stale .veil/redactions.json', `vault-wrong-original .veil/vault/${fake}.age`]);
    });
  });

  it('reports a commit entry whose boxes are not those of the last review decision before it, or that has none', async () => {
    const { root } = await committed();
    const entries = auditEntries(root);
    // The whole log rewritten and re-chained (no checkpoint given): a.png's decision says other boxes than its commit redacted.
    rechainLog(root, entries.map((e) => (e.type === 'review-change' && e.file === 'a.png' ? { ...e, boxesSha256: boxesSha256([box(BACKGROUND)]) } : e)));
    assert.deepEqual(await kinds(root), ['commit-boxes-unreviewed a.png']);
    const found = await verifyDataset({ root }, testContext(), commitDeps());
    assert.match(found.findings[0].message, /audit entry \d+ commits a reviewed image but its boxes \(sha256 [0-9a-f]{12}…\) differ from the last reviewed decision before it/);
    // sub/b.jpg's decision dropped altogether.
    rechainLog(root, entries.filter((e) => !(e.type === 'review-change' && e.file === 'sub/b.jpg')));
    // One entry fewer: the sidecar names commit entries by a seq the log no longer gives them.
    assert.deepEqual(await kinds(root), ['commit-boxes-unreviewed sub/b.jpg', 'redactions-stale .veil/redactions.json']);
    assert.match((await verifyDataset({ root }, testContext(), commitDeps())).findings[0].message, /no review decision for it comes before it/);
  });

  it('with --redetect and the real default model, passes a redacted face and reports one left visible', async function () {
    this.timeout(60_000);
    const root = tempDir('veil-commit-');
    const bytes = readFileSync(ASTRONAUT);
    seedDataset(root, [
      { file: 'hidden.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX)] },
      { file: 'visible.png', bytes, width: 512, height: 512, boxes: [box(FACE_BOX, 'rejected')] },
    ]);
    await addKey(root);
    await commitDataset({ root }, testContext(), commitDeps());
    const registry = freshRegistry();
    try {
      const result = await verifyDataset({ root, redetect: true }, testContext(), { ...commitDeps(), loadDetector: () => registry.load() });
      assert.deepEqual(result.findings.map((f) => `${f.kind} ${f.file}`), ['face-unredacted visible.png']);
    } finally {
      await registry.dispose();
    }
  });

  it('with --redetect, reports a face found outside every redacted box, and one found inside as seen through the redaction', async () => {
    const { root } = await committed();
    const faces = [
      { ...FACE_BOX, score: 0.9 },
      { x: 400, y: 300, w: 60, h: 60, score: 0.8 },
    ];
    const detector = { model: { name: 'fake' } as never, detect: async () => faces };
    const result = await verifyDataset({ root, redetect: true }, testContext(), { ...commitDeps(), loadDetector: async () => detector });
    assert.deepEqual(result.findings.map((f) => `${f.kind} ${f.file}`), ['face-inside-redaction a.png', 'face-unredacted a.png', 'face-inside-redaction sub/b.jpg', 'face-unredacted sub/b.jpg']);
    assert.match(result.findings[0].message, /at 175,75 95x110, inside a box redacted with fill/);
    assert.match(result.findings[1].message, /at 400,300 60x60, outside every redacted box/);
  });
});
