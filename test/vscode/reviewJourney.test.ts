/**
 * One journey through the real workbench, as a person makes it: open the samples folder, detect faces from
 * the command palette, open the review, see the images with their face boxes, in a dark and a light theme.
 * Screenshots go to test-results/vscode/.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import sharp from 'sharp';
import { faceCount } from '../../daemon/protocol';
import { ASTRONAUT } from '../support/images';
import { runCli } from '../support/cli';
import { readReviewImages } from '../support/reviewFiles';
import { SCREENSHOTS } from './host/workbench';
import { useSamplesWorkbench } from './host/samplesWorkbench';
import { activeWebview, detectFromPalette, pickColorTheme, runFromPalette } from './host/workbenchUi';

/** The four samples and a TIFF scan added to the workspace. */
const SAMPLE_IMAGES = 5;

describe('a review journey through the VS Code workbench (code-server, headless Chromium)', function () {
  this.timeout(3 * 60_000);
  const samples = useSamplesWorkbench('', { prepare: (workspace) => sharp(ASTRONAUT).resize(320, 320).tiff({ compression: 'lzw' }).toFile(join(workspace, 'scan.tif')) });

  it('"Veil: Detect Faces in Folder" from the palette proposes faces in the open folder and says how many', async () => {
    const detected = await detectFromPalette(samples.workbench().page);
    assert.equal(detected.images, SAMPLE_IMAGES, detected.message);
    assert.ok(detected.faces >= 3, detected.message);
  });

  it('"Veil: Review Faces in Folder" shows the images with their face boxes (dark theme screenshot)', async () => {
    await runFromPalette(samples.workbench().page, 'Veil: Review Faces in Folder');
    const review = activeWebview(samples.workbench().page);
    await review.locator('#stage[data-ready="true"]').waitFor({ timeout: 60_000 });
    assert.equal(await review.locator('.filmstrip__row:not([hidden])').count(), SAMPLE_IMAGES);
    const shownImage = await review.locator('#image').evaluate((image: HTMLImageElement) => ({ complete: image.complete, width: image.naturalWidth }));
    assert.equal(shownImage.complete, true);
    assert.ok(shownImage.width > 0, 'the image did not load through the webview');
    assert.ok((await review.locator('#boxes .box').count()) >= 1, 'no face box over the image');
    const iconsLoaded = await review.locator('body').evaluate(async () => {
      await document.fonts.ready;
      return document.fonts.check('16px codicon');
    });
    assert.equal(iconsLoaded, true, 'the codicon font did not load in the VS Code webview (CSP or resource roots)');
    await samples.workbench().page.screenshot({ path: join(SCREENSHOTS, 'review-dark.png') });
  });

  it('the review follows a switch to the light theme and shows every face box of the group photo (screenshot)', async () => {
    const review = activeWebview(samples.workbench().page);
    const background = () => review.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor);
    const darkBackground = await background();
    await pickColorTheme(samples.workbench().page, 'Light Modern', 'vs');
    const deadline = Date.now() + 10_000;
    while ((await background()) === darkBackground) {
      assert.ok(Date.now() < deadline, `the review kept its dark background ${darkBackground}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await review.locator('.filmstrip__row', { hasText: 'collage.jpg' }).click();
    await review.locator('#stage[data-ready="true"][data-file="group/collage.jpg"]').waitFor({ timeout: 30_000 });
    const saved = readReviewImages(samples.workspace());
    // Possible faces (below the threshold) are hidden until asked for.
    assert.equal(await review.locator('#boxes .box').count(), faceCount(saved['group/collage.jpg'].boxes));
    await samples.workbench().page.screenshot({ path: join(SCREENSHOTS, 'review-collage-light.png') });
  });

  it('a terminal `veil detect` while the review is open shows up in the panel, and the next box edit keeps it (issue #8)', async () => {
    const review = activeWebview(samples.workbench().page);
    const shownIds = () => review.locator('#boxes .box').evaluateAll((boxes) => boxes.map((box) => (box as HTMLElement).dataset.id!).sort());
    const before = await shownIds();
    const terminal = await runCli(['detect', samples.workspace(), '--force', '--threshold', '0.3']);
    assert.equal(terminal.code, 0, terminal.stderr);
    const detected = readReviewImages(samples.workspace())['group/collage.jpg'];
    assert.equal(detected.detection?.threshold, 0.3);
    const written = detected.boxes.map((box) => box.id).sort();
    // Shown: the boxes not only possible (those below the threshold are hidden until asked for).
    const expected = detected.boxes.filter((box) => box.state !== 'possible').map((box) => box.id).sort();
    assert.notDeepEqual(expected, before, 'the terminal run should have replaced the untouched proposals');
    const deadline = Date.now() + 10_000;
    while (JSON.stringify(await shownIds()) !== JSON.stringify(expected)) {
      assert.ok(Date.now() < deadline, 'the panel never showed the terminal run');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The box edit is made on what the terminal wrote: nothing it wrote is undone. (Selected with "]", the next-face
    // key: with 27 boxes on the collage, a click at a box's centre may land on a smaller box over it.)
    await review.locator('#stage').focus();
    // In VS Code a key reaches the webview through its keybinding and the extension (an `action` message): the press
    // returns before the webview acts, so each step waits for what it shows (CI read the file before the accept).
    await review.locator('#stage').press(']');
    const selectedBox = review.locator('#boxes .box[aria-pressed="true"]');
    await selectedBox.waitFor({ timeout: 10_000 });
    const selected = await selectedBox.getAttribute('data-id');
    assert.ok(selected && expected.includes(selected), `no box of the terminal run selected (${selected})`);
    await review.locator('#stage').press('a');
    await review.locator(`#boxes .box[data-id="${selected}"][data-kind="accepted"]`).waitFor({ timeout: 10_000 });
    // Read from the saved state itself: a save that starts right after (the panel storing what it heard) must not
    // be mistaken for this edit's (fresh-clone CI: "Saving…" read between the wait and the read).
    const saved = review.locator('#save-state[data-state="saved"]');
    await saved.waitFor({ timeout: 10_000 });
    assert.equal(await saved.textContent({ timeout: 10_000 }), 'All changes saved');
    const after = readReviewImages(samples.workspace());
    assert.equal(after['group/collage.jpg'].detection?.threshold, 0.3);
    assert.deepEqual(after['group/collage.jpg'].boxes.map((box) => box.id).sort(), written);
    assert.equal(after['group/collage.jpg'].boxes.find((box) => box.id === selected)?.state, 'accepted');
    assert.ok(Object.values(after).every((record) => record.detection?.threshold === 0.3), 'an image lost the terminal run');
    await samples.workbench().page.screenshot({ path: join(SCREENSHOTS, 'review-after-terminal-detect-light.png') });
  });

  it('shows a TIFF, which the webview cannot decode, through the daemon\'s display copy, with its face box', async () => {
    const review = activeWebview(samples.workbench().page);
    await review.locator('.filmstrip__row', { hasText: 'scan.tif' }).click();
    await review.locator('#stage[data-ready="true"][data-file="scan.tif"]').waitFor({ timeout: 30_000 });
    const shown = await review.locator('#image').evaluate((image: HTMLImageElement) => ({ src: image.src, width: image.naturalWidth }));
    assert.equal(shown.width, 320, 'the display copy did not load');
    assert.match(shown.src, /\.veil\/display\/[0-9a-f]+\.jpg/);
    assert.ok(await review.locator('#stage-message').isHidden());
    assert.ok((await review.locator('#boxes .box').count()) >= 1, 'no face box over the TIFF');
  });
});
