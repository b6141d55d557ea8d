import assert from 'node:assert/strict';
import type { Box, ImageRecord } from '../../../daemon/protocol';
import { ErrorCode } from '../../../daemon/protocol';
import { mergeDetection } from '../../../daemon/review/merge';
import { detectionFloor, partitionFaces, POSSIBLE_FACE_FLOOR } from '../../../daemon/review/possibleFaces';
import { boxesToRedact, guardPossibleFaces } from '../../../daemon/commit/select';
import { VeilError } from '../../../daemon/errors';

const detection = { model: 'm', threshold: 0.5, thorough: false, at: '2026-11-30T00:00:00.000Z' };
const face = (x: number, score: number) => ({ x, y: 0, w: 20, h: 20, score });

describe('possible faces', () => {
  it('asks the detector down to the floor, never above the threshold, and splits its faces at the threshold', () => {
    assert.equal(detectionFloor(0.5), POSSIBLE_FACE_FLOOR);
    assert.equal(detectionFloor(0.1), 0.1);
    const { faces, possible } = partitionFaces([face(0, 0.9), face(50, 0.5), face(100, 0.3)], { threshold: 0.5, largeFaceThreshold: 0.5 });
    assert.deepEqual([faces.map((f) => f.score), possible.map((f) => f.score)], [[0.9, 0.5], [0.3]]);
  });

  it('proposes faces of 32 px and more from the large-face threshold, smaller ones only from the threshold', () => {
    const point = { threshold: 0.45, largeFaceThreshold: 0.25 };
    const large = { x: 0, y: 0, w: 24, h: 32, score: 0.3 };
    const small = { x: 40, y: 0, w: 31, h: 31, score: 0.4 };
    const { faces, possible } = partitionFaces([large, small, { ...large, x: 80, score: 0.2 }], point);
    assert.deepEqual([faces.map((f) => f.x), possible.map((f) => f.x)], [[0], [40, 80]]);
  });

  it('a re-detect replaces possible faces nobody touched, keeps a promoted one and drops the new possible face on it', () => {
    const first = mergeDetection(undefined, { file: 'a.jpg', width: 200, height: 50, faces: [face(0, 0.9)], possible: [face(50, 0.3), face(100, 0.25)], detection });
    const [proposal, promoted, untouched] = first.boxes;
    assert.deepEqual(first.boxes.map((box) => box.state), ['proposed', 'possible', 'possible']);
    const edited: ImageRecord = { ...first, boxes: [proposal!, { ...promoted!, state: 'proposed' }, untouched!] };
    const again = mergeDetection(edited, { file: 'a.jpg', width: 200, height: 50, faces: [face(0, 0.9)], possible: [face(50, 0.3), face(100, 0.25)], detection });
    assert.equal(again.boxes.filter((box) => box.id === promoted!.id && box.state === 'proposed').length, 1, 'the promotion is kept');
    assert.equal(again.boxes.filter((box) => box.state === 'possible').length, 1, 'only the untouched one comes again');
    assert.ok(!again.boxes.some((box) => box.id === untouched!.id), 'replaced by the new run');
    assert.deepEqual(boxesToRedact(again.boxes).map((box) => box.state), ['proposed', 'proposed']);
  });

  it('the commit guard counts only unreviewed images, names ten and counts the rest', () => {
    const possible: Box = { id: 'p-1', x: 0, y: 0, w: 5, h: 5, score: 0.3, source: 'model', state: 'possible', edited: false };
    const files = Array.from({ length: 12 }, (_, index) => `img${String(index).padStart(2, '0')}.jpg`);
    const recordOf = (file: string): ImageRecord => ({ file, width: 9, height: 9, status: file === 'img00.jpg' ? 'reviewed' : 'unreviewed', boxes: [possible] });
    assert.throws(
      () => guardPossibleFaces(files, recordOf, undefined),
      (error: unknown) =>
        error instanceof VeilError &&
        error.code === ErrorCode.PossibleFacesUnresolved &&
        error.file === 'img01.jpg' &&
        /^11 possible faces unresolved in 11 unreviewed images .*img01\.jpg \(1\).*img10\.jpg \(1\), and 1 more;/.test(error.message),
    );
    assert.deepEqual(guardPossibleFaces(files, recordOf, 'why'), { reason: 'why', images: 11, possible: 11 });
    assert.equal(guardPossibleFaces(['img00.jpg'], recordOf, undefined), undefined);
  });
});
