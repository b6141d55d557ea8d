/**
 * The video review across what happens around it: the panel hidden and shown again (VS Code re-creates the webview
 * from the state it saved) shows the video at the frame it was on, and a save confirmed while the timeline's lanes
 * flash (marking reviewed refused) lets them flash to the end.
 */
import assert from 'node:assert/strict';
import { RecordUpdated } from '../../webview/protocol';
import { WebviewPage } from '../support/webviewHarness';
import { closeCleanPage, useWebviewSuite, type WebviewSuite } from '../support/webviewSuite';
import { CLIP_FILE, clipProxy, clipRecord, frameOfSquareCentre } from './videoClip';
import { addClip, VideoReview } from './videoReview';

/** What the page saved with setState: the harness's stub keeps it. */
type Saved = { file: string | null; frame?: number };

describe('review webview: a video hidden and shown again, and a save during a flash', function () {
  const suite = useWebviewSuite();

  before(async () => {
    await addClip(suite);
  });

  it('shows the video again at the frame it was on when the panel was hidden (paused, and while playing)', async () => {
    const review = await VideoReview.open(suite);
    let saved: Saved;
    try {
      await review.webview.press('Shift+ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight');
      await review.waitForFrame(30);
      saved = (await review.webview.savedState()) as Saved;
      assert.deepEqual([saved.file, saved.frame], [CLIP_FILE, 30]);
    } finally {
      await closeCleanPage(review.webview);
    }

    const shown = await reopened(suite, saved);
    try {
      await shown.waitForFrame(30);
      assert.equal(await shown.page.getAttribute('#timeline', 'data-frame'), '30');
      const drawn = frameOfSquareCentre(await shown.squareCentreShown());
      assert.ok(Math.abs(drawn - 30) < 0.6, `the video shows frame ${drawn}, not 30`);

      // Playing: saved once a second at least, so a panel hidden while it plays comes back near where it was.
      await shown.webview.press(' ');
      await shown.page.waitForFunction(() => Number(document.getElementById('stage')!.dataset.frame) >= 65, undefined, { timeout: 10_000 });
      const playing = Number(await shown.page.getAttribute('#stage', 'data-frame'));
      const frame = ((await shown.webview.savedState()) as Saved).frame!;
      assert.ok(frame > 30 && playing - frame <= 25, `saved frame ${frame} while frame ${playing} played`);
    } finally {
      await closeCleanPage(shown.webview);
    }
  });

  it('keeps the undecided lanes flashing to the end when a save is confirmed meanwhile, then stops them', async () => {
    const review = await VideoReview.open(suite);
    try {
      // Accept the square's track: its save goes out; Enter is refused (t-low still undecided) and its lane flashes.
      await review.webview.press(']', 'a');
      const update = await review.lastUpdate();
      await review.webview.press('Enter');
      const flashing = () => review.page.$$eval('#timeline-lanes .timeline__lane.is-flashing', (lanes) => lanes.map((lane) => (lane as HTMLElement).dataset.trackId));
      assert.deepEqual(await flashing(), ['t-low']);
      await review.page.waitForTimeout(400);

      // The daemon confirms the save: new tracks, the lanes rebuilt.
      const lane = await review.page.$('#timeline-lanes .timeline__lane[data-track-id="t-low"]');
      await review.webview.post(RecordUpdated.create({ record: { ...clipRecord(update.tracks), revision: 2 }, seq: update.seq }));
      await review.page.waitForFunction((old) => !old!.isConnected, lane);
      assert.deepEqual(await flashing(), ['t-low'], 'the flash was cut by the confirmed save');
      // How far into the flash the rebuilt lane's animation is: its time since it started, less its (negative) delay.
      const progress = await review.page.$eval('.timeline__lane[data-track-id="t-low"]', (element) => {
        const timing = element.getAnimations()[0]?.effect?.getComputedTiming();
        return timing ? Number(timing.localTime) - Number(timing.delay) : -1;
      });
      assert.ok(progress >= 350, `the rebuilt lane's flash starts over (${progress} ms into it), instead of going on`);

      await review.page.waitForFunction(() => document.querySelectorAll('.timeline__lane.is-flashing').length === 0, undefined, { timeout: 3000 });
    } finally {
      await closeCleanPage(review.webview);
    }
  });
});

/** A new page started from `saved` (VS Code re-creating a hidden panel), given the dataset and the clip's copy. */
async function reopened(suite: WebviewSuite, saved: Saved): Promise<VideoReview> {
  const webview = await WebviewPage.open(suite.browser, suite.server, { savedState: saved });
  await webview.load(suite.dataset);
  await webview.waitForMessage('video/proxyRequest');
  await webview.post(clipProxy(suite.server.origin));
  await webview.waitForImage(CLIP_FILE);
  return VideoReview.attach(webview);
}
