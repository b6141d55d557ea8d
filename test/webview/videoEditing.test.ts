import assert from 'node:assert/strict';
import { uncertainStretches } from '../../daemon/video/uncertainStretches';
import { trackBoxAt } from '../../daemon/video/trackGeometry';
import { RecordUpdated } from '../../webview/protocol';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';
import { CLIP_INFO, clipRecord, clipTracks } from './videoClip';
import { addClip, near, VideoReview } from './videoReview';

describe('review webview: editing a video\'s tracks', function () {
  const suite = useWebviewSuite();
  let review: VideoReview;

  before(() => addClip(suite));

  beforeEach(async () => {
    review = await VideoReview.open(suite);
  });

  afterEach(() => closeCleanPage(review.webview));

  /** Goes to frame n with the keyboard (Shift+Right: a second, Right: a frame). */
  async function goTo(frame: number): Promise<void> {
    await review.webview.press('Home');
    const seconds = Math.floor(frame / CLIP_INFO.fps);
    await review.webview.press(...Array<string>(seconds).fill('Shift+ArrowRight'), ...Array<string>(frame - seconds * CLIP_INFO.fps).fill('ArrowRight'));
    await review.waitForFrame(frame);
  }

  it('A accepts the selected track as a whole: the saved message carries every track, that one accepted, and no boxes', async () => {
    await review.webview.press(']', 'a');
    const update = await review.lastUpdate();
    assert.equal(update.file, 'clip.mp4');
    assert.deepEqual(update.boxes, []);
    assert.equal(update.baseRevision, 1);
    assert.deepEqual(update.tracks!.map((track) => `${track.id} ${track.state}`), ['t-square accepted', 't-possible possible', 't-low proposed', 't-late accepted']);
    assert.deepEqual((await review.savedTrack('t-square')).keyframes, clipTracks()[0]!.keyframes, 'accepting moved a keyframe');
    assert.equal((await review.webview.shownBox('t-square')).kind, 'accepted');
    assert.equal((await review.lanes())[0]!.kind, 'accepted');
    // The daemon's confirmation comes back; the next edit is made on its revision.
    await review.webview.post(RecordUpdated.create({ record: { ...clipRecord(update.tracks), revision: 2 }, seq: update.seq }));
    await review.webview.press('r');
    const next = await review.lastUpdate();
    assert.equal(next.baseRevision, 2);
    assert.equal((await review.savedTrack('t-square')).state, 'rejected');
  });

  it('dragging a box at a frame makes a keyframe there (the frames between interpolate to it); Delete removes it; undo and redo', async () => {
    await goTo(40);
    const square = clipTracks()[0]!;
    const before = trackBoxAt(square, 40)!;
    const drawn = await review.webview.shownBox('t-square');
    const { scale } = await review.videoGeometry();
    await review.drag({ x: drawn.x + drawn.w / 2, y: drawn.y + drawn.h / 2 }, { x: drawn.x + drawn.w / 2 + 30, y: drawn.y + drawn.h / 2 + 20 });
    const moved = await review.savedTrack('t-square');
    assert.deepEqual(moved.keyframes.map((key) => key.frame), [0, 40, 99]);
    const key = moved.keyframes[1]!;
    near(key.x, before.x + 30 / scale, 1, 'keyframe x');
    near(key.y, before.y + 20 / scale, 1, 'keyframe y');
    assert.deepEqual([key.w, key.h, key.score, moved.edited], [before.w, before.h, null, true]);
    // Frame 20 lies between keyframes 0 and 40: its box is interpolated to the new one.
    await review.webview.press('Shift+ArrowLeft');
    await review.waitForFrame(15);
    const between = await review.webview.shownBox('t-square');
    const expected = await review.onPage(trackBoxAt(moved, 15)!);
    near(between.x, expected.x, 1.5, 'interpolated x at frame 15');
    near(between.y, expected.y, 1.5, 'interpolated y at frame 15');
    await review.webview.press('Shift+ArrowRight');
    await review.waitForFrame(40);
    await review.webview.press('Delete');
    assert.deepEqual((await review.savedTrack('t-square')).keyframes.map((k) => k.frame), [0, 99]);
    await review.webview.press('Control+z');
    assert.deepEqual((await review.savedTrack('t-square')).keyframes.map((k) => k.frame), [0, 40, 99]);
    await review.webview.press('Control+z');
    assert.deepEqual((await review.savedTrack('t-square')).keyframes, square.keyframes);
    await review.webview.press('Control+Shift+Z');
    assert.deepEqual((await review.savedTrack('t-square')).keyframes.map((k) => k.frame), [0, 40, 99]);
    // Delete where the track has no keyframe: refused, said in the footer.
    await review.webview.press('ArrowRight');
    await review.waitForFrame(41);
    const updates = (await review.webview.sentOfType('review/update')).length;
    await review.webview.press('Delete');
    assert.match((await review.footer()).error, /^Keyframe not removed: track t-square has no keyframe at frame 41/);
    assert.equal((await review.webview.sentOfType('review/update')).length, updates);
  });

  it('S splits the selected track at the playhead: the part from there on is a new track, selected', async () => {
    await goTo(50);
    await review.webview.press(']', 's');
    const update = await review.lastUpdate();
    assert.equal(update.tracks!.length, 5);
    const first = update.tracks!.find((track) => track.id === 't-square')!;
    const second = update.tracks!.find((track) => !clipTracks().some((known) => known.id === track.id))!;
    assert.deepEqual([first.keyframes.at(-1)!.frame, second.keyframes[0]!.frame, second.keyframes.at(-1)!.frame], [49, 50, 99]);
    assert.equal(await review.selectedTrack(), second.id);
    assert.equal((await review.lanes()).length, 5);
    // The two parts still cover the square where the one track did.
    for (const frame of [49, 50]) assert.deepEqual(trackBoxAt(frame < 50 ? first : second, frame), trackBoxAt(clipTracks()[0]!, frame));
  });

  it('M merges the selected track with the next lane\'s; tracks overlapping in time are refused, the reason in the footer', async () => {
    await review.webview.press(']', 'm');
    assert.match((await review.footer()).error, /^Not merged: tracks t-square \(frames 0–99\) and t-possible \(frames 5–10\) overlap in time: split one first/);
    assert.equal((await review.webview.sentOfType('review/update')).length, 0);
    await review.webview.press(']', ']', 'm');
    const update = await review.lastUpdate();
    assert.deepEqual(update.tracks!.map((track) => track.id), ['t-square', 't-possible', 't-low']);
    const merged = update.tracks![2]!;
    assert.deepEqual(merged.keyframes.map((key) => key.frame), [20, 40, 60, 70, 75, 80, 85, 90, 95]);
    assert.equal(merged.state, 'proposed', 'a proposed and an accepted track merged are to be decided again');
    assert.equal((await review.lanes()).length, 3);
  });

  it('U walks the uncertain stretches in the queue\'s order, each with its track selected, then starts again', async () => {
    const record = clipRecord();
    const stretches = uncertainStretches(record.tracks!, CLIP_INFO, { threshold: 0.5, stride: 1 });
    assert.ok(stretches.length >= 4, `${stretches.length} stretches`);
    for (const [index, stretch] of [...stretches, stretches[0]!].entries()) {
      await review.webview.press('u');
      await review.waitForFrame(stretch.from);
      assert.equal(await review.selectedTrack(), stretch.trackId, `stretch ${index}`);
      assert.match((await review.footer()).announced, new RegExp(`^Uncertain ${(index % stretches.length) + 1} of ${stretches.length}: `));
    }
  });

  it('N, then a drag on the frame and drags at other frames, draw a new track keyframe by keyframe', async () => {
    const empty = async () => review.onPage({ x: 280, y: 250, w: 60, h: 50 });
    await review.webview.press('n');
    let rect = await empty();
    await review.drag({ x: rect.x, y: rect.y }, { x: rect.x + rect.w, y: rect.y + rect.h });
    await review.webview.press('Shift+ArrowRight');
    await review.waitForFrame(25);
    rect = await review.onPage({ x: 330, y: 260, w: 60, h: 50 });
    await review.drag({ x: rect.x, y: rect.y }, { x: rect.x + rect.w, y: rect.y + rect.h });
    const update = await review.lastUpdate();
    const drawn = update.tracks!.filter((track) => !clipTracks().some((known) => known.id === track.id));
    assert.equal(drawn.length, 1, 'the second drag made another track');
    const track = drawn[0]!;
    assert.deepEqual([track.source, track.state, track.score], ['manual', 'accepted', null]);
    assert.deepEqual(track.keyframes.map((key) => key.frame), [0, 25]);
    near(track.keyframes[0]!.x, 280, 2, 'first keyframe x');
    near(track.keyframes[1]!.x, 330, 2, 'second keyframe x');
    // Between them, its box is interpolated and drawn.
    await review.webview.press('Home');
    await review.waitForFrame(0);
    await review.webview.press(...Array<string>(12).fill('ArrowRight'));
    await review.waitForFrame(12);
    const shown = await review.webview.shownBox(track.id);
    near(shown.x, (await review.onPage(trackBoxAt(track, 12)!)).x, 1.5, 'interpolated x');
    // N again: the next drag starts another track.
    await review.webview.press('n');
    rect = await review.onPage({ x: 40, y: 20, w: 40, h: 40 });
    await review.drag({ x: rect.x, y: rect.y }, { x: rect.x + rect.w, y: rect.y + rect.h });
    assert.equal((await review.lastUpdate()).tracks!.length, 6);
  });

  it('the redaction preview is drawn at every frame while the video plays: each frame\'s boxes redacted', async () => {
    await review.webview.press(']', 'p', ' ');
    const samples: Array<{ frame: number; centre: number[]; corner: number[] }> = [];
    for (let index = 0; index < 3; index++) {
      await review.page.waitForTimeout(250);
      // In one task: the frame on screen and the preview's pixels at the square's box then (no frame can pass between).
      samples.push(
        await review.page.evaluate(() => {
          const frame = Number(document.getElementById('stage')!.dataset.frame);
          const box = document.querySelector<HTMLElement>('.box[data-id="t-square"]')!.style;
          const canvas = document.getElementById('preview') as HTMLCanvasElement;
          const ratio = canvas.width / canvas.getBoundingClientRect().width;
          const pixel = (x: number, y: number) => [...canvas.getContext('2d')!.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data];
          const centre = pixel(parseFloat(box.left) + parseFloat(box.width) / 2, parseFloat(box.top) + parseFloat(box.height) / 2);
          return { frame, centre, corner: pixel(2, 2) };
        }),
      );
    }
    await review.webview.press(' ');
    assert.equal(new Set(samples.map((sample) => sample.frame)).size, 3, `the frames did not advance: ${samples.map((sample) => sample.frame)}`);
    for (const sample of samples) {
      assert.deepEqual(sample.centre, [0, 0, 0, 255], `frame ${sample.frame}: the square's box is not filled`);
      assert.deepEqual(sample.corner, [0, 0, 0, 0], `frame ${sample.frame}: the preview covers the stage's corner`);
    }
    // The box the preview follows is the track's at the frame on screen (checked paused: its place is then still).
    await review.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).paused);
    await review.page.waitForTimeout(100);
    const paused = await review.frame();
    const stage = await review.page.$eval('#stage', (element) => element.getBoundingClientRect());
    const left = await review.page.$eval('.box[data-id="t-square"]', (element) => parseFloat((element as HTMLElement).style.left));
    near(stage.x + left, (await review.onPage(trackBoxAt(clipTracks()[0]!, paused)!)).x, 1.5, `box at frame ${paused}`);
  });

  it('Shift+A accepts every undecided track, whole; a possible face and a decided track keep their state', async () => {
    await review.webview.press('Shift+A');
    const update = await review.lastUpdate();
    assert.deepEqual(update.tracks!.map((track) => `${track.id} ${track.state}`), ['t-square accepted', 't-possible possible', 't-low accepted', 't-late accepted']);
    assert.deepEqual(update.tracks!.map((track) => track.keyframes), clipTracks().map((track) => track.keyframes));
  });

  it('Enter does not mark a video reviewed while a track is undecided (the lanes flash); once all are decided it does', async () => {
    await review.webview.press('Enter');
    assert.match((await review.footer()).error, /^Not marked reviewed: 2 tracks are still undecided/);
    assert.equal((await review.webview.sentOfType('review/update')).length, 0);
    await review.webview.press(']', 'a', ']', ']', 'r', 'Enter');
    const update = await review.lastUpdate();
    assert.equal(update.status, 'reviewed');
  });
});
