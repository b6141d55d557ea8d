/**
 * Shard segments (review/segments.ts, README "Beyond one machine: shards"): a shard's detections written to its own
 * segment are merged into what every reader sees before they are folded, folded into the one review log and audit
 * chain by the next review write in one order for all, with the same box ids; a person's decision is kept through the
 * fold, and an edit made on the merged view is no conflict; a tampered segment is merged and folded only up to the
 * break, and verify names it, as it names a segment deleted before its fold; a killed shard's segment is closed by a later write.
 */
import { filesInCommit } from '../../../daemon/commit/journal';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ErrorCode, type Face, type ImageRecord } from '../../../daemon/protocol';
import { countDecision, type CommitImageEvent } from '../../../daemon/audit/events';
import type { VeilError } from '../../../daemon/errors';
import { ReviewStore } from '../../../daemon/review/store';
import { SegmentWriter, listSegments, readSegment, withProposalIds, type SegmentDetected } from '../../../daemon/review/segments';
import type { DetectionAsked } from '../../../daemon/review/detectionWrite';
import { segmentLockPath, segmentPath } from '../../../daemon/dataset/layout';
import { segmentFindings } from '../../../daemon/verify/segments';
import { lineHash } from '../../../daemon/audit/chain';
import { readAuditEntries } from '../../../daemon/vault/retention';
import { tempDir } from '../../support/images';
import { auditLines, unexplainedFiles } from '../../support/reviewAudit';
import { putRecord, readReviewImages } from '../../support/reviewFiles';

const ACTOR = { osUser: 'shard-user', reviewer: 'shard' };
const ASKED: DetectionAsked = { model: 'yunet', threshold: 0.6, thorough: false, videoStride: 1, force: false };
const SHARD = { index: 1, count: 4 };

function found(file: string, faces: Face[], possible: Face[] = []): SegmentDetected {
  return withProposalIds({ file, found: { width: 200, height: 100, faces, possible }, detection: { model: 'yunet', threshold: 0.6, thorough: false, at: new Date().toISOString() } });
}

const FACE_A: Face = { x: 10, y: 10, w: 30, h: 30, score: 0.9 };
const FACE_B: Face = { x: 120, y: 40, w: 30, h: 30, score: 0.8 };


