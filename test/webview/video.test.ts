import assert from 'node:assert/strict';
import { trackBoxAt } from '../../daemon/video/trackGeometry';
import { COMMANDS, keyLabel, type VideoCommandId } from '../../webview/commandCatalog';
import { ImageShow, ReviewAction, VideoProxy, VideoProxyProgress } from '../../webview/protocol';
import { WebviewPage } from '../support/webviewHarness';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';
import { CLIP_FILE, CLIP_INFO, clipProxy, clipTracks, frameOfSquareCentre } from './videoClip';
import { addClip, near, VideoReview } from './videoReview';

describe('review webview: a video at its playhead, with its timeline', function () {
  const suite = useWebviewSuite();
  let review: VideoReview;

  before(() => addClip(suite));

  afterEach(() => closeCleanPage(review.webview));

  it('asks the extension for the playable copy once, and says the item shown is a video', async () => {
    review = await VideoReview.open(suite);
    assert.equal((await review.webview.sentOfType('video/proxyRequest')).length, 1);
    const opened = (await review.webview.sentOfType('image/open')).filter((message) => message.file === CLIP_FILE);
    assert.deepEqual(opened.at(-1), { type: 'image/open', file: CLIP_FILE, video: true });
    assert.equal(await review.page.isVisible('#image'), false);
    assert.equal(await review.page.isVisible('#timeline'), true);
  });

  it('while the playable copy is made, the stage says how far it is; a copy that cannot be made is said, and asked for again later', async () => {
    const webview = await WebviewPage.open(suite.browser, suite.server);
    review = VideoReview.attach(webview);
    await webview.load(suite.dataset);
    await webview.waitForImage('a-astronaut.png');
    await webview.post(ImageShow.create({ file: CLIP_FILE }));
    await webview.waitForMessage('video/proxyRequest');
    await webview.post(VideoProxyProgress.create({ file: CLIP_FILE, done: 40, total: 100 }));
    assert.equal(await review.page.textContent('#stage-message'), 'Preparing the video for playback… 40 %');
    await webview.post(VideoProxy.create({ file: CLIP_FILE, error: 'ffmpeg is not available: VEIL_FFMPEG=/nowhere is not a file' }));
    await webview.waitForImage(CLIP_FILE);
    assert.equal(await review.page.textContent('#stage-message'), `Could not load ${CLIP_FILE}: ffmpeg is not available: VEIL_FFMPEG=/nowhere is not a file`);
    await webview.post(ImageShow.create({ file: 'a-astronaut.png' }));
    await webview.waitForImage('a-astronaut.png');
    await webview.post(ImageShow.create({ file: CLIP_FILE }));
    await webview.waitForMessage('video/proxyRequest', 2);
    await webview.post(clipProxy(suite.server.origin));
    await webview.waitForImage(CLIP_FILE);
    await review.waitForFrame(0);
    assert.equal(await review.page.isVisible('#stage-message'), false);
  });

  it('the timeline shows one lane per track, in time order, coloured by state, with the uncertain stretches marked', async () => {
    review = await VideoReview.open(suite);
    const lanes = await review.lanes();
    assert.deepEqual(
      lanes.map((lane) => `${lane.id} ${lane.kind}`),
      ['t-square proposed', 't-possible possible', 't-low proposed', 't-late accepted'],
    );
    // t-square: a gap between its two detections; t-low: low scores and gaps; t-late: accepted, not in the queue.
    assert.ok(lanes[0]!.uncertain >= 1 && lanes[2]!.uncertain >= 1, JSON.stringify(lanes));
    assert.equal(lanes[3]!.uncertain, 0);
    const looks = await review.page.$$eval('#timeline-lanes .timeline__span:not(.timeline__span--pad)', (spans) =>
      spans.map((span) => `${getComputedStyle(span).backgroundColor} ${getComputedStyle(span).opacity}`),
    );
    // A possible face is the proposed colour, faint (as its box is).
    assert.equal(new Set(looks).size, 3, `proposed, possible and accepted look alike: ${looks}`);
    // The lane colours are the box colours: the accepted lane is the accepted box's green.
    const accepted = await review.page.$eval('.timeline__lane--accepted .timeline__span', (span) => getComputedStyle(span).backgroundColor);
    const green = await review.page.evaluate(() => {
      const probe = document.createElement('div');
      probe.className = 'box box--accepted';
      document.body.append(probe);
      const colour = getComputedStyle(probe).borderTopColor;
      probe.remove();
      return colour;
    });
    assert.equal(accepted, green);
  });

  it('Right steps exactly one frame: the frame shown, the number and the box drawn are those of frame n + 1 (trackBoxAt)', async () => {
    review = await VideoReview.open(suite);
    const square = clipTracks()[0]!;
    for (const expected of [1, 2, 3]) {
      await review.webview.press('ArrowRight');
      await review.waitForFrame(expected);
      near(frameOfSquareCentre(await review.squareCentreShown()), expected, 0.5, 'frame decoded on screen');
      assert.match((await review.page.textContent('#timeline-time'))!, new RegExp(`frame ${expected} / ${CLIP_INFO.frames - 1}$`));
      const drawn = await review.webview.shownBox('t-square');
      const expectedBox = await review.onPage(trackBoxAt(square, expected)!);
      for (const side of ['x', 'y', 'w', 'h'] as const) near(drawn[side], expectedBox[side], 1.5, `box ${side} at frame ${expected}`);
    }
    await review.webview.press('ArrowLeft');
    await review.waitForFrame(2);
  });

  it('Shift+Right and Shift+Left move one second; End and Home go to the last and first frame', async () => {
    review = await VideoReview.open(suite);
    await review.webview.press('Shift+ArrowRight');
    await review.waitForFrame(CLIP_INFO.fps);
    await review.webview.press('Shift+ArrowRight', 'Shift+ArrowLeft');
    await review.waitForFrame(CLIP_INFO.fps);
    await review.webview.press('End');
    await review.waitForFrame(CLIP_INFO.frames - 1);
    near(frameOfSquareCentre(await review.squareCentreShown()), CLIP_INFO.frames - 1, 0.5, 'last frame on screen');
    await review.webview.press('Home');
    await review.waitForFrame(0);
  });

  it('Space plays (the playhead and the boxes move with the frames) and pauses', async () => {
    review = await VideoReview.open(suite);
    const playheadAt = () => review.page.$eval('#timeline-playhead', (playhead) => playhead.getBoundingClientRect().x);
    const start = await playheadAt();
    await review.webview.press(' ');
    await review.page.waitForFunction(() => Number(document.getElementById('stage')!.dataset.frame) >= 10);
    // While it plays, the box drawn is the track's at the frame on screen (the same frame callback moves both).
    const sample = await review.page.evaluate(() => {
      const box = document.querySelector<HTMLElement>('.box[data-id="t-square"]')!.getBoundingClientRect();
      return { frame: Number(document.getElementById('stage')!.dataset.frame), x: box.x };
    });
    const expected = await review.onPage(trackBoxAt(clipTracks()[0]!, sample.frame)!);
    near(sample.x, expected.x, 1.5, `box while playing, frame ${sample.frame}`);
    await review.webview.press(' ');
    await review.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).paused);
    // Paused between two frames, the player seeks to the frame on screen (videoPlayer.ts onPlayingChange): the frame
    // is read once that seek is done (read at once, a frame presented just after the pause moved it under load).
    await review.page.waitForTimeout(200);
    await review.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).dataset.seeking === undefined);
    const paused = await review.frame();
    assert.ok(paused >= 10, `paused at ${paused}`);
    assert.ok((await playheadAt()) > start, 'the playhead did not move');
    await review.waitForFrame(paused);
    near(frameOfSquareCentre(await review.squareCentreShown()), paused, 0.5, 'paused frame on screen');
  });

  it('a click or drag on the timeline moves the playhead there; a click on a lane also selects its track', async () => {
    review = await VideoReview.open(suite);
    const ruler = (await review.page.locator('#timeline-ruler').boundingBox())!;
    const at = (frame: number) => ruler.x + ((frame + 0.5) / CLIP_INFO.frames) * ruler.width;
    await review.page.mouse.click(at(50), ruler.y + ruler.height / 2);
    await review.waitForFrame(50);
    await review.drag({ x: at(50), y: ruler.y + 5 }, { x: at(80), y: ruler.y + 5 });
    await review.waitForFrame(80);
    const late = (await review.page.locator('.timeline__lane[data-track-id="t-low"] .timeline__area').boundingBox())!;
    await review.page.mouse.click(at(30), late.y + late.height / 2);
    await review.waitForFrame(30);
    assert.equal(await review.selectedTrack(), 't-low');
    assert.equal((await review.webview.shownBox('t-low')).selected, true);
  });

  it('[ and ] select the tracks in lane order, the playhead moving into a track not in view', async () => {
    review = await VideoReview.open(suite);
    await review.webview.press(']');
    assert.equal(await review.selectedTrack(), 't-square');
    await review.webview.press(']', ']');
    assert.equal(await review.selectedTrack(), 't-low');
    await review.waitForFrame(20);
    await review.webview.press('[');
    assert.equal(await review.selectedTrack(), 't-possible');
    await review.waitForFrame(10);
    assert.match((await review.footer()).announced, /Track 2 of 4, possible/);
  });

  it('the list shows a video with its duration and track count', async () => {
    review = await VideoReview.open(suite);
    const row = await review.page.$eval(`.filmstrip__row[data-file="${CLIP_FILE}"]`, (element) => ({
      badge: element.querySelector('.filmstrip__badge')!.textContent,
      label: element.getAttribute('aria-label'),
      mark: !(element.querySelector('.codicon-device-camera-video') as HTMLElement).hidden,
    }));
    assert.equal(row.badge, '○ 0:04 · 3 tracks · 2 to decide · 1 possible');
    assert.match(row.label!, /video/);
    assert.equal(row.mark, true);
  });

  it('in VS Code the keybindings run the video commands (the page runs none itself)', async () => {
    review = await VideoReview.open(suite, { shortcuts: 'vscode' });
    await review.webview.press('ArrowRight');
    await review.page.waitForTimeout(150);
    assert.equal(await review.frame(), 0, 'Right ran in the page');
    await review.webview.post(ReviewAction.create({ action: 'video.stepForward' }));
    await review.waitForFrame(1);
    await review.webview.post(ReviewAction.create({ action: 'video.nextTrack' }));
    await review.webview.post(ReviewAction.create({ action: 'video.acceptTrack' }));
    const saved = await review.savedTrack('t-square');
    assert.equal(saved.state, 'accepted');
  });
});

