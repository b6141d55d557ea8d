/**
 * The redaction sidecar's derivation alone (daemon/redactions/): which files it lists and how (restored files left
 * out, records that no longer hold the committed decision named as undescribed, each box's own margin, regions clamped
 * and empty ones dropped, tracks clamped to the video), its text, the COCO RLE of a region, and a merge into a label
 * file. The daemon tests (test/daemon/redactionSidecar*.test.ts) hold it against real commits.
 */
import * as assert from 'node:assert/strict';
import type { Box, ImageRecord, Track } from '../../../daemon/protocol';
import { boxesSha256, decisionSha256, type AuditEntry, type CommitImageEvent } from '../../../daemon/audit/events';
import { maskSpan } from '../../../daemon/redact/geometry';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRedactions, sidecarSeq, sidecarText } from '../../../daemon/redactions/sidecar';
import { retentionFacts } from '../../../daemon/vault/retention';
import { writeRedactionSidecar } from '../../../daemon/redactions/sidecarFile';
import { auditedFiles, noAuditedFiles } from '../../../daemon/audit/committed';
import { appendAudit } from '../../../daemon/audit/log';
import { tempDir } from '../../support/images';
import { mergeRedactions, redactionsCoco, regionRle } from '../../../daemon/redactions/cocoRegions';
import { DatasetNames } from '../../../daemon/annotations/datasetNames';
import { TEST_ACTOR } from '../../support/commitFixtures';

const SHA = 'a'.repeat(64);
let seq = 0;

function logged<T extends object>(event: T): T & AuditEntry {
  return { seq: seq++, prev: SHA, at: '2026-01-01T00:00:00.000Z', ...event } as unknown as T & AuditEntry;
}

