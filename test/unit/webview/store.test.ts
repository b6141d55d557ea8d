import assert from 'node:assert/strict';
import type { Box, ImageRecord } from '../../../daemon/protocol';
import { withState } from '../../../webview/boxEdits';
import { ReviewStore } from '../../../webview/store';

const face: Box = { id: 'f', x: 10, y: 10, w: 20, h: 20, score: 0.8, source: 'model', state: 'proposed', edited: false };

function loadedStore(sent: ImageRecord[]): ReviewStore {
  const store = new ReviewStore((record) => sent.push(record));
  store.load(
    {
      root: '/d',
      entries: ['b.jpg', 'a.jpg'].map((file) => ({ file, imageUri: `u/${file}`, version: '1', width: 100, height: 100 })),
      records: [{ file: 'a.jpg', width: 100, height: 100, boxes: [face], status: 'unreviewed' }],
      settings: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' },
    },
    null,
  );
  return store;
}

describe('review store', () => {
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
    const dataset = {
      root: '/d',
      entries: [{ file: 'a.jpg', imageUri: 'u', version: '1', width: 100, height: 100 }],
      records: [{ file: 'a.jpg', width: 100, height: 100, boxes: [face], status: 'unreviewed' as const }],
      settings: { mode: 'fill' as const, margin: 0.25, doubtMargin: 1, shape: 'rect' as const },
    };
    const saved = { file: 'a.jpg', selectedId: 'f', filter: 'faces', order: 'confidence', viewport: { scale: 2, x: 1, y: 2 }, preview: true, boxesHidden: true, possibleShown: true, previewMode: 'blur' } as const;
    store.load(dataset, { ui: saved, frame: 0 });
    assert.deepEqual(store.ui, saved);
    store.load(dataset, { ui: { ...saved, file: 'gone.jpg', filter: 'all', order: 'name', preview: false }, frame: 0 });
    assert.deepEqual([store.ui.file, store.ui.selectedId, store.ui.viewport], ['a.jpg', null, null]);
  });
});
