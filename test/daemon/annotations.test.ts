/**
 * Annotations in and out through the real daemon and CLI (README "Annotations in and out"): every format round-trips
 * the review's boxes (export, then import into a copy of the images) within its precision; an import is checked whole
 * and applied all or nothing, each problem named with its file; a trusted import is audited before the state changes and
 * its images then commit like any reviewed image.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import sharp from 'sharp';
import { ANNOTATION_FORMATS, ErrorCode, type AnnotationFormat, type Box, type ImageRecord } from '../../daemon/protocol';
import { startDaemon, rpcError, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, NO_FACE, place, tempDir } from '../support/images';
import { readReviewImages } from '../support/reviewFiles';
import { auditLines } from '../support/reviewAudit';
import { runCli } from '../support/cli';

const REASON = 'labels from our own reviewed Veil dataset';

/** The largest error each format's text allows on these 512-px images, in pixels. */
const TOLERANCE: Record<AnnotationFormat, number> = { coco: 1e-9, labelstudio: 1e-9, yolo: 512 * 1e-6, voc: 0.01 };

/** A dataset whose review has every kind of box: accepted, rejected, edited, drawn, proposed, possible; and an EXIF-rotated image. */
async function reviewedDataset(client: TestDaemon['client']): Promise<string> {
  const root = tempDir('veil-annotations-');
  place(ASTRONAUT, root, 'a.png');
  place(ASTRONAUT, root, 'people/b.png');
  place(NO_FACE, root, 'coffee.png');
  await sharp(ASTRONAUT).resize(400, 200, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 }).toFile(join(root, 'rotated.jpg'));
  await client.request('dataset/detect', { root });
  const record = await client.request('review/get', { root, file: 'a.png' });
  const [first, second, ...rest] = record.boxes.filter((box) => box.state === 'proposed').concat(record.boxes.filter((box) => box.state !== 'proposed'));
  const drawn: Box = { id: 'u-drawn', x: 10.5, y: 20.25, w: 40, h: 44.75, score: null, source: 'manual', state: 'accepted', edited: false };
  const boxes = [{ ...first, state: 'accepted' as const, x: first.x + 3.125, edited: true }, { ...second, state: 'rejected' as const }, ...rest, drawn].filter((box) => box.id !== undefined);
  await client.request('review/update', { root, file: 'a.png', boxes, baseRevision: record.revision });
  return root;
}

/** A copy of the dataset's images, without its `.veil/`. */
function imagesOnly(root: string): string {
  const copy = tempDir('veil-images-copy-');
  cpSync(root, copy, { recursive: true, filter: (source) => !relative(root, source).startsWith('.veil') && !relative(root, source).startsWith('annotations') });
  return copy;
}

function sorted(boxes: readonly Box[]): Box[] {
  return [...boxes].sort((a, b) => a.x - b.x || a.y - b.y);
}