function commitOf(record: ImageRecord, redaction: CommitImageEvent['redaction'] = { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' }): CommitImageEvent & AuditEntry {
  const counts = { model: { proposed: 0, accepted: 0, rejected: 0 }, manual: { proposed: 0, accepted: 0, rejected: 0 } };
  return logged<CommitImageEvent>({
    type: 'commit-image', commitId: 'c1', actor: TEST_ACTOR, file: record.file, model: null, threshold: null, redaction, boxes: counts,
    redacted: 1, boxesSha256: decisionSha256(record), originalSha256: SHA, outputSha256: 'b'.repeat(64), vaultObject: SHA, vaultSha256: SHA,
  });
}

function box(id: string, rect: { x: number; y: number; w: number; h: number }, extra: Partial<Box> = {}): Box {
  return { id, ...rect, score: null, source: 'manual', state: 'accepted', edited: false, ...extra };
}

function image(file: string, boxes: Box[], size = { width: 100, height: 80 }): ImageRecord {
  return { file, ...size, boxes, status: 'committed' };
}

describe('redaction sidecar: derived from the audit log and the review state', () => {
  it('lists each committed image with its regions grown by each box\'s own margin, clamped, empty ones and undecided boxes left out', () => {
    const record = image('a.png', [
      box('drawn', { x: 10, y: 10, w: 20, h: 20 }),
      box('doubted', { x: 60, y: 50, w: 20, h: 20 }, { source: 'model', score: 0.5 }),
      box('outside', { x: 200, y: 10, w: 10, h: 10 }),
      box('rejected', { x: 0, y: 0, w: 5, h: 5 }, { state: 'rejected' }),
      box('possible', { x: 0, y: 0, w: 5, h: 5 }, { source: 'model', score: 0.3, state: 'possible' }),
    ]);
    const entry = commitOf(record);
    const sidecar = describeRedactions(retentionFacts([entry]), () => record);
    assert.deepEqual(sidecar.undescribed, []);
    const [listed] = sidecar.files;
    assert.ok(listed && listed.kind === 'image');
    assert.deepEqual([listed.auditSeq, listed.width, listed.height, listed.mode, listed.shape], [entry.seq, 100, 80, 'fill', 'rect']);
    assert.deepEqual(listed.regions, [
      { x: 5, y: 5, w: 30, h: 30, face: { x: 10, y: 10, w: 20, h: 20 }, margin: 0.25 },
      // 0.25 + 1 × (1 - 0.5): 15 px on every side, clamped to the 100 × 80 image.
      { x: 45, y: 35, w: 50, h: 45, face: { x: 60, y: 50, w: 20, h: 20 }, margin: 0.75 },
    ]);
  });

  it('reads a commit made before doubt margins with its one margin for every box', () => {
    const record = image('a.png', [box('doubted', { x: 40, y: 40, w: 20, h: 20 }, { source: 'model', score: 0.5 })]);
    const [listed] = describeRedactions(retentionFacts([commitOf(record, { mode: 'blur', margin: 0.5, shape: 'ellipse' })]), () => record).files;
    assert.ok(listed?.kind === 'image');
    assert.deepEqual(listed.regions.map(({ x, y, w, h, margin }) => [x, y, w, h, margin]), [[30, 30, 40, 40, 0.5]]);
  });

  it('leaves out an image restored since its commit, and names one whose record no longer holds the committed boxes', () => {
    const kept = image('kept.png', [box('b', { x: 1, y: 1, w: 10, h: 10 })]);
    const restored = image('restored.png', [box('b', { x: 1, y: 1, w: 10, h: 10 })]);
    const edited = image('edited.png', [box('b', { x: 1, y: 1, w: 10, h: 10 })]);
    const restoredCommit = commitOf(restored);
    const entries = [commitOf(kept), restoredCommit, commitOf(edited), logged({ type: 'restore-original', actor: TEST_ACTOR, file: 'restored.png', vaultObject: restoredCommit.vaultObject, purpose: 'p', replacedSha256: SHA })];
    const records = new Map([kept, restored, { ...edited, boxes: [box('b', { x: 2, y: 1, w: 10, h: 10 })] }].map((record) => [record.file, record]));
    const sidecar = describeRedactions(retentionFacts(entries as AuditEntry[]), (file) => records.get(file));
    assert.deepEqual(sidecar.files.map((file) => file.file), ['kept.png']);
    assert.deepEqual(sidecar.undescribed.map((file) => file.file), ['edited.png']);
    assert.match(sidecar.undescribed[0]!.reason, /no longer holds the boxes its commit hashed/);
    assert.notEqual(boxesSha256(edited.boxes), boxesSha256(records.get('edited.png')!.boxes));
  });

  it('lists a video\'s redacted tracks, clamped to its last frame, with each track\'s margin', () => {
    const track = (id: string, state: Track['state'], score: number | null): Track => ({
      id, source: score === null ? 'manual' : 'model', state, score, edited: false, padBefore: 3, padAfter: 10,
      keyframes: [{ frame: 2, x: 10, y: 10, w: 20, h: 20, score }, { frame: 8, x: 30, y: 10, w: 20, h: 20, score }],
    });
    const record: ImageRecord = {
      file: 'clip.mp4', width: 64, height: 48, boxes: [], status: 'committed', tracks: [track('t1', 'accepted', 0.8), track('t2', 'rejected', null)],
      video: { width: 64, height: 48, fps: 25, frames: 12, durationS: 0.48, codec: 'h264', rotation: 0, hasAudio: false },
    };
    const [listed] = describeRedactions(retentionFacts([commitOf(record)]), () => record).files;
    assert.ok(listed?.kind === 'video');
    assert.deepEqual([listed.frames, listed.fps], [12, 25]);
    assert.deepEqual(listed.tracks.map(({ id, firstFrame, lastFrame, margin }) => [id, firstFrame, lastFrame, Math.round(margin * 100) / 100]), [['t1', 0, 11, 0.45]]);
    assert.deepEqual(listed.tracks[0]!.keyframes, [{ frame: 2, x: 10, y: 10, w: 20, h: 20 }, { frame: 8, x: 30, y: 10, w: 20, h: 20 }]);
  });

  it('writes plain JSON, one file per line, that reads back as the same document', () => {
    const record = image('a.png', [box('b', { x: 1, y: 1, w: 10, h: 10 })]);
    const sidecar = describeRedactions(retentionFacts([commitOf(record), commitOf(image('b.png', []))]), () => undefined);
    const full = describeRedactions(retentionFacts([commitOf(record)]), () => record);
    for (const document of [sidecar, full, describeRedactions(retentionFacts([]), () => undefined)]) assert.deepEqual(JSON.parse(sidecarText(document)), document);
    assert.equal(sidecarText(sidecar).split('\n').filter((line) => line.startsWith('{"file"')).length, 2);
  });

  it('states the latest commit or restore entry it reflects, which the text gives back', () => {
    const record = image('a.png', [box('b', { x: 1, y: 1, w: 10, h: 10 })]);
    const first = commitOf(record);
    const second = commitOf(image('b.png', []));
    const sidecar = describeRedactions(retentionFacts([second, first]), () => record);
    assert.equal(sidecar.auditSeq, Math.max(first.seq, second.seq));
    assert.equal(sidecarSeq(sidecarText(sidecar)), sidecar.auditSeq);
    assert.equal(describeRedactions(retentionFacts([]), () => undefined).auditSeq, -1);
    assert.equal(sidecarSeq(undefined), -1);
    assert.equal(sidecarSeq('{"format":"veil-redactions","version":1,\n"files":[],\n"undescribed":[]}\n'), -1, 'a sidecar written before the field');
  });

  it('is not replaced by a writer that read less of the log than the file reflects, and is by one that read more', async () => {
    const root = tempDir('veil-sidecar-');
    mkdirSync(join(root, '.veil'));
    const path = join(root, '.veil', 'redactions.json');
    // Another commit's view, read from a later point of a log this writer (an empty log: auditSeq -1) has not seen.
    const later = '{"format":"veil-redactions","version":1,"auditSeq":7,\n"files":[],\n"undescribed":[]}\n';
    writeFileSync(path, later);
    await writeRedactionSidecar(root, () => undefined, noAuditedFiles());
    assert.equal(readFileSync(path, 'utf8'), later);
    // A file from before the field (or damaged) counts as -1: the writer's own view replaces it.
    writeFileSync(path, '{"format":"veil-redactions","version":1,\n"files":[{"file":"gone.png"}],\n"undescribed":[]}\n');
    await writeRedactionSidecar(root, () => undefined, noAuditedFiles());
    assert.equal(readFileSync(path, 'utf8'), sidecarText(describeRedactions(retentionFacts([]), () => undefined)));
  });

  it('a writer that read part of the log reads the rest: the file is what the whole log says', async () => {
    const root = tempDir('veil-sidecar-tail-');
    mkdirSync(join(root, '.veil'));
    const records = new Map([image('a.png', [box('a', { x: 10, y: 10, w: 20, h: 20 })]), image('b.png', [box('b', { x: 30, y: 30, w: 20, h: 20 })])].map((record) => [record.file, record]));
    const event = (file: string): CommitImageEvent => {
      const { seq: _seq, prev: _prev, at: _at, ...committed } = commitOf(records.get(file)!);
      return committed;
    };
    await appendAudit(root, event('a.png'));
    const readBefore = await auditedFiles(root);
    // Appended after the caller's read (its own commit's entries, another shard's).
    await appendAudit(root, event('b.png'));
    const written = await writeRedactionSidecar(root, (file) => records.get(file), readBefore);
    assert.deepEqual(written.files.map((entry) => entry.file), ['a.png', 'b.png']);
    assert.deepEqual(written, describeRedactions(await auditedFiles(root), (file) => records.get(file)));
    assert.equal(readFileSync(join(root, '.veil', 'redactions.json'), 'utf8'), sidecarText(written));
  });
});

describe('redacted regions as COCO ignore regions', () => {
  it('encodes exactly the pixels an ellipse covers as a column-major RLE, its area their count', () => {
    const [width, height] = [13, 9];
    const region = { x: 3, y: 2, w: 9, h: 7 };
    const { segmentation, area } = regionRle(region, 'ellipse', width, height);
    assert.deepEqual(segmentation.size, [height, width]);
    const decoded: number[] = [];
    segmentation.counts.forEach((count, index) => decoded.push(...Array<number>(count).fill(index % 2)));
    const expected: number[] = [];
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        const [start, end] = y >= region.y && y < region.y + region.h ? maskSpan('ellipse', region, y) : [0, 0];
        expected.push(x >= start && x < end ? 1 : 0);
      }
    }
    assert.deepEqual(decoded, expected);
    assert.equal(area, expected.filter((bit) => bit === 1).length);
    assert.ok(area < region.w * region.h && area > 0.7 * region.w * region.h);
    assert.deepEqual(regionRle({ x: 0, y: 0, w: 2, h: 9 }, 'rect', 2, 9).segmentation.counts, [0, 18], 'a region filling the image: no run of zeros but the first');
  });

  it('adds regions to the label images it matches (string ids kept), and keeps the others as they are, each named', () => {
    const record = image('dir/a.png', [box('b', { x: 10, y: 10, w: 20, h: 20 })]);
    const [listed] = describeRedactions(retentionFacts([commitOf(record)]), () => record).files;
    assert.ok(listed?.kind === 'image');
    const labels = {
      info: { year: 2020 },
      images: [{ id: 'x7', file_name: 'a.png', width: 100, height: 80 }, { id: 3, file_name: 'b.png' }, { id: 4, file_name: 'elsewhere.png' }],
      annotations: [{ id: 9, image_id: 'x7', category_id: 2, bbox: [1, 1, 2, 2] }],
      categories: [{ id: 2, name: 'person' }],
    };
    const merged = mergeRedactions('labels.json', labels, new Map([[listed.file, listed]]), new DatasetNames(['dir/a.png', 'dir/b.png'], ''));
    const data = JSON.parse(merged.text) as Omit<typeof labels, 'annotations'> & { annotations: Array<Record<string, unknown>> };
    assert.deepEqual([data.info, data.images], [labels.info, labels.images]);
    assert.deepEqual(data.annotations.slice(1).map(({ id, image_id, category_id, bbox, iscrowd, ignore }) => ({ id, image_id, category_id, bbox, iscrowd, ignore })), [
      { id: 10, image_id: 'x7', category_id: 3, bbox: [5, 5, 30, 30], iscrowd: 1, ignore: 1 },
    ]);
    assert.deepEqual([merged.images, merged.regions], [1, 1]);
    assert.deepEqual(merged.skipped.map((entry) => entry.file), ['b.png', 'elsewhere.png']);
    assert.match(merged.skipped[0]!.message, /not committed/);

    const standalone = JSON.parse(redactionsCoco([listed], 'now').text) as { images: unknown[]; annotations: Array<{ area: number }> };
    assert.deepEqual(standalone.images, [{ id: 1, file_name: 'dir/a.png', width: 100, height: 80 }]);
    assert.equal(standalone.annotations[0]!.area, 900);
  });
});
