/** The review webview showing the test clip (videoClip.ts), and what the video tests read from it. */
import assert from 'node:assert/strict';
import type { Rect, Track } from '../../daemon/protocol';
import { ImageShow, type ReviewUpdateParams } from '../../webview/protocol';
import { withImages } from '../support/webviewDataset';
import { WebviewPage, type OpenOptions } from '../support/webviewHarness';
import type { WebviewSuite } from '../support/webviewSuite';
import { CLIP_FILE, clipProxy, clipRecord, makeClip } from './videoClip';

/** The clip added to a suite's dataset (made once per suite). */
export async function addClip(suite: WebviewSuite): Promise<void> {
  const entry = await makeClip(suite.folder);
  suite.dataset = withImages(suite.dataset, { entry, record: clipRecord() });
}

export class VideoReview {
  private constructor(readonly webview: WebviewPage) {}

  get page() {
    return this.webview.page;
  }

  /** A page with the dataset loaded and the clip shown at its first frame (its playable copy answered, as the extension does). */
  static async open(suite: WebviewSuite, options: OpenOptions = {}): Promise<VideoReview> {
    const review = new VideoReview(await WebviewPage.open(suite.browser, suite.server, options));
    await review.showClip(suite);
    return review;
  }

  /** A page that does not show the clip yet (the test drives the start itself). */
  static attach(webview: WebviewPage): VideoReview {
    return new VideoReview(webview);
  }

  /** The page afresh (reloaded: nothing of the last test left), the clip shown at its first frame. */
  async reload(suite: WebviewSuite): Promise<void> {
    await this.page.reload();
    await this.webview.applyTheme('dark');
    await this.webview.waitForMessage('ready');
    await this.showClip(suite);
  }

  private async showClip(suite: WebviewSuite): Promise<void> {
    const webview = this.webview;
    await webview.load(suite.dataset);
    await webview.waitForImage('a-astronaut.png');
    await webview.post(ImageShow.create({ file: CLIP_FILE }));
    await webview.waitForMessage('video/proxyRequest');
    await webview.post(clipProxy(suite.server.origin));
    await webview.waitForImage(CLIP_FILE);
    await this.waitForFrame(0);
    await webview.page.focus('#stage');
  }

  /** The frame the stage says it shows. */
  async frame(): Promise<number> {
    return Number(await this.page.getAttribute('#stage', 'data-frame'));
  }

  /** Waits until frame n is on screen and no seek is under way. */
  async waitForFrame(frame: number): Promise<void> {
    await this.page.waitForFunction(
      (wanted) => document.getElementById('stage')!.dataset.frame === String(wanted) && document.getElementById('video')!.dataset.seeking === undefined,
      frame,
    );
  }

  /** The video's on-screen rectangle and scale (video displayed pixels → page pixels). */
  async videoGeometry(): Promise<{ x: number; y: number; scale: number }> {
    return this.page.$eval('#video', (video) => {
      const rect = video.getBoundingClientRect();
      return { x: rect.x, y: rect.y, scale: rect.width / (video as HTMLVideoElement).offsetWidth };
    });
  }

  /** A rectangle of video pixels on the page. */
  async onPage(rect: Rect): Promise<Rect> {
    const video = await this.videoGeometry();
    return { x: video.x + rect.x * video.scale, y: video.y + rect.y * video.scale, w: rect.w * video.scale, h: rect.h * video.scale };
  }

  /**
   * Where the red square is in the frame the <video> shows: the centre of its red pixels on the copy's row through
   * it, in copy pixels (read from the decoded frame, not from the page's idea of it).
   */
  async squareCentreShown(): Promise<number> {
    return this.page.$eval('#video', (element) => {
      const video = element as HTMLVideoElement;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(video, 0, 0);
      const row = context.getImageData(0, 75, canvas.width, 1).data;
      const red: number[] = [];
      for (let x = 0; x < canvas.width; x++) if (row[4 * x]! > 200 && row[4 * x + 1]! < 90 && row[4 * x + 2]! < 90) red.push(x);
      return red.length === 0 ? NaN : (red[0]! + red[red.length - 1]! + 1) / 2;
    });
  }

  /** The timeline's lanes, top to bottom. */
  async lanes(): Promise<Array<{ id: string; kind: string; selected: boolean; uncertain: number }>> {
    return this.page.$$eval('#timeline-lanes .timeline__lane', (lanes) =>
      lanes.map((lane) => ({
        id: (lane as HTMLElement).dataset.trackId!,
        kind: (lane as HTMLElement).dataset.kind!,
        selected: lane.classList.contains('is-selected'),
        uncertain: lane.querySelectorAll('.timeline__uncertain').length,
      })),
    );
  }

  async selectedTrack(): Promise<string | undefined> {
    return (await this.lanes()).find((lane) => lane.selected)?.id;
  }

  /** The last `review/update` the webview sent. */
  async lastUpdate(): Promise<ReviewUpdateParams> {
    const updates = await this.webview.sentOfType('review/update');
    assert.ok(updates.length > 0, 'no review/update sent');
    return updates[updates.length - 1]!;
  }

  /** The track of that id in the last update's tracks. */
  async savedTrack(id: string): Promise<Track> {
    const update = await this.lastUpdate();
    const track = update.tracks?.find((candidate) => candidate.id === id);
    assert.ok(track, `track ${id} not in the last update`);
    return track;
  }

  /** Drags on the page from one point to another (mouse), in steps. */
  async drag(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
    const mouse = this.page.mouse;
    await mouse.move(from.x, from.y);
    await mouse.down();
    await mouse.move(to.x, to.y, { steps: 5 });
    await mouse.up();
  }

  async footer(): Promise<{ announced: string; error: string }> {
    return { announced: (await this.page.textContent('#announcer')) ?? '', error: (await this.page.textContent('#error')) ?? '' };
  }
}

/** Within `tolerance` of each other. */
export function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}
