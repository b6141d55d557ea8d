import assert from 'node:assert/strict';
import type { Box, ImageRecord } from '../../../daemon/protocol';
import { reviewRow } from '../../../daemon/review/rows';
import {
  browserDecodes,
  DatasetLoad,
  DisplayCopy,
  DisplayCopyRequest,
  FocusChanged,
  isExtensionToWebviewMessage,
  isWebviewToExtensionMessage,
  Ready,
  RecordLoaded,
  RecordRequest,
  RecordUpdated,
  ReviewAction,
  ReviewUpdate,
  Thumbnails,
} from '../../../webview/protocol';

const box: Box = { id: 'b1', x: 1, y: 2, w: 3, h: 4, score: 0.8, source: 'model', state: 'proposed', edited: false };
const record: ImageRecord = { file: 'a.jpg', width: 10, height: 10, boxes: [box], status: 'unreviewed' };
const row = reviewRow(record);
const load = {
  type: 'dataset/load',
  root: '/data',
  entries: [{ file: 'a.jpg', imageUri: 'https://x/a.jpg?v=1', version: '1', width: 10, height: 10 }],
  rows: [row],
  settings: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' },
};

describe('webview message guards', () => {
  it('accept every well-formed message, each by its own guard only', () => {
    assert.ok(DatasetLoad.is(load) && isExtensionToWebviewMessage(load) && !isWebviewToExtensionMessage(load));
    const update = ReviewUpdate.create({ file: 'a.jpg', boxes: [box], status: 'reviewed', baseRevision: 2, seq: 3 });
    assert.deepEqual(update, { type: 'review/update', file: 'a.jpg', boxes: [box], status: 'reviewed', baseRevision: 2, seq: 3 });
    assert.ok(isWebviewToExtensionMessage(update) && !isExtensionToWebviewMessage(update));
    assert.ok(Ready.is({ type: 'ready', version: 1 }));
    assert.ok(Thumbnails.is({ type: 'thumbnails', thumbs: { 'a.jpg': 'https://x/t.jpg' } }));
    assert.ok(RecordUpdated.is({ type: 'record/updated', record, seq: 4 }) && RecordUpdated.is({ type: 'record/updated', record }));
    const asked = RecordRequest.create({ file: 'a.jpg' });
    assert.ok(isWebviewToExtensionMessage(asked) && !isExtensionToWebviewMessage(asked));
    const loaded = RecordLoaded.create({ record });
    assert.ok(isExtensionToWebviewMessage(loaded) && !isWebviewToExtensionMessage(loaded));
    assert.ok(DatasetLoad.is({ ...load, entries: [{ file: 'scan.tif', imageUri: null, version: '1', width: 10, height: 10 }] }));
    assert.ok(DisplayCopyRequest.is({ type: 'displayCopy/request', file: 'scan.tif' }));
    assert.ok(DisplayCopy.is({ type: 'displayCopy', file: 'scan.tif', uri: 'https://x/c.jpg' }));
    assert.ok(DisplayCopy.is({ type: 'displayCopy', file: 'scan.tif', error: 'scan.tif: truncated' }));
    const action = ReviewAction.create({ action: 'box.moveLeft', large: true });
    assert.ok(isExtensionToWebviewMessage(action) && !isWebviewToExtensionMessage(action) && ReviewAction.is({ type: 'action', action: 'image.next' }));
    const focus = FocusChanged.create({ place: 'list' });
    assert.ok(isWebviewToExtensionMessage(focus) && !isExtensionToWebviewMessage(focus));
  });

  it('send only the formats no browser decodes through a display copy', () => {
    assert.deepEqual(['a.jpg', 'b.JPEG', 'c.png', 'd.webp', 'e.tif', 'f.TIFF'].map(browserDecodes), [true, true, true, true, false, false]);
  });

  it('refuse malformed messages', () => {
    const bad: unknown[] = [
      null,
      'dataset/load',
      { type: 'dataset/load' },
      { ...load, settings: { mode: 'smudge', margin: 0.25, doubtMargin: 1, shape: 'rect' } },
      { ...load, settings: { mode: 'fill', margin: 0.25, shape: 'rect' } },
      { ...load, settings: { mode: 'fill', margin: 0.25, doubtMargin: -1, shape: 'rect' } },
      { ...load, entries: [{ file: 'a.jpg', imageUri: 'x', version: '1', width: 0, height: 10 }] },
      { ...load, rows: [{ ...row, faces: { ...row.faces, accepted: -1 } }] },
      { ...load, rows: [{ ...row, status: 'done' }] },
      { ...load, rows: [{ ...row, lowestScore: 'low' }] },
      { ...load, rows: undefined },
      { type: 'record/loaded', record: { ...record, boxes: [{ ...box, w: -1 }] } },
      { type: 'record/request' },
      { type: 'record/updated', record: { ...record, status: 'done' } },
      { type: 'thumbnails', thumbs: { 'a.jpg': 42 } },
      { type: 'displayCopy', file: 'scan.tif' },
      { type: 'displayCopy', file: 'scan.tif', uri: 'https://x/c.jpg', error: 'both' },
      { ...load, entries: [{ file: 'a.jpg', width: 10, height: 10 }] },
      { type: 'review/update', file: 'a.jpg', boxes: [box], status: 'committed', seq: 1 },
      { type: 'action', action: 'box.explode' },
      { type: 'action', action: 'box.moveLeft', large: 'yes' },
      { type: 'focus/changed', place: 'sidebar' },
      { type: 'redaction/mode', mode: 'blur' },
      { type: 'review/update', file: 'a.jpg', boxes: [{ ...box, score: Number.NaN }], seq: 1 },
      { type: 'unknown' },
    ];
    for (const message of bad) {
      assert.ok(!isExtensionToWebviewMessage(message) && !isWebviewToExtensionMessage(message), JSON.stringify(message));
    }
  });
});
