/** What the Veil view counts and lists from the daemon's answers, and how often it redraws (no VS Code needed). */
import assert from 'node:assert/strict';
import type { Box, DatasetStatusResult, ImageRecord, ImageStatus, ImageStatusEntry } from '../../../daemon/protocol';
import { DatasetSnapshot } from '../../../extension/datasetSnapshot';
import { Throttle } from '../../../extension/throttle';

function box(id: string, state: Box['state']): Box {
  return { id, x: 10, y: 10, w: 20, h: 20, score: 0.9, source: 'model', state, edited: false };
}

function record(file: string, status: ImageStatus, revision: number, boxes: Box[] = [box('a', 'proposed')]): ImageRecord {
  return { file, width: 100, height: 80, boxes, status, revision };
}

/** A dataset/status answer: a.jpg reviewed with one face (and a rejected box), c.jpg never detected, broken.jpg unreadable, consented.jpg excluded from commits. */
function answer(): DatasetStatusResult {
  const images: ImageStatusEntry[] = [
    { file: 'a.jpg', status: 'reviewed', revision: 3, faces: 1 },
    { file: 'b/b.jpg', status: 'unreviewed', revision: 2, faces: 1 },
    { file: 'c.jpg', status: 'unreviewed' },
  ];
  const excluded = [{ file: 'consented.jpg', reason: 'the subject consented', by: 'Ann', at: '2026-11-30T10:00:00.000Z' }];
  return { root: '/d', scope: '', images, failures: [{ file: 'broken.jpg', code: -33002, message: 'truncated JPEG' }], excluded };
}

describe('the Veil view: a dataset as the daemon answered', () => {
  it('counts every image once: by review status, a never-detected one as unreviewed, an excluded one as excluded, an unreadable one as failed', () => {
    const counts = DatasetSnapshot.fromStatus(answer()).counts();
    assert.deepEqual(counts, { images: 5, unreviewed: 2, reviewed: 1, committed: 0, excluded: 1, failed: 1 });
  });

  it('lists a group by path, with the faces not rejected (undefined: never detected), the exclusion, or the cause of a failure', () => {
    const snapshot = DatasetSnapshot.fromStatus(answer());
    assert.deepEqual(snapshot.list('unreviewed'), [
      { file: 'b/b.jpg', faces: 1 },
      { file: 'c.jpg', faces: undefined },
    ]);
    assert.deepEqual(snapshot.list('reviewed'), [{ file: 'a.jpg', faces: 1 }]);
    assert.deepEqual(snapshot.list('failed'), [{ file: 'broken.jpg', failure: 'truncated JPEG' }]);
    assert.deepEqual(snapshot.list('excluded'), [{ file: 'consented.jpg', excluded: answer().excluded[0] }]);
  });

  it('lists a video with its duration and counts its tracks, not its (empty) boxes, as its faces', () => {
    const snapshot = DatasetSnapshot.fromStatus({ ...answer(), images: [{ file: 'v.mp4', status: 'unreviewed', durationS: 3 }] });
    assert.deepEqual(snapshot.list('unreviewed'), [{ file: 'v.mp4', faces: undefined, durationS: 3 }]);
    const key = { frame: 0, x: 1, y: 1, w: 10, h: 10, score: 0.9 };
    const track = (id: string, state: Box['state']) => ({ id, source: 'model' as const, state, score: 0.9, keyframes: [key], padBefore: 0, padAfter: 5, edited: false });
    const video: ImageRecord = {
      ...record('v.mp4', 'unreviewed', 1, []),
      video: { width: 100, height: 80, fps: 25, frames: 75, durationS: 3, codec: 'h264', rotation: 0, hasAudio: false },
      tracks: [track('t1', 'proposed'), track('t2', 'rejected'), track('t3', 'possible'), track('t4', 'accepted')],
    };
    assert.equal(snapshot.apply(video), true);
    assert.deepEqual(snapshot.list('unreviewed'), [{ file: 'v.mp4', faces: 2, durationS: 3 }]);
  });

  it('ignores a record of an excluded file: it stays listed once, as excluded, until a new status answer', () => {
    const snapshot = DatasetSnapshot.fromStatus(answer());
    assert.equal(snapshot.apply(record('consented.jpg', 'unreviewed', 9)), false);
    assert.deepEqual(snapshot.list('unreviewed').map((image) => image.file), ['b/b.jpg', 'c.jpg']);
    assert.deepEqual(snapshot.counts(), { images: 5, unreviewed: 2, reviewed: 1, committed: 0, excluded: 1, failed: 1 });
  });

  it('takes a later record of an image and ignores one older than what it knows (answers arrive out of order)', () => {
    const snapshot = DatasetSnapshot.fromStatus(answer());
    assert.equal(snapshot.apply(record('b/b.jpg', 'committed', 5)), true);
    assert.equal(snapshot.apply(record('b/b.jpg', 'unreviewed', 4)), false);
    assert.equal(snapshot.apply(record('c.jpg', 'unreviewed', 0)), true, 'the first record of a never-detected image');
    assert.equal(snapshot.apply(record('new.jpg', 'unreviewed', 6)), true, 'an image detected since the read');
    assert.deepEqual(snapshot.counts(), { images: 6, unreviewed: 2, reviewed: 1, committed: 1, excluded: 1, failed: 1 });
  });
});

describe('the Veil view: redrawing at most once per interval', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs a lone request at once and folds a burst into one run at the end of the interval', async () => {
    let runs = 0;
    const throttle = new Throttle(50, () => {
      runs++;
    });
    try {
      throttle.request();
      assert.equal(runs, 1);
      for (let i = 0; i < 10; i++) throttle.request();
      assert.equal(runs, 1);
      await sleep(250); // the interval, with room for a loaded machine's late timers
      assert.equal(runs, 2);
      await sleep(250);
      assert.equal(runs, 2, 'no request, no run');
    } finally {
      throttle.dispose();
    }
  });

  it('never starts a run while one is under way', async () => {
    let running = 0;
    let overlapped = false;
    const throttle = new Throttle(1, async () => {
      overlapped ||= running > 0;
      running++;
      await sleep(30);
      running--;
    });
    try {
      for (let i = 0; i < 5; i++) {
        throttle.request();
        await sleep(10);
      }
      await sleep(100);
      assert.equal(overlapped, false);
    } finally {
      throttle.dispose();
    }
  });
});
