import assert from 'node:assert/strict';
import { clockText, frameAtTime, seekTimeOf, timecodeOf } from '../../webview/video/frameClock';

/** Rates of cameras and screen captures, as ffprobe reports their average rate. */
const RATES = [24000 / 1001, 24, 25, 30000 / 1001, 30, 50, 60000 / 1001, 60];
const FRAMES = 36_000;

describe('the review reads frame numbers from the times a video element reports', () => {
  it('a seek to frame n (its middle) reads back as frame n, at every common rate', () => {
    for (const fps of RATES) for (let n = 0; n < FRAMES; n++) assert.equal(frameAtTime(seekTimeOf(n, fps), fps, FRAMES), n, `${fps} fps, frame ${n}`);
  });

  it("a presented frame's timestamp, rounded to an MP4 (1/12800 s, 1/90000 s) or WebM (1 ms) time base and to Chromium's microseconds, reads as its frame", () => {
    for (const fps of RATES) {
      for (const timeBase of [1 / 12800, 1 / 90000, 1 / 1000]) {
        for (let n = 0; n < FRAMES; n++) {
          // Muxers round to the nearest tick (ffmpeg's av_rescale_q); Chromium keeps whole microseconds, cut down.
          const stamp = Math.floor(Math.round(n / fps / timeBase) * timeBase * 1e6) / 1e6;
          assert.equal(frameAtTime(stamp, fps, FRAMES), n, `${fps} fps, time base ${timeBase}, frame ${n}`);
        }
      }
    }
  });

  it('times past the end read as the last frame, before the start as the first', () => {
    assert.equal(frameAtTime(1e6, 30, 100), 99);
    assert.equal(frameAtTime(-1, 30, 100), 0);
  });

  it('says times as a person reads them', () => {
    assert.equal(timecodeOf(30, 25), '0:01.20');
    assert.equal(timecodeOf(18_000, 30), '10:00.00');
    assert.equal(clockText(3725), '1:02:05');
  });
});
