import assert from 'node:assert/strict';
import type { Box, ImageRecord } from '../../../daemon/protocol';
import { reviewRow } from '../../../daemon/review/rows';
import { buildImageList, computeProgress } from '../../../webview/imageList';

function model(score: number, state: Box['state'] = 'proposed'): Box {
  return { id: `m${score}`, x: 0, y: 0, w: 5, h: 5, score, source: 'model', state, edited: false };
}
const manual: Box = { id: 'h', x: 0, y: 0, w: 5, h: 5, score: null, source: 'manual', state: 'accepted', edited: false };
const records: Record<string, ImageRecord> = {
  'a.jpg': { file: 'a.jpg', width: 9, height: 9, status: 'reviewed', boxes: [model(0.9, 'accepted')] },
  'b.jpg': { file: 'b.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [model(0.3), model(0.95)] },
  'c.jpg': { file: 'c.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [] },
  'd.jpg': { file: 'd.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [manual, model(0.5, 'rejected')] },
  'e.jpg': { file: 'e.jpg', width: 9, height: 9, status: 'committed', boxes: [model(0.7, 'rejected')] },
};
const files = Object.keys(records);
const list = (filter: Parameters<typeof buildImageList>[2], order: Parameters<typeof buildImageList>[3] = 'name', keep: string | null = null) =>
  buildImageList(files, (file) => reviewRow(records[file]!), filter, order, 0.6, keep);

describe('image list', () => {
  it('each filter lists exactly the images it names', () => {
    assert.deepEqual(list('all'), files);
    assert.deepEqual(list('unreviewed'), ['b.jpg', 'c.jpg', 'd.jpg']);
    assert.deepEqual(list('faces'), ['a.jpg', 'b.jpg', 'd.jpg']);
    assert.deepEqual(list('lowConfidence'), ['b.jpg', 'd.jpg']);
    assert.deepEqual(list('manual'), ['d.jpg']);
  });

  it('keeps the image being edited listed after it leaves the filter', () => {
    assert.deepEqual(list('unreviewed', 'name', 'a.jpg'), ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
  });

  it('the review queue puts the lowest model score first, images without model boxes last in name order', () => {
    assert.deepEqual(list('all', 'confidence'), ['b.jpg', 'd.jpg', 'e.jpg', 'a.jpg', 'c.jpg']);
  });

  it('the review queue walks images by the possible faces detection left, most first, and stays put while they are resolved', () => {
    const possible = (id: string, state: Box['state'] = 'possible'): Box => ({ ...model(0.3, state), id });
    const queued: Record<string, ImageRecord> = {
      'a.jpg': { file: 'a.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [model(0.2)] },
      'b.jpg': { file: 'b.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [model(0.9), possible('p-1')] },
      'c.jpg': { file: 'c.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [possible('p-2'), possible('p-3')] },
      'd.jpg': { file: 'd.jpg', width: 9, height: 9, status: 'unreviewed', boxes: [possible('p-4', 'proposed'), possible('p-5', 'rejected')] },
    };
    const queue = () => buildImageList(Object.keys(queued), (file) => reviewRow(queued[file]!), 'all', 'confidence', 0.6, null);
    assert.deepEqual(queue(), ['c.jpg', 'd.jpg', 'b.jpg', 'a.jpg']);
    assert.deepEqual(buildImageList(Object.keys(queued), (file) => reviewRow(queued[file]!), 'possible', 'name', 0.6, null), ['b.jpg', 'c.jpg']);
  });

  it('progress counts reviewed images and accepted versus proposed faces', () => {
    assert.deepEqual(computeProgress(Object.values(records).map(reviewRow)), { images: 5, reviewed: 2, accepted: 2, proposed: 2 });
  });
});
