import assert from 'node:assert/strict';
import { filesInCommit } from '../../../daemon/commit/journal';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord } from '../../../daemon/protocol';
import { ReviewStore } from '../../../daemon/review/store';
import { VeilError } from '../../../daemon/errors';
import { tempDir } from '../../support/images';
import { putRecord, readReviewImages } from '../../support/reviewFiles';

function record(file: string, x = 1): ImageRecord {
  return { file, width: 100, height: 100, status: 'unreviewed', boxes: [{ id: 'b', x, y: 1, w: 10, h: 10, score: 0.9, source: 'model', state: 'proposed', edited: false }] };
}


describe('review store (snapshot + log)', () => {
  it('gives every write the next revision and keeps two writers on one dataset in one sequence', async () => {
    const root = tempDir();
    const a = await ReviewStore.open(root, filesInCommit);
    const b = await ReviewStore.open(root, filesInCommit);
    const first = await putRecord(a, record('x.jpg'));
    const second = await putRecord(b, record('y.jpg'));
    const third = await putRecord(a, record('x.jpg', 5));
    assert.deepEqual([first, second, third].map((w) => w.written[0].revision), [1, 2, 3]);
    // `a` saw b's write before writing its own: nothing b wrote is lost from a's view or from disk.
    assert.equal(a.get('y.jpg')?.revision, 2);
    assert.deepEqual(Object.keys(readReviewImages(root)).sort(), ['x.jpg', 'y.jpg']);
  });

  it('tells a reader what other writers changed, and only that', async () => {
    const root = tempDir();
    const a = await ReviewStore.open(root, filesInCommit);
    const b = await ReviewStore.open(root, filesInCommit);
    await putRecord(a, record('x.jpg'));
    await b.refresh();
    const heard: string[] = [];
    b.onChange((records) => heard.push(...records.map((r) => `${r.file}@${r.revision}`)));
    await putRecord(a, record('y.jpg'));
    assert.deepEqual(await b.refresh().then((r) => r.map((x) => x.file)), ['y.jpg']);
    assert.deepEqual(heard, ['y.jpg@2']);
    assert.deepEqual(await b.refresh(), []);
  });

  it('folds a large log into the snapshot, and a reader holding the old log catches up across it', async () => {
    const root = tempDir();
    const a = await ReviewStore.open(root, filesInCommit);
    const b = await ReviewStore.open(root, filesInCommit);
    const big = (file: string, x: number): ImageRecord => ({ ...record(file, x), boxes: Array.from({ length: 200 }, (_, i) => ({ ...record(file, x).boxes[0], id: `b${i}` })) });
    let writes = 0;
    while (statSync(join(root, '.veil', 'review.json'), { throwIfNoEntry: false }) === undefined) {
      await putRecord(a, big(`f${writes % 7}.jpg`, writes % 50));
      writes++;
      assert.ok(writes < 5000, 'the log was never compacted');
    }
    const snapshot = JSON.parse(readFileSync(join(root, '.veil', 'review.json'), 'utf8')) as { seq: number };
    assert.equal(snapshot.seq, writes);
    await putRecord(a, record('after.jpg'));
    const changed = await b.refresh();
    assert.ok(changed.some((r) => r.file === 'after.jpg'));
    assert.deepEqual(b.records(), a.records());
    assert.deepEqual((await ReviewStore.open(root, filesInCommit)).records(), a.records());
  });

  it('cuts a line torn by a killed writer before the next write, and reads nothing from it', async () => {
    const root = tempDir();
    const a = await ReviewStore.open(root, filesInCommit);
    await putRecord(a, record('x.jpg'));
    appendFileSync(join(root, '.veil', 'review.jsonl'), '{"seq":2,"records":[{"file":"torn');
    const reader = await ReviewStore.open(root, filesInCommit);
    assert.equal(reader.records().length, 1);
    await putRecord(a, record('y.jpg'));
    const lines = readFileSync(join(root, '.veil', 'review.jsonl'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { seq: number }).seq), [1, 2]);
  });

  it('reads the single-writer review.json of earlier versions (version 1) as revision 0', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.veil'));
    writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 1, images: { 'x.jpg': record('x.jpg') } }));
    const store = await ReviewStore.open(root, filesInCommit);
    assert.deepEqual(store.get('x.jpg')?.boxes, record('x.jpg').boxes);
    const { written } = await putRecord(store, record('x.jpg', 3));
    assert.equal(written[0].revision, 1);
  });

  it('refuses a hand-edited review state with an error naming the file and the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{ not json', /not valid JSON/],
      [JSON.stringify({ version: 2, seq: 0, images: { 'x.jpg': { ...record('x.jpg'), status: 'done' } } }), /images\["x\.jpg"\]\.status: expected one of/],
      [JSON.stringify({ version: 2, seq: 0, images: { 'x.jpg': { ...record('x.jpg'), boxes: [{ id: 'b', x: 'left' }] } } }), /images\["x\.jpg"\]\.boxes\[0\]/],
      [JSON.stringify({ version: 2, seq: -1, images: {} }), /"seq"/],
    ];
    for (const [text, message] of cases) {
      const root = tempDir();
      mkdirSync(join(root, '.veil'));
      writeFileSync(join(root, '.veil', 'review.json'), text);
      await assert.rejects(ReviewStore.open(root, filesInCommit), (e: unknown) => VeilError.is(e) && e.file === '.veil/review.json' && message.test(e.message));
    }
    const root = tempDir();
    mkdirSync(join(root, '.veil'));
    writeFileSync(join(root, '.veil', 'review.jsonl'), JSON.stringify({ seq: 1, records: [{ ...record('x.jpg'), width: -3 }] }) + '\n');
    await assert.rejects(ReviewStore.open(root, filesInCommit), (e: unknown) => VeilError.is(e) && e.file === '.veil/review.jsonl' && /records\[0\]\.width/.test(e.message));
  });
});
