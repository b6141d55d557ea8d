/**
 * The label formats on their own (no daemon): what each writes reads back as the same boxes within the format's
 * precision, and what it cannot hold is named; inputs that are not in the format are refused; which labels are faces;
 * how an imported name finds its file; how imported boxes fold into a review record.
 */
import assert from 'node:assert/strict';
import { ANNOTATION_FORMATS, type AnnotationFormat, type Box, type ImageRecord } from '../../../daemon/protocol';
import { CODECS } from '../../../daemon/annotations/formats';
import type { AnnotationInput } from '../../../daemon/annotations/codec';
import type { ExportImage, ReadEntry } from '../../../daemon/annotations/model';
import { faceLabels } from '../../../daemon/annotations/labels';
import { DatasetNames } from '../../../daemon/annotations/datasetNames';
import { mergeImport } from '../../../daemon/annotations/importMerge';
import { parseXml } from '../../../daemon/annotations/xml';
import { VeilError } from '../../../daemon/errors';

const IMAGES: ExportImage[] = [
  {
    file: 'street/a.jpg',
    width: 4000,
    height: 3000,
    boxes: [
      { x: 1234.56789, y: 100.123456, w: 80.987654, h: 95.5, score: 0.912345678, source: 'model', state: 'accepted', edited: true, reviewer: 'Ana & "Bo" <x>' },
      { x: 0, y: 0, w: 12.25, h: 14, score: null, source: 'manual', state: 'accepted', edited: false, reviewer: 'Ana & "Bo" <x>' },
      { x: 3900.5, y: 2900.25, w: 99.5, h: 99.75, score: 0.41, source: 'model', state: 'possible', edited: false, reviewer: null },
      { x: 10, y: 20, w: 30, h: 40, score: 0.77, source: 'model', state: 'proposed', edited: false, reviewer: null },
    ],
  },
  { file: 'empty.png', width: 640, height: 480, boxes: [] },
];

/** What a written output reads as: the text of a file format, or a folder format's files. */
function asInput(format: AnnotationFormat, written: string | Map<string, string>): AnnotationInput {
  if (typeof written === 'string') return { kind: 'file', name: `faces.${format}.json`, text: written };
  return { kind: 'folder', files: [...written].map(([path, text]) => ({ path, text })) };
}

/** The largest error the format's text allows, in pixels, for an image whose longer side is `side`. */
const PRECISION: Record<AnnotationFormat, (side: number) => number> = {
  coco: () => 0,
  labelstudio: (side) => side * 1e-12,
  yolo: (side) => side * 1e-6,
  voc: () => 0.01,
};

