import assert from 'node:assert/strict';
import { hardNms, iou, weightedNms } from '../../../daemon/detection/nms';

describe('non-maximum suppression', () => {
  it('measures overlap as intersection over union, 0 for disjoint or empty boxes', () => {
    assert.equal(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 0, w: 10, h: 10 }), 1);
    assert.equal(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 0, w: 10, h: 10 }), 50 / 150);
    assert.equal(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 10, y: 0, w: 10, h: 10 }), 0);
    assert.equal(iou({ x: 0, y: 0, w: 0, h: 0 }, { x: 0, y: 0, w: 0, h: 0 }), 0);
  });

  it('hard NMS keeps the best of an overlapping group and every face that overlaps no better one', () => {
    const faces = [
      { x: 1, y: 0, w: 10, h: 10, score: 0.7 },
      { x: 0, y: 0, w: 10, h: 10, score: 0.9 },
      { x: 50, y: 50, w: 10, h: 10, score: 0.2 },
      { x: 2, y: 1, w: 10, h: 10, score: 0.8 },
    ];
    assert.deepEqual(hardNms(faces, 0.3).map((f) => f.score), [0.9, 0.2]);
    assert.equal(hardNms(faces, 0.95).length, 4, 'nothing overlaps by more than 0.95');
  });

  it('weighted NMS merges a group into its score-weighted mean box with the best score', () => {
    const faces = [
      { x: 0, y: 0, w: 10, h: 10, score: 0.75 },
      { x: 4, y: 0, w: 10, h: 10, score: 0.25 },
      { x: 100, y: 100, w: 20, h: 20, score: 0.5 },
    ];
    const merged = weightedNms(faces, 0.3);
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0], { x: 1, y: 0, w: 10, h: 10, score: 0.75 });
    assert.deepEqual(merged[1], faces[2]);
  });

  it('weighted NMS leaves faces apart when they overlap by no more than the threshold', () => {
    const faces = [
      { x: 0, y: 0, w: 10, h: 10, score: 0.75 },
      { x: 6, y: 0, w: 10, h: 10, score: 0.25 }, // IoU 0.25
    ];
    assert.equal(weightedNms(faces, 0.3).length, 2);
    assert.equal(weightedNms(faces, 0.2).length, 1);
  });
});