describe('annotations in and out (COCO, YOLO, Pascal VOC, Label Studio)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  let root: string;

  before(async () => {
    daemon = await startDaemon();
    root = await reviewedDataset(daemon.client);
  });
  after(async () => daemon.client.close());

  for (const format of ANNOTATION_FORMATS) {
    it(`${format}: export, then a trusted import into a copy of the images, gives the same boxes within the format's precision`, async () => {
      const states = ['accepted', 'proposed', 'rejected', 'possible'] as const;
      const exported = await daemon.client.request('annotations/export', { root, format, states: [...states], out: join(tempDir('veil-export-'), `faces-${format}`) });
      assert.equal(exported.images, 4);
      const copy = imagesOnly(root);
      const imported = await daemon.client.request('annotations/import', { root: copy, format, file: exported.out, trust: true, reason: REASON });
      assert.deepEqual(imported.problems, []);
      assert.equal(imported.boxes, exported.boxes);
      const before = readReviewImages(root);
      const after = readReviewImages(copy);
      for (const file of Object.keys(before)) {
        const [want, got] = [sorted(before[file].boxes), sorted(after[file]?.boxes ?? [])];
        // An image the file lists without a face gets no record (nothing to say of it yet).
        if (want.length === 0) {
          assert.ok(!(file in after), `${format} ${file}`);
          continue;
        }
        assert.equal(got.length, want.length, `${format} ${file}`);
        assert.deepEqual([after[file].width, after[file].height], [before[file].width, before[file].height], 'displayed size');
        want.forEach((box, index) => {
          for (const key of ['x', 'y', 'w', 'h'] as const) assert.ok(Math.abs(got[index][key] - box[key]) <= TOLERANCE[format], `${format} ${file} ${key}: ${got[index][key]} vs ${box[key]}`);
          const attributes = (b: Box) => ({ source: b.source, state: b.state, score: b.score, edited: b.edited });
          if (format === 'yolo') {
            // What YOLO cannot hold: source, state, score, the edited flag (and the reviewer). Trusted, its boxes are accepted hand labels.
            assert.deepEqual(attributes(got[index]), { source: 'manual', state: 'accepted', score: null, edited: false });
          } else assert.deepEqual(attributes(got[index]), attributes(box));
        });
      }
      // The reviewer is exported (not by YOLO) but a review in Veil is a person's act: an import never sets it.
      assert.equal(after['a.png'].reviewer, undefined);
    });
  }

  it('an export holds accepted and proposed boxes unless told otherwise, skips images never detected, and refuses .veil/ as its place', async () => {
    place(ASTRONAUT, root, 'late.png');
    const out = join(tempDir('veil-export-'), 'faces.json');
    const exported = await daemon.client.request('annotations/export', { root, format: 'coco', out });
    const coco = JSON.parse(readFileSync(out, 'utf8')) as { annotations: Array<{ attributes: { state: string } }> };
    assert.deepEqual([...new Set(coco.annotations.map((annotation) => annotation.attributes.state))].sort(), ['accepted', 'proposed']);
    assert.deepEqual(exported.skipped, [{ file: 'late.png', message: 'never detected nor imported: its faces are unknown (run veil detect first)' }]);
    const refused = await rpcError(daemon.client.request('annotations/export', { root, format: 'coco', out: join(root, '.veil', 'faces.json') }));
    assert.equal(refused.code, ErrorCode.BadPath);
    const overImage = await rpcError(daemon.client.request('annotations/export', { root, format: 'coco', out: join(root, 'a.png') }));
    assert.match(overImage.message, /is an image or video of the dataset/);
    const byDefault = await daemon.client.request('annotations/export', { root, format: 'yolo' });
    assert.equal(byDefault.out, join(root, 'annotations', 'yolo'));
    assert.equal(readFileSync(join(byDefault.out, 'classes.txt'), 'utf8'), 'face\n');
  });

  it("exporting again into the same folder swaps it whole: an unchanged label file is kept (linked, not rewritten), a changed one written anew, a removed image's gone, a link planted in it not followed; with nothing changed only the marker is written", async () => {
    const dataset = tempDir('veil-reexport-');
    place(ASTRONAUT, dataset, 'a.png');
    place(ASTRONAUT, dataset, 'people/b.png');
    place(NO_FACE, dataset, 'coffee.png');
    place(NO_FACE, dataset, 'gone.png');
    await daemon.client.request('dataset/detect', { root: dataset });
    const out = join(tempDir('veil-export-'), 'yolo');
    await daemon.client.request('annotations/export', { root: dataset, format: 'yolo', out });
    const label = (file: string) => join(out, file);
    const first = { a: readFileSync(label('a.txt'), 'utf8'), aInode: statSync(label('a.txt')).ino, coffeeInode: statSync(label('coffee.txt')).ino, b: readFileSync(label('people/b.txt'), 'utf8') };
    assert.equal(existsSync(label('gone.txt')), true);

    const record = await daemon.client.request('review/get', { root: dataset, file: 'a.png' });
    const moved = record.boxes.findIndex((box) => box.state === 'proposed');
    const boxes = record.boxes.map((box, index) => (index === moved ? { ...box, x: box.x + 8, edited: true } : box));
    await daemon.client.request('review/update', { root: dataset, file: 'a.png', boxes, baseRevision: record.revision });
    rmSync(join(dataset, 'gone.png'));
    const outside = join(tempDir('veil-outside-'), 'b.txt');
    writeFileSync(outside, first.b);
    rmSync(label('people/b.txt'));
    symlinkSync(outside, label('people/b.txt'));

    const again = await daemon.client.request('annotations/export', { root: dataset, format: 'yolo', out });
    assert.equal(again.images, 3);
    assert.equal(statSync(label('coffee.txt')).ino, first.coffeeInode, 'an unchanged file is the previous one, linked');
    assert.equal(statSync(label('coffee.txt')).nlink, 1, 'the previous export is removed');
    assert.notEqual(readFileSync(label('a.txt'), 'utf8'), first.a);
    assert.notEqual(statSync(label('a.txt')).ino, first.aInode, 'a changed file is written anew, the previous one left as it was');
    assert.equal(existsSync(label('gone.txt')), false);
    assert.ok(lstatSync(label('people/b.txt')).isFile(), 'a link in the previous export is not carried over');
    assert.equal(readFileSync(label('people/b.txt'), 'utf8'), first.b);
    assert.deepEqual(readdirSync(dirname(out)), ['yolo'], 'nothing left beside the export');

    const files = ['classes.txt', 'a.txt', 'people/b.txt', 'coffee.txt'];
    const inodes = files.map((file) => statSync(label(file)).ino);
    const folderInode = statSync(out).ino;
    const marker = () => JSON.parse(readFileSync(label('.veil-export.json'), 'utf8')) as { exportedAt: string };
    const markedBefore = marker().exportedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const unchanged = await daemon.client.request('annotations/export', { root: dataset, format: 'yolo', out });
    assert.equal(unchanged.images, 3);
    assert.deepEqual(files.map((file) => statSync(label(file)).ino), inodes, 'nothing changed: no label file written');
    assert.equal(statSync(out).ino, folderInode, 'nothing changed: no folder swapped in');
    assert.notEqual(marker().exportedAt, markedBefore, 'the marker says when it was exported');
    assert.deepEqual(readdirSync(out).sort(), ['.veil-export.json', 'a.txt', 'classes.txt', 'coffee.txt', 'people']);
  });

  it('an import with any problem writes nothing and names each file: unknown, another size, EXIF-stored size, a box outside, a committed image', async () => {
    const dataset = await reviewedDataset(daemon.client);
    await daemon.client.request('keys/create', { out: join(tempDir('veil-key-'), 'id.txt'), addTo: dataset });
    const b = await daemon.client.request('review/get', { root: dataset, file: 'people/b.png' });
    await daemon.client.request('review/update', { root: dataset, file: 'people/b.png', boxes: b.boxes.map((box) => ({ ...box, state: box.state === 'possible' ? box.state : 'accepted' })), status: 'reviewed' });
    await daemon.client.request('dataset/commit', { root: dataset });
    const coco = {
      images: [
        { id: 1, file_name: 'a.png', width: 500, height: 512 },
        { id: 2, file_name: 'missing.png', width: 512, height: 512 },
        { id: 3, file_name: 'rotated.jpg', width: 400, height: 200 },
        { id: 4, file_name: 'coffee.png' },
        { id: 5, file_name: 'people/b.png', width: 512, height: 512 },
      ],
      annotations: [
        { id: 1, image_id: 4, category_id: 1, bbox: [580, 10, 40, 40] },
        { id: 2, image_id: 5, category_id: 1, bbox: [10, 10, 40, 40] },
      ],
      categories: [{ id: 1, name: 'face' }],
    };
    const file = join(tempDir('veil-import-'), 'labels.json');
    writeFileSync(file, JSON.stringify(coco));
    const review = readFileSync(join(dataset, '.veil', 'review.jsonl'));
    const audit = readFileSync(join(dataset, '.veil', 'audit.jsonl'));
    const result = await daemon.client.request('annotations/import', { root: dataset, format: 'coco', file });
    assert.equal(result.imported, false);
    const problems = Object.fromEntries(result.problems.map((problem) => [problem.file, problem.message]));
    assert.deepEqual(Object.keys(problems).sort(), ['a.png', 'coffee.png', 'missing.png', 'rotated.jpg'], JSON.stringify(result.problems));
    assert.match(problems['a.png'], /is 500x512 in the file but 512x512 as displayed/);
    assert.match(problems['missing.png'], /is no file of the dataset/);
    assert.match(problems['rotated.jpg'], /400x200 in the file but 200x400 as displayed \(EXIF orientation/);
    const [coffeeWidth] = [(await sharp(NO_FACE).metadata()).width];
    assert.match(problems['coffee.png'], new RegExp(`lies outside the ${coffeeWidth}x\\d+ image`));
    assert.equal(problems['people/b.png'], undefined, 'a committed image is refused under the lock, once the file itself fits');
    assert.deepEqual(readFileSync(join(dataset, '.veil', 'review.jsonl')), review, 'nothing written to the review state');
    assert.deepEqual(readFileSync(join(dataset, '.veil', 'audit.jsonl')), audit, 'nothing written to the audit log');

    const onlyCommitted = { images: [coco.images[4]], annotations: [coco.annotations[1]], categories: coco.categories };
    writeFileSync(file, JSON.stringify(onlyCommitted));
    const committed = await daemon.client.request('annotations/import', { root: dataset, format: 'coco', file });
    assert.deepEqual(committed.problems.map((problem) => [problem.file, problem.code]), [['people/b.png', ErrorCode.Conflict]]);
    assert.deepEqual(readFileSync(join(dataset, '.veil', 'audit.jsonl')), audit);

    writeFileSync(file, '{"images": [');
    const malformed = await rpcError(daemon.client.request('annotations/import', { root: dataset, format: 'coco', file }));
    assert.equal(malformed.code, ErrorCode.InvalidParams);
    assert.match(malformed.message, /not a COCO file: not valid JSON/);
  });

  it('a trusted import is audited before the state (its file hash, counts, reason, then a review-change per image), keeps what a person decided, and commits', async () => {
    const dataset = await reviewedDataset(daemon.client);
    const before = readReviewImages(dataset)['a.png'];
    const accepted = before.boxes.find((box) => box.state === 'accepted' && box.source === 'model')!;
    const labels = {
      images: [{ id: 1, file_name: 'a.png', width: 512, height: 512 }, { id: 2, file_name: 'coffee.png' }],
      // One box on the face a person accepted (left out: the person's decision stands), one on no box yet, one of a person.
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [accepted.x + 1, accepted.y + 1, accepted.w, accepted.h] },
        { id: 2, image_id: 1, category_id: 1, bbox: [400, 400, 30, 30] },
        { id: 3, image_id: 1, category_id: 2, bbox: [300, 10, 100, 200] },
      ],
      categories: [{ id: 1, name: 'face' }, { id: 2, name: 'person' }],
    };
    const file = join(tempDir('veil-import-'), 'labels.json');
    writeFileSync(file, JSON.stringify(labels));
    const result = await daemon.client.request('annotations/import', { root: dataset, format: 'coco', file, trust: true, reason: REASON });
    assert.deepEqual([result.imported, result.images, result.boxes, result.sameFace, result.otherLabels], [true, 1, 1, 1, 1]);
    const after = readReviewImages(dataset)['a.png'];
    assert.ok(after.boxes.some((box) => box.id === accepted.id && box.x === accepted.x), 'the accepted box is kept as it was');
    const added = after.boxes.find((box) => box.x === 400)!;
    assert.deepEqual({ source: added.source, state: added.state, score: added.score }, { source: 'manual', state: 'accepted', score: null });

    const lines = auditLines(dataset);
    const at = lines.findIndex((line) => line.type === 'annotations-import');
    assert.deepEqual(
      { ...lines[at], seq: undefined, prev: undefined, at: undefined, actor: undefined },
      { type: 'annotations-import', format: 'coco', source: file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), images: 1, boxes: 1, trust: true, reason: REASON, seq: undefined, prev: undefined, at: undefined, actor: undefined },
    );
    const change = lines[at + 1] as unknown as { type: string; file: string; revision: number };
    assert.deepEqual([change.type, change.file, change.revision], ['review-change', 'a.png', after.revision]);

    // A person then marks the image reviewed; its commit passes the decision check, and verify finds nothing.
    await daemon.client.request('keys/create', { out: join(tempDir('veil-key-'), 'id.txt'), addTo: dataset });
    const decided = after.boxes.map((box) => (box.state === 'proposed' ? { ...box, state: 'rejected' as const } : box));
    await daemon.client.request('review/update', { root: dataset, file: 'a.png', boxes: decided, status: 'reviewed' });
    const commit = await daemon.client.request('dataset/commit', { root: dataset });
    assert.deepEqual(commit.committed, ['a.png']);
    const verify = await daemon.client.request('dataset/verify', { root: dataset });
    assert.deepEqual(verify.findings, []);
  });

  it('an import as proposals sends a reviewed image back to review; the CLI exits 1 on problems, 2 for --trust without --reason', async () => {
    const dataset = await reviewedDataset(daemon.client);
    const record: ImageRecord = await daemon.client.request('review/get', { root: dataset, file: 'people/b.png' });
    await daemon.client.request('review/update', { root: dataset, file: 'people/b.png', boxes: record.boxes.map((box) => ({ ...box, state: box.state === 'possible' ? box.state : 'accepted' })), status: 'reviewed' });
    const labels = join(tempDir('veil-import-'), 'yolo');
    mkdirSync(join(labels, 'people'), { recursive: true });
    writeFileSync(join(labels, 'classes.txt'), 'face\n');
    writeFileSync(join(labels, 'people', 'b.txt'), '0 0.9 0.9 0.05 0.05\n');
    const run = await runCli(['import', dataset, '--format', 'yolo', labels]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 box\(es\) imported on 1 image\(s\)/);
    const after = readReviewImages(dataset)['people/b.png'];
    assert.equal(after.status, 'unreviewed');
    assert.equal(after.boxes.filter((box) => box.state === 'proposed').length, 1);

    writeFileSync(join(labels, 'nobody.txt'), '0 0.5 0.5 0.1 0.1\n');
    const refused = await runCli(['import', dataset, '--format', 'yolo', labels]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /nothing imported: 1 file\(s\) do not fit the dataset:\n {2}nobody: is no file of the dataset/);
    const usage = await runCli(['import', dataset, '--format', 'yolo', labels, '--trust']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--trust needs --reason/);
  });
});
