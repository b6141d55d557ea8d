import assert from 'node:assert/strict';
import type { Box, ImageRecord } from '../../../daemon/protocol';
import { reviewRow } from '../../../daemon/review/rows';
import { withState } from '../../../webview/boxEdits';
import { ReviewStore } from '../../../webview/store';
import type { DatasetLoadParams } from '../../../webview/protocol';

const face: Box = { id: 'f', x: 10, y: 10, w: 20, h: 20, score: 0.8, source: 'model', state: 'proposed', edited: false };
const SETTINGS = { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' } as const;

function datasetOf(files: string[], records: ImageRecord[]): DatasetLoadParams {
  return { root: '/d', entries: files.map((file) => ({ file, imageUri: `u/${file}`, version: '1', width: 100, height: 100 })), rows: records.map(reviewRow), settings: SETTINGS };
}

/** A store on b.jpg (no record) and a.jpg (one face), with a.jpg's record come as `record/loaded` brings it. */
function loadedStore(sent: ImageRecord[]): ReviewStore {
  const store = new ReviewStore((record) => sent.push(record));
  const record: ImageRecord = { file: 'a.jpg', width: 100, height: 100, boxes: [face], status: 'unreviewed', revision: 2 };
  store.load(datasetOf(['b.jpg', 'a.jpg'], [record]), null);
  store.loadRecord(record);
  return store;
}

describe('review store', () => {
  it('lists and counts from the rows; the image shown has no boxes and takes no edit until its record comes, asked for once with its neighbours', () => {
    const sent: ImageRecord[] = [];
    const store = new ReviewStore((record) => sent.push(record));
    const records: ImageRecord[] = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'].map((file, index) => ({ file, width: 100, height: 100, boxes: [{ ...face, id: `f${index}` }], status: index === 3 ? 'reviewed' : 'unreviewed', revision: index + 1 }));
    store.load(datasetOf(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'], records), null);
    assert.deepEqual(store.progress(), { images: 5, reviewed: 1, accepted: 0, proposed: 4 });
    assert.equal(store.ui.file, 'a.jpg');
    assert.deepEqual([store.hasRecord('a.jpg'), store.currentBoxes(), store.record('d.jpg').status, store.record('d.jpg').revision], [false, [], 'reviewed', 4]);
    assert.equal(store.hasRecord('e.jpg'), true, 'an image without a record has nothing to wait for');
    assert.deepEqual(store.recordsToRequest(), ['a.jpg', 'b.jpg']);
    assert.deepEqual(store.recordsToRequest(), [], 'asked once');
    store.edit({ status: 'reviewed' });
    assert.equal(sent.length, 0, "no edit on boxes the panel does not hold");
    store.loadRecord(records[0]!);
    assert.deepEqual(store.currentBoxes().map((box) => box.id), ['f0']);
    store.edit({ status: 'reviewed' });
    assert.deepEqual(sent.map((record) => [record.file, record.status, record.boxes.length]), [['a.jpg', 'reviewed', 1]]);
    store.open('c.jpg');
    assert.deepEqual(store.recordsToRequest(), ['c.jpg', 'd.jpg']);
  });

  it('a record heard of meanwhile wins over the one asked for, and a reload keeps the records its rows still describe', () => {
    const store = new ReviewStore(() => undefined);
    const asked: ImageRecord = { file: 'a.jpg', width: 100, height: 100, boxes: [face], status: 'unreviewed', revision: 3 };
    const newer: ImageRecord = { ...asked, boxes: [], revision: 5 };
    store.load(datasetOf(['a.jpg'], [asked]), null);
    store.replaceRecord(newer, true);
    store.loadRecord(asked);
    assert.deepEqual([store.record('a.jpg').revision, store.currentBoxes()], [5, []]);
    store.load(datasetOf(['a.jpg'], [newer]), null);
    assert.deepEqual([store.hasRecord('a.jpg'), store.recordsToRequest()], [true, []]);
    store.load(datasetOf(['a.jpg'], [{ ...newer, revision: 6 }]), null);
    assert.deepEqual([store.hasRecord('a.jpg'), store.recordsToRequest()], [false, ['a.jpg']]);
  });

  it('opens the first image by name and treats images without a record as unreviewed with no boxes', () => {
    const store = loadedStore([]);
    assert.equal(store.ui.file, 'a.jpg');
    assert.deepEqual(store.record('b.jpg').boxes, []);
    assert.equal(store.record('b.jpg').status, 'unreviewed');
  });

  it('hands every edit, undo and redo to the extension with the complete record', () => {
    const sent: ImageRecord[] = [];
    const store = loadedStore(sent);
    store.edit({ boxes: withState(store.currentBoxes(), new Set(['f']), 'accepted') });
    store.edit({ status: 'reviewed' });
    assert.equal(store.undo(), true);
    assert.equal(store.undo(), true);
    assert.equal(store.undo(), false);
    assert.equal(store.redo(), true);
    assert.deepEqual(
      sent.map((record) => [record.boxes[0]!.state, record.status]),
      [['accepted', 'unreviewed'], ['accepted', 'reviewed'], ['accepted', 'unreviewed'], ['proposed', 'unreviewed'], ['accepted', 'unreviewed']],
    );
  });

  it('undo of an edit made on another image goes back to that image', () => {
    const store = loadedStore([]);
    store.edit({ status: 'reviewed' });
    store.open('b.jpg');
    store.undo();
    assert.equal(store.ui.file, 'a.jpg');
    assert.equal(store.record('a.jpg').status, 'unreviewed');
  });

  it('a new edit clears what could be redone, and an edit that changes nothing is not recorded', () => {
    const sent: ImageRecord[] = [];
    const store = loadedStore(sent);
    store.edit({ status: 'reviewed' });
    store.undo();
    store.edit({ boxes: [] });
    assert.equal(store.redo(), false);
    store.edit({ boxes: store.currentBoxes() });
    assert.equal(sent.length, 3);
  });

  it('restores saved UI state only where it still applies', () => {
    const store = new ReviewStore(() => undefined);
    const record: ImageRecord = { file: 'a.jpg', width: 100, height: 100, boxes: [face], status: 'unreviewed' };
    const dataset = datasetOf(['a.jpg'], [record]);
    const saved = { file: 'a.jpg', selectedId: 'f', filter: 'faces', order: 'confidence', viewport: { scale: 2, x: 1, y: 2 }, preview: true, boxesHidden: true, possibleShown: true, previewMode: 'blur' } as const;
    store.load(dataset, { ui: saved, frame: 0 });
    store.loadRecord(record);
    assert.deepEqual(store.ui, saved);
    store.load(dataset, { ui: { ...saved, file: 'gone.jpg', filter: 'all', order: 'name', preview: false }, frame: 0 });
    assert.deepEqual([store.ui.file, store.ui.selectedId, store.ui.viewport], ['a.jpg', null, null]);
  });
});
