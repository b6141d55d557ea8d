import assert from 'node:assert/strict';
import { averageViews, unmirror } from '../../../daemon/detection/fusion';

describe('test-time views averaged', () => {
  it('keeps a face both views see with the mean of their scores and the score-weighted mean box', () => {
    const plain = [{ x: 10, y: 10, w: 20, h: 20, score: 0.9 }];
    const mirrored = [{ x: 12, y: 10, w: 20, h: 20, score: 0.3 }];
    const [face] = averageViews([plain, mirrored], 0.3);
    assert.ok(Math.abs(face!.score - 0.6) < 1e-12);
    assert.ok(Math.abs(face!.x - (10 * 0.9 + 12 * 0.3) / 1.2) < 1e-12);
    assert.deepEqual([face!.y, face!.w, face!.h], [10, 20, 20]);
  });

  it('halves a face only one view sees (a texture the mirrored view does not take for a face)', () => {
    const faces = averageViews([[{ x: 0, y: 0, w: 10, h: 10, score: 0.8 }], []], 0.3);
    assert.deepEqual(faces, [{ x: 0, y: 0, w: 10, h: 10, score: 0.4 }]);
  });

  it('keeps faces apart when they overlap by no more than the threshold, and takes one face per view in a group', () => {
    const plain = [
      { x: 0, y: 0, w: 10, h: 10, score: 0.9 },
      { x: 100, y: 0, w: 10, h: 10, score: 0.7 },
    ];
    const mirrored = [
      { x: 1, y: 0, w: 10, h: 10, score: 0.8 },
      { x: 2, y: 0, w: 10, h: 10, score: 0.2 }, // same view, same face: not a second vote
    ];
    const faces = averageViews([plain, mirrored], 0.3);
    assert.deepEqual(faces.map((f) => Math.round(f.score * 100)), [85, 35]);
  });

  it('weighs faces equally when they all score 0 (a threshold-0 sweep)', () => {
    const [face] = averageViews([[{ x: 0, y: 0, w: 10, h: 10, score: 0 }], [{ x: 2, y: 0, w: 10, h: 10, score: 0 }]], 0.3);
    assert.deepEqual(face, { x: 1, y: 0, w: 10, h: 10, score: 0 });
  });

  it('maps a box found in a mirrored view back onto the image', () => {
    assert.deepEqual(unmirror({ x: 10, y: 5, w: 20, h: 30, score: 0.5 }, 100), { x: 70, y: 5, w: 20, h: 30, score: 0.5 });
  });
});
