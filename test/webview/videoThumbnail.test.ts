/**
 * A video's row in the review list shows its thumbnail like an image's: the daemon's poster frame (the frame at a tenth
 * of the duration, services/renditions.ts, made here from the test clip), in the light and dark themes (screenshots in
 * test-results/webview).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { thumbnail } from '../../daemon/services/renditions';
import { DEFAULT_MAX_PIXELS } from '../../daemon/image/decode';
import { Thumbnails } from '../../webview/protocol';
import { REPO_ROOT } from '../support/paths';
import { WebviewPage } from '../support/webviewHarness';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';
import { CLIP_FILE } from './videoClip';
import { addClip } from './videoReview';

const RESULTS = join(REPO_ROOT, 'test-results', 'webview');
/** The extension's thumbnail size (extension/reviewPanel.ts): the 320 × 180 clip fits as 160 × 90. */
const SIZE = 160;
const POSTER = 'clip-poster.jpg';

describe('review webview: a video row shows its poster frame as its thumbnail', function () {
  const suite = useWebviewSuite();

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    await addClip(suite);
    const { path } = await thumbnail({ root: suite.folder.dir, file: CLIP_FILE, size: SIZE }, { maxPixels: DEFAULT_MAX_PIXELS });
    suite.folder.images.set(POSTER, { file: POSTER, width: SIZE, height: 90, path });
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`shows the clip's frame at 10% in its row, beside the images' thumbnails, in the ${theme} theme`, async () => {
      const webview = await WebviewPage.open(suite.browser, suite.server, { theme });
      try {
        await webview.load(suite.dataset);
        await webview.waitForImage('a-astronaut.png');
        await webview.waitForMessage('thumbnails/request');
        const thumbs = Object.fromEntries(suite.dataset.entries.map((entry) => [entry.file, `${suite.server.origin}/images/${encodeURIComponent(entry.file === CLIP_FILE ? POSTER : entry.file)}?thumb`]));
        await webview.post(Thumbnails.create({ thumbs }));
        const row = `.filmstrip__row[data-file="${CLIP_FILE}"]`;
        await webview.page.waitForFunction((selector) => {
          const img = document.querySelector<HTMLImageElement>(`${selector} img`);
          return img?.complete && img.naturalWidth > 0;
        }, row);
        // The clip's red square is at x = 10 + 2n px (30 px wide, y 60-90) of frame n: frame 10's centre (45, 75),
        // halved, is red in the poster; frame 0's square ends at x = 40 (20 halved).
        const shown = await webview.page.$eval(`${row} img`, (element) => {
          const img = element as HTMLImageElement;
          const canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth;
          canvas.height = img.naturalHeight;
          const context = canvas.getContext('2d')!;
          context.drawImage(img, 0, 0);
          const [r, g, b] = context.getImageData(22, 37, 1, 1).data;
          const box = img.getBoundingClientRect();
          return { natural: [img.naturalWidth, img.naturalHeight], rgb: [r, g, b], box: [box.width, box.height], visible: getComputedStyle(img).visibility };
        });
        assert.deepEqual(shown.natural, [SIZE, 90]);
        assert.ok(shown.rgb[0]! > 150 && shown.rgb[1]! < 90 && shown.rgb[2]! < 90, `the poster is not frame 10 of the clip: ${shown.rgb.join(',')} where its square is`);
        assert.equal(shown.visible, 'visible');
        assert.ok(shown.box[0]! > 40 && shown.box[1]! > 20, `the thumbnail is drawn ${shown.box.join(' × ')}`);
        await webview.page.locator('#filmstrip').screenshot({ path: join(RESULTS, `video-thumbnail-${theme}.png`) });
      } finally {
        await closeCleanPage(webview);
      }
    });
  }
});
