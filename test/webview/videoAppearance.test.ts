import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Track } from '../../daemon/protocol';
import { REPO_ROOT } from '../support/paths';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';
import { CLIP_FILE, clipRecord } from './videoClip';
import { addClip, VideoReview } from './videoReview';

const RESULTS = join(REPO_ROOT, 'test-results', 'webview');

describe('review webview: a video in VS Code themes', function () {
  const suite = useWebviewSuite();

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    await addClip(suite);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`shows the frame, its boxes and the timeline in the ${theme} theme (screenshots in test-results/webview)`, async () => {
      const review = await VideoReview.open(suite, { theme });
      try {
        // Frame 30: the square's track and the low-score one in view; the possible faces shown; the square's selected.
        await review.webview.press('Shift+ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'v', ']');
        await review.waitForFrame(30);
        await review.page.hover('.box[data-id="t-low"]');
        await review.webview.screenshot(join(RESULTS, `video-${theme}.png`));
        await review.webview.press('p');
        await review.page.mouse.move(5, 5);
        await review.webview.screenshot(join(RESULTS, `video-preview-${theme}.png`));
        const timeline = (await review.page.locator('#timeline').boundingBox())!;
        const stage = (await review.page.locator('#stage').boundingBox())!;
        assert.ok(timeline.y >= stage.y + stage.height - 1, 'the timeline is not under the frame');
        assert.ok(stage.height > 300, `the frame has ${stage.height} px`);
      } finally {
        await closeCleanPage(review.webview);
      }
    });
  }
  it('a video with more tracks than the timeline shows: its lanes scroll, the ruler and playhead still over their frames (screenshot)', async () => {
    const many = Array.from({ length: 14 }, (_, index): Track => ({
      id: `many-${String(index).padStart(2, '0')}`,
      source: 'model',
      state: (['proposed', 'accepted', 'rejected'] as const)[index % 3]!,
      score: 0.5 + index / 40,
      keyframes: [0, 10, 20].map((step) => ({ frame: index * 5 + step, x: 20 * index, y: 10, w: 40, h: 40, score: 0.7 })),
      padBefore: 3,
      padAfter: 3,
      edited: false,
    }));
    const crowded = { ...suite, dataset: { ...suite.dataset, records: suite.dataset.records.map((record) => (record.file === CLIP_FILE ? clipRecord(many) : record)) } };
    const review = await VideoReview.open(crowded, { theme: 'dark' });
    try {
      await review.webview.press('End');
      await review.waitForFrame(99);
      await review.webview.screenshot(join(RESULTS, 'video-many-tracks-dark.png'));
      const edges = await review.page.evaluate(() => {
        const lanes = document.getElementById('timeline-lanes')!;
        const area = lanes.querySelector('.timeline__area')!.getBoundingClientRect();
        const ruler = document.getElementById('timeline-ruler')!.getBoundingClientRect();
        const overlay = document.querySelector('.timeline__overlay')!.getBoundingClientRect();
        return { scrolls: lanes.scrollHeight > lanes.clientHeight, area: [area.left, area.right], ruler: [ruler.left, ruler.right], overlay: [overlay.left, overlay.right] };
      });
      assert.equal(edges.scrolls, true);
      assert.deepEqual(edges.ruler, edges.area);
      assert.deepEqual(edges.overlay, edges.area);
    } finally {
      await closeCleanPage(review.webview);
    }
  });
});