describe('label formats (COCO, YOLO, Pascal VOC, Label Studio)', () => {
  for (const format of ANNOTATION_FORMATS) {
    it(`${format}: what is written reads back as the same boxes within the format's precision; what it cannot hold is named`, () => {
      const codec = CODECS[format];
      const read = codec.read(asInput(format, codec.write(IMAGES, '2026-11-30T00:00:00.000Z')));
      assert.deepEqual(read.labels, ['face']);
      for (const image of IMAGES) {
        const entry = read.entries.find((candidate) => candidate.name === image.file || (candidate.naming === 'stem' && image.file.startsWith(`${candidate.name}.`)));
        assert.ok(entry, `${format}: ${image.file} is missing`);
        assert.deepEqual(entry.problems, []);
        if (entry.size) assert.deepEqual(entry.size, { width: image.width, height: image.height });
        assert.equal(entry.boxes.length, image.boxes.length);
        const scale = entry.units === 'fraction' ? image : { width: 1, height: 1 };
        const tolerance = PRECISION[format](Math.max(image.width, image.height));
        image.boxes.forEach((box, index) => {
          const got = entry.boxes[index];
          for (const [key, size] of [['x', scale.width], ['y', scale.height], ['w', scale.width], ['h', scale.height]] as const) {
            assert.ok(Math.abs(got[key] * size - box[key]) <= tolerance + 1e-9, `${format} ${key}: ${got[key] * size} vs ${box[key]} (tolerance ${tolerance})`);
          }
          if (format === 'yolo') {
            // YOLO holds a class and a box: Veil's attributes are lost, and the format says so.
            assert.deepEqual([got.source, got.state, got.score, got.edited], [undefined, undefined, undefined, undefined]);
            assert.match(codec.lost.join(' '), /source, state, score, reviewer and the edited flag/);
          } else {
            assert.deepEqual({ source: got.source, state: got.state, score: got.score, edited: got.edited }, { source: box.source, state: box.state, score: box.score, edited: box.edited });
          }
        });
      }
    });
  }

  it('Label Studio: decided boxes are annotations, undecided ones predictions (a trusted import keeps those proposed)', () => {
    const tasks = JSON.parse(CODECS.labelstudio.write(IMAGES, '') as string) as Array<{ annotations: Array<{ result: unknown[] }>; predictions: Array<{ result: unknown[] }> }>;
    assert.equal(tasks[0].annotations[0].result.length, 2);
    assert.equal(tasks[0].predictions[0].result.length, 2);
    const read = CODECS.labelstudio.read({ kind: 'file', name: 'ls.json', text: JSON.stringify([{ data: { image: '/data/local-files/?d=street%2Fa.jpg' }, predictions: [{ result: [{ type: 'rectanglelabels', value: { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ['Face'] } }] }] }]) });
    assert.equal(read.entries[0].name, 'street/a.jpg');
    assert.equal(read.entries[0].boxes[0].decided, false);
    // Decoded once (`%25` is a percent sign), and a malformed escape is a name, not a crash.
    const named = (image: string) => CODECS.labelstudio.read({ kind: 'file', name: 'ls.json', text: JSON.stringify([{ data: { image }, predictions: [] }]) }).entries[0].name;
    assert.equal(named('/data/local-files/?d=street%2F100%25.jpg'), 'street/100%.jpg');
    assert.equal(named('/data/local-files/?d=bad%zz.jpg'), 'bad%zz.jpg');
  });

  it('refuses an input that is not in the format at all, naming it', () => {
    const refused = (format: AnnotationFormat, input: AnnotationInput) => assert.throws(() => CODECS[format].read(input), (error: unknown) => VeilError.is(error));
    refused('coco', { kind: 'file', name: 'x.json', text: '{"images": [' });
    refused('coco', { kind: 'file', name: 'x.json', text: '{"images": []}' });
    refused('labelstudio', { kind: 'file', name: 'x.json', text: 'not json' });
    refused('yolo', { kind: 'file', name: 'x.txt', text: '0 0.5 0.5 0.1 0.1' });
    refused('voc', { kind: 'folder', files: [] });
  });

  it('reports a malformed entry as a problem of that image: a bbox without four numbers, an unknown image id, a YOLO line, XML that is not well formed', () => {
    const coco = CODECS.coco.read({
      kind: 'file',
      name: 'x.json',
      text: JSON.stringify({ images: [{ id: 1, file_name: 'a.jpg', width: 10, height: 10 }], annotations: [{ image_id: 1, category_id: 1, bbox: [1, 2, 3] }, { image_id: 9, category_id: 1, bbox: [1, 2, 3, 4] }], categories: [{ id: 1, name: 'face' }] }),
    });
    assert.match(coco.entries[0].problems.join(), /no bbox of four numbers/);
    assert.match(coco.entries[1].problems.join(), /image id 9/);
    const yolo = CODECS.yolo.read({ kind: 'folder', files: [{ path: 'classes.txt', text: 'face\n' }, { path: 'a.txt', text: '0 0.5 0.5\n1 0.5 0.5 0.1 0.1\n' }] });
    assert.match(yolo.entries[0].problems.join(' | '), /line 1 of a.txt is not "class cx cy w h \[score\]" \| line 2 of a.txt names class 1/);
    const voc = CODECS.voc.read({ kind: 'folder', files: [{ path: 'a.xml', text: '<annotation><object></annotation>' }] });
    assert.match(voc.entries[0].problems.join(), /not well-formed XML/);
    assert.equal(parseXml('<?xml version="1.0"?><!-- c --><a x="1"><b>1 &amp; 2</b><c/></a>').children[0].text, '1 & 2');
  });

  it('takes the labels asked for, else the only label, else "face"; refuses to guess among others', () => {
    assert.deepEqual([...faceLabels(['person'], undefined, 'f')], ['person']);
    assert.deepEqual([...faceLabels(['person', 'Face', 'car'], undefined, 'f')], ['Face']);
    assert.deepEqual([...faceLabels(['person', 'head'], ['head'], 'f')], ['head']);
    assert.throws(() => faceLabels(['person', 'head'], undefined, 'f'), /none is "face": name the face classes with --labels/);
    assert.throws(() => faceLabels(['person'], ['face'], 'f'), /has no label "face"/);
  });

  it('finds the file an entry names: by path from the root, from the folder asked for, by a name only one file has; never a name two files share', () => {
    const names = new DatasetNames(['street/a.jpg', 'street/b.png', 'park/b.png', 'park/c.tif'], 'street');
    const path = (name: string): Pick<ReadEntry, 'name' | 'naming'> => ({ name, naming: 'path' });
    assert.deepEqual(names.match(path('street/a.jpg')), { file: 'street/a.jpg' });
    assert.deepEqual(names.match(path('b.png')), { file: 'street/b.png' });
    assert.deepEqual(names.match(path('/mnt/photos/a.jpg')), { file: 'street/a.jpg' });
    assert.deepEqual(names.match(path('http://host/data/c.tif?x=1')), { file: 'park/c.tif' });
    assert.deepEqual(names.match({ name: 'park/c', naming: 'stem' }), { file: 'park/c.tif' });
    assert.match((names.match(path('elsewhere/b.png')) as { problem: string }).problem, /matches 2 files/);
    assert.match((names.match(path('d.jpg')) as { problem: string }).problem, /is no file of the dataset/);
  });

  it('an import keeps every box a person handled, replaces untouched proposals on the same face, adds the rest; the same file again changes nothing', () => {
    const box = (id: string, x: number, extra: Partial<Box> = {}): Box => ({ id, x, y: 0, w: 20, h: 20, score: 0.9, source: 'model', state: 'proposed', edited: false, ...extra });
    const record: ImageRecord = { file: 'a.jpg', width: 200, height: 50, status: 'reviewed', boxes: [box('m-1', 0, { state: 'accepted' }), box('m-2', 100, { state: 'rejected' }), box('m-3', 150)] };
    const imported = [box('i-1', 2, { source: 'manual', score: null }), box('i-2', 148, { source: 'manual', score: null }), box('i-3', 60, { source: 'manual', score: null })];
    const first = mergeImport(record, record, imported);
    assert.deepEqual(first.record.boxes.map((b) => b.id), ['m-1', 'm-2', 'i-2', 'i-3']);
    assert.deepEqual([first.added, first.sameFace, first.changed, first.record.status], [2, 1, true, 'unreviewed']);
    const again = mergeImport(first.record, record, imported.map((b) => ({ ...b, id: `${b.id}-again` })));
    assert.deepEqual([again.added, again.sameFace, again.changed], [0, 3, false]);
    const fresh = mergeImport(undefined, record, []);
    assert.equal(fresh.changed, false, 'an image the file lists without boxes gets no record');
  });
});