describe('shard segments: written apart, merged on read, folded into the one log', () => {
  it('a segment line is merged into what readers see, not into the log, until the next write folds it with the same boxes', async () => {
    const root = tempDir();
    const reader = await ReviewStore.open(root, filesInCommit);
    const writer = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    const line = found('a.png', [FACE_A], [FACE_B]);
    await writer.appendDetections(ASKED, [line]);

    await reader.refresh();
    const merged = reader.get('a.png');
    assert.deepEqual(merged?.boxes.map((box) => [box.id, box.state]), [[line.found.faces[0]!.id, 'proposed'], [line.found.possible[0]!.id, 'possible']]);
    assert.equal(reader.records().length, 1);
    assert.deepEqual(reader.loggedRecords(), [], 'nothing in the log yet');
    assert.deepEqual(Object.keys(readReviewImages(root)), []);
    assert.deepEqual(auditLines(root).map((entry) => entry.type), ['segment-open']);

    // Another process writes something else: its write folds the segment first, in one order for everyone.
    const other = await ReviewStore.open(root, filesInCommit);
    await putRecord(other, { file: 'b.png', width: 10, height: 10, status: 'unreviewed', boxes: [] });
    const log = readFileSync(`${root}/.veil/review.jsonl`, 'utf8').trim().split('\n').map((text) => JSON.parse(text) as { seq: number; records: ImageRecord[]; folded?: Record<string, number> });
    assert.deepEqual(log.map((entry) => [entry.seq, entry.records.map((record) => record.file), entry.folded]), [[1, ['a.png'], { [writer.id]: 1 }], [2, ['b.png'], undefined]]);
    assert.deepEqual(auditLines(root).map((entry) => `${entry.type}${entry.file ? ` ${entry.file}@${entry.revision}` : ''}`), ['segment-open', 'detect-image a.png@1']);
    assert.deepEqual(unexplainedFiles(root), ['b.png'], 'the folded record is explained by its detect-image line (b.png was put without one)');

    await reader.refresh();
    assert.deepEqual(reader.loggedRecords().map((record) => record.file), ['a.png', 'b.png']);
    assert.equal(reader.get('a.png')?.revision, 1);
    assert.deepEqual(reader.get('a.png')?.boxes, merged?.boxes, 'folding gave the boxes every reader was shown, ids and all');
    const lastLine = readFileSync(segmentPath(root, writer.id), 'utf8').trimEnd();
    await writer.finish(reader);
    assert.equal(existsSync(segmentPath(root, writer.id)), false);
    const close = auditLines(root).at(-1) as unknown as { type: string; segment: string; lines: number; head: string };
    assert.deepEqual([close.type, close.segment, close.lines, close.head], ['segment-close', writer.id, 1, lineHash(lastLine)]);
    assert.deepEqual(await segmentFindings(root, await readAuditEntries(root)), []);
  });

  it("keeps a person's decision through the fold, and an edit made on the merged view is stored as made on it", async () => {
    const root = tempDir();
    const store = await ReviewStore.open(root, filesInCommit);
    // The person accepted a face before the shard's detection of the image was folded.
    const accepted = { id: 'm-person', x: 10, y: 10, w: 30, h: 30, score: 0.9, source: 'model' as const, state: 'accepted' as const, edited: false };
    await putRecord(store, { file: 'a.png', width: 200, height: 100, status: 'unreviewed', boxes: [accepted] });
    const writer = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    await writer.appendDetections(ASKED, [found('a.png', [{ ...FACE_A, x: 11 }, FACE_B])]);
    await store.refresh();
    const shown = store.get('a.png')!;
    assert.deepEqual(shown.boxes.map((box) => box.state), ['accepted', 'proposed'], 'the accepted face is kept, its re-detection dropped, the new face proposed');

    // An edit made on the merged view (accept the new face): the write folds first, then stores the edit on that view.
    const editor = await ReviewStore.open(root, filesInCommit);
    await editor.refresh();
    const { written } = await editor.update((get, _revision, shownAs) => {
      assert.equal(shownAs('a.png'), shown.revision, 'the fold stored exactly what the reader was shown');
      const stored = get('a.png')!;
      assert.notEqual(stored.revision, shown.revision, 'the fold wrote a new revision');
      return { write: [{ ...stored, boxes: stored.boxes.map((box) => ({ ...box, state: 'accepted' as const })), status: 'reviewed' }], result: undefined };
    });
    assert.deepEqual(written[0]!.boxes.map((box) => box.state), ['accepted', 'accepted']);
    await store.refresh();
    assert.equal(store.get('a.png')?.status, 'reviewed');
    await writer.finish(store);
  });

  it('a reader merges a waiting line again when the log changes its file (a committed image restored: the detection applies now)', async () => {
    const root = tempDir();
    const writerStore = await ReviewStore.open(root, filesInCommit);
    const committed: ImageRecord = { file: 'a.png', width: 200, height: 100, status: 'committed', boxes: [] };
    await putRecord(writerStore, committed);
    const shard = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    await shard.appendDetections(ASKED, [found('a.png', [FACE_A])]);
    const reader = await ReviewStore.open(root, filesInCommit);
    assert.deepEqual(reader.get('a.png')?.boxes, [], 'a committed image is left alone');
    // Another process writes the image back to unreviewed without folding (as a restore's write would, had it not folded).
    await appendFile(`${root}/.veil/review.jsonl`, JSON.stringify({ seq: 2, records: [{ ...committed, status: 'unreviewed', revision: 2 }] }) + '\n');
    await reader.refresh();
    assert.deepEqual(reader.get('a.png')?.boxes.map((box) => box.state), ['proposed'], 'the waiting detection applies to the record as it is now');
    await shard.release();
  });

  it('a segment is merged and folded only as far as its chain holds, and verify names the break', async () => {
    const root = tempDir();
    const writer = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    await writer.appendDetections(ASKED, [found('a.png', [FACE_A])]);
    await writer.appendDetections(ASKED, [found('b.png', [FACE_B])]);
    const path = segmentPath(root, writer.id);
    const [first, second] = readFileSync(path, 'utf8').trim().split('\n');
    // A box moved by hand in the first line: the second line no longer follows it.
    writeFileSync(path, `${first!.replace('"x":10', '"x":60')}\n${second}\n`);
    assert.match((await readSegment(root, writer.id)).problem ?? '', /line 2 .*does not follow the line before it/);

    const store = await ReviewStore.open(root, filesInCommit);
    assert.deepEqual(store.records().map((record) => record.file), ['a.png'], 'only the line before the break is merged');
    await putRecord(store, { file: 'c.png', width: 10, height: 10, status: 'unreviewed', boxes: [] });
    assert.deepEqual(Object.keys(readReviewImages(root)).sort(), ['a.png', 'c.png'], 'b.png was not folded');
    const findings = await segmentFindings(root, await readAuditEntries(root));
    assert.deepEqual(findings.map((finding) => [finding.kind, finding.file]), [['segment-broken', `.veil/segments/${writer.id}.jsonl`]]);
    // The shard's own close refuses to delete a segment the log does not hold whole: the evidence stays for verify.
    await assert.rejects(writer.finish(store), (error: VeilError) => error.code === ErrorCode.Corrupt && /only 1 of its 2 lines reached the review log/.test(error.message));
    assert.ok(existsSync(path));
    assert.equal(auditLines(root).filter((entry) => entry.type === 'segment-close').length, 0);
  });

  it('a segment deleted before its fold is a finding; a killed shard\'s segment is folded by the next write and closed by the next shard\'s end', async () => {
    const root = tempDir();
    const deleted = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    await deleted.appendDetections(ASKED, [found('gone.png', [FACE_A])]);
    rmSync(segmentPath(root, deleted.id));
    const findings = await segmentFindings(root, await readAuditEntries(root));
    assert.deepEqual(findings.map((finding) => [finding.kind, finding.file]), [['segment-missing', `.veil/segments/${deleted.id}.jsonl`]]);
    assert.match(findings[0]!.message, /shard 1\/4 .*veil detect --shard 1\/4/);
    await deleted.release();

    const killed = await SegmentWriter.open(root, 'detect', { index: 2, count: 4 }, ACTOR);
    await killed.appendDetections(ASKED, [found('k.png', [FACE_A])]);
    // What a killed shard leaves: its lock naming a process of this host that is gone.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(segmentLockPath(root, killed.id), JSON.stringify({ pid: dead, host: hostname(), since: new Date().toISOString(), purpose: 'detect shard 2/4' }));
    const store = await ReviewStore.open(root, filesInCommit);
    await putRecord(store, { file: 'c.png', width: 10, height: 10, status: 'unreviewed', boxes: [] });
    assert.ok(readReviewImages(root)['k.png'], 'folded by the next write');
    assert.deepEqual(await listSegments(root), [killed.id], 'a write does not try the segments\' locks');
    // The next shard's last fold (a fold that waits) closes it.
    await store.fold();
    assert.deepEqual(await listSegments(root), [], 'closed');
    const close = auditLines(root).find((entry) => entry.type === 'segment-close') as unknown as { segment: string; lines: number };
    assert.deepEqual([close.segment, close.lines], [killed.id, 1]);
    assert.deepEqual((await segmentFindings(root, await readAuditEntries(root))).map((finding) => finding.kind), ['segment-missing'], 'only the deleted one');
  });

  it("a commit shard's line marks its files committed for every reader, and the fold writes its commit-image entries as they were", async () => {
    const root = tempDir();
    const store = await ReviewStore.open(root, filesInCommit);
    await putRecord(store, { file: 'a.png', width: 200, height: 100, status: 'reviewed', boxes: [] });
    const writer = await SegmentWriter.open(root, 'commit', SHARD, ACTOR);
    const sha = (digit: string) => digit.repeat(64);
    const event: CommitImageEvent = {
      type: 'commit-image', commitId: 'c1', actor: ACTOR, file: 'a.png', model: null, threshold: null,
      redaction: { mode: 'fill', margin: 0.1, shape: 'rect' }, ...countDecision({ boxes: [] }), redacted: 0,
      boxesSha256: sha('1'), originalSha256: sha('2'), outputSha256: sha('3'), vaultObject: sha('2'), vaultSha256: sha('4'),
    };
    await writer.appendCommits([event]);
    await store.refresh();
    assert.equal(store.get('a.png')?.status, 'committed');
    assert.equal(store.loggedRecords()[0]?.status, 'reviewed');
    assert.equal(await store.fold({ wait: false }), true);
    assert.equal(readReviewImages(root)['a.png']?.status, 'committed');
    const { seq: _seq, prev: _prev, at: _at, ...written } = (await readAuditEntries(root)).find((entry) => entry.type === 'commit-image')!;
    assert.deepEqual(written, event);
    await writer.finish(store);
  });

  it('an empty segment a shard killed at its start left is closed by the next waiting fold, leaving no finding', async () => {
    const root = tempDir();
    const id = 'detect-3-of-4-20261130T000000-0badcafe';
    mkdirSync(`${root}/.veil/segments`, { recursive: true });
    writeFileSync(segmentPath(root, id), '');
    assert.deepEqual((await segmentFindings(root, await readAuditEntries(root))).map((finding) => finding.kind), ['segment-broken'], 'named while it is there');
    const store = await ReviewStore.open(root, filesInCommit);
    await store.fold();
    assert.deepEqual(await listSegments(root), []);
    assert.deepEqual(await segmentFindings(root, await readAuditEntries(root)), []);
  });

  it('a segment file no segment-open entry names is a finding', async () => {
    const root = tempDir();
    const real = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    await real.appendDetections(ASKED, [found('a.png', [FACE_A])]);
    const planted = 'detect-0-of-1-20260101T000000-00000000';
    writeFileSync(segmentPath(root, planted), readFileSync(segmentPath(root, real.id), 'utf8').replaceAll(real.id, planted));
    assert.equal((await readSegment(root, planted)).problem, undefined, 'a well-formed copy under another name');
    const findings = await segmentFindings(root, await readAuditEntries(root));
    assert.deepEqual(findings.map((finding) => [finding.kind, finding.file]), [['segment-broken', `.veil/segments/${planted}.jsonl`]]);
    assert.match(findings[0]!.message, /no segment-open entry of the audit log names it/);
    await real.release();
  });

  it('a file where the segments folder should be is refused, naming it', async () => {
    const root = tempDir();
    mkdirSync(`${root}/.veil`);
    writeFileSync(`${root}/.veil/segments`, 'not a folder');
    await assert.rejects(ReviewStore.open(root, filesInCommit), (error: VeilError) => error.code === ErrorCode.BadPath && error.file === '.veil/segments' && /must be a folder/.test(error.message));
  });

  it('a fold while the lock is busy waits for nothing: it reports that it did not fold', async () => {
    const root = tempDir();
    const store = await ReviewStore.open(root, filesInCommit);
    const writer = await SegmentWriter.open(root, 'detect', SHARD, ACTOR);
    await writer.appendDetections(ASKED, [found('a.png', [FACE_A])]);
    writeFileSync(`${root}/.veil/review.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString(), purpose: 'review write' }));
    const started = Date.now();
    assert.equal(await store.fold({ wait: false }), false);
    assert.ok(Date.now() - started < 1000);
    rmSync(`${root}/.veil/review.lock`);
    assert.equal(await store.fold({ wait: false }), true);
    assert.ok(readReviewImages(root)['a.png']);
    await writer.finish(store);
  });
});
