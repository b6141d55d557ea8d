/** An image's row (daemon/review/rows.ts): its counts by state, without the counts of none, and the guard that reads it. */
import { strict as assert } from 'node:assert';
import { isReviewRow, type Box, type ImageRecord } from '../../../daemon/protocol';
import { reviewRow, rowFaceCount, rowFaces } from '../../../daemon/review/rows';

const model = (id: string, score: number, state: Box['state']): Box => ({ id, x: 1, y: 1, w: 5, h: 5, score, source: 'model', state, edited: false });

describe('review rows', () => {
  it('an image without boxes has a row of its status alone: no counts of none, no score', () => {
    const record: ImageRecord = { file: 'empty.jpg', width: 10, height: 10, boxes: [], status: 'reviewed', revision: 4 };
    assert.deepEqual(reviewRow(record), { file: 'empty.jpg', status: 'reviewed', revision: 4, faces: {} });
    assert.equal(rowFaceCount(reviewRow(record)), 0);
    assert.equal(rowFaces(reviewRow(record), 'accepted'), 0);
  });

  it('counts faces by state, drawn boxes, the lowest model score and the possible faces detection left', () => {
    const drawn: Box = { id: 'manual-1', x: 1, y: 1, w: 5, h: 5, score: null, source: 'manual', state: 'accepted', edited: false };
    const boxes = [model('m-1', 0.9, 'accepted'), model('m-2', 0.7, 'accepted'), model('m-3', 0.5, 'rejected'), model('p-1', 0.2, 'possible'), model('p-2', 0.25, 'proposed'), drawn];
    const row = reviewRow({ file: 'a.jpg', width: 10, height: 10, boxes, status: 'unreviewed' });
    assert.deepEqual(row, { file: 'a.jpg', status: 'unreviewed', revision: 0, faces: { accepted: 3, rejected: 1, possible: 1, proposed: 1 }, manual: 1, lowestScore: 0.2, detectedPossible: 2 });
    assert.equal(rowFaceCount(row), 4, 'accepted and proposed faces count; rejected and possible ones do not');
    assert.ok(isReviewRow(row));
  });

  it('the guard takes rows without their counts of none, and refuses unknown states and bad counts', () => {
    const row = { file: 'a.jpg', status: 'unreviewed', revision: 0, faces: {} };
    assert.ok(isReviewRow(row));
    for (const bad of [
      { ...row, faces: { smiling: 1 } },
      { ...row, faces: { accepted: -1 } },
      { ...row, faces: { accepted: 1.5 } },
      { ...row, manual: -1 },
      { ...row, lowestScore: null },
      { ...row, lowestScore: Number.NaN },
      { ...row, detectedPossible: '2' },
      { ...row, faces: undefined },
    ]) {
      assert.equal(isReviewRow(bad), false, JSON.stringify(bad));
    }
  });
});