/** Keys to press first so that a video command has something to act on (the clip at frame 0, nothing selected). */
const PRELUDE: Partial<Record<VideoCommandId, string[]>> = {
  'video.stepBack': ['ArrowRight'],
  'video.secondBack': ['Shift+ArrowRight'],
  'video.start': ['ArrowRight'],
  'video.acceptTrack': [']'],
  'video.rejectTrack': [']'],
  // The square's track at frame 25, after its first keyframe.
  'video.split': [']', 'Shift+ArrowRight'],
  // The low-score track, followed by the accepted one.
  'video.merge': [']', ']', ']'],
  // The square's track at its last keyframe.
  'video.deleteKeyframe': [']', 'End'],
};

describe('review webview: every video shortcut does what the help says, on a video', function () {
  let review!: VideoReview;
  // Before the suite's own hooks: the page closes before the browser does.
  after(async () => {
    if (review) await closeCleanPage(review.webview);
  });
  const suite = useWebviewSuite();

  before(async () => {
    await addClip(suite);
    review = await VideoReview.open(suite);
  });

  const settled = () => review.page.waitForFunction(() => document.getElementById('video')!.dataset.seeking === undefined).then(() => review.page.evaluate(() => new Promise(requestAnimationFrame)));

  /** Everything a video shortcut can change: messages sent, the frame, playback, selection, what is drawn and said. */
  async function observable(): Promise<string> {
    const page = await review.page.evaluate(() => ({
      frame: document.getElementById('stage')!.dataset.frame,
      playing: !(document.getElementById('video') as HTMLVideoElement).paused,
      boxes: [...document.querySelectorAll<HTMLElement>('#boxes .box')].map((box) => box.className),
      lanes: [...document.querySelectorAll<HTMLElement>('.timeline__lane')].map((lane) => lane.className),
      said: document.getElementById('announcer')!.textContent,
    }));
    return JSON.stringify({ sent: await review.webview.sent(), page });
  }

  for (const command of COMMANDS.filter((info) => info.scope === 'video')) {
    for (const spec of command.keys) {
      it(`${keyLabel(spec)}: ${command.label}`, async () => {
        await review.reload(suite);
        await review.webview.press(...(PRELUDE[command.id as VideoCommandId] ?? []));
        await settled();
        const before = await observable();
        await review.webview.press(spec.shift ? `Shift+${spec.key}` : spec.key === ' ' ? 'Space' : spec.key);
        await settled();
        assert.notEqual(await observable(), before, `${keyLabel(spec)} changed nothing`);
        if (command.id === 'video.playPause') await review.webview.press('Space');
        assert.deepEqual(review.webview.errors, []);
      });
    }
  }
});
