/**
 * Journey B through the real workbench: "Detect Faces in Folder" on a dataset of 300 photos, cancelled from its
 * progress notification mid-way; the notification goes, the summary says how far it got and how to resume, the Veil
 * view lists exactly the images the daemon's review state has detected and those it has not; a second Detect does
 * only the rest. Every step is screenshotted in the dark and the light theme (test-results/vscode/journey-b-*.png).
 */
import { strict as assert } from 'node:assert';
import { join, posix } from 'node:path';
import type { Page } from 'playwright-core';
import { auditLines } from '../support/reviewAudit';
import { readReviewImages } from '../support/reviewFiles';
import { shotFile, writeDetectableDataset } from './host/detectableDataset';
import { veilHomeWithYunet } from './host/samplesWorkbench';
import { fromCheckout, useWorkbench } from './host/workbenchFixture';
import { expandSideBarRow, notificationText, runFromPalette, screenshotBothThemes, sideBarRow } from './host/workbenchUi';

const IMAGES = 300;
/** Cancel once this many images are done: far enough to have detected some, far from the end. */
const CANCEL_AFTER = 10;
const DATASET = 'street-survey';

/** The dataset's images the daemon's review state has detected. */
function detectedOnDisk(dataset: string): Set<string> {
  return new Set(Object.values(readReviewImages(dataset)).flatMap((record) => (record.detection ? [record.file] : [])));
}

/** Puts the keyboard in the Veil view's list, at its top (a click on a row would fold it or open an image). */
async function focusTop(page: Page): Promise<void> {
  await page.locator('.part.sidebar .monaco-list').first().focus();
  await page.keyboard.press('Home');
}

/**
 * The Veil view's image rows under the expanded group, by name with their description ("camera-0 · 2 faces", "… · not
 * detected yet"): the list draws only the rows in sight, so it is paged through from the top.
 */
async function listedImages(page: Page): Promise<Map<string, string>> {
  const listed = new Map<string, string>();
  const rows = page.locator('.part.sidebar .monaco-list-row[aria-level="3"]');
  await focusTop(page);
  for (let unchanged = 0; unchanged < 2; ) {
    const before = listed.size;
    for (const row of await rows.all()) {
      const name = await row.locator('.label-name').innerText().catch(() => '');
      if (name) listed.set(name, await row.locator('.label-description').innerText());
    }
    unchanged = listed.size === before ? unchanged + 1 : 0;
    await page.keyboard.press('PageDown');
  }
  return listed;
}

/** Waits until the Veil view lists every image, detected as the daemon's review state says; returns the listing. */
async function waitForListing(page: Page, dataset: string): Promise<Map<string, string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const detected = detectedOnDisk(dataset);
    const listed = await listedImages(page);
    const wrong = Array.from({ length: IMAGES }, (_, i) => shotFile(i)).filter((file) => {
      const description = listed.get(posix.basename(file));
      return description === undefined || description.includes('not detected yet') === detected.has(file);
    });
    if (wrong.length === 0 && listed.size === IMAGES) return listed;
    assert.ok(Date.now() < deadline, `the view lists ${listed.size} images; ${wrong.length} not as the review state has them, e.g. ${wrong.slice(0, 3).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Scrolls the Veil view from the top until the row of `name` is in sight. */
async function scrollTo(page: Page, name: string): Promise<void> {
  await focusTop(page);
  const deadline = Date.now() + 30_000;
  while (!(await sideBarRow(page, name).isVisible())) {
    assert.ok(Date.now() < deadline, `${name} never came into sight`);
    await page.keyboard.press('PageDown');
  }
}

describe('journey B: Detect on 300 images cancelled mid-way, then finished, in the VS Code workbench (code-server, headless Chromium)', function () {
  this.timeout(8 * 60_000);
  const fixture = useWorkbench('journey-b-', async (scratch) => {
    const dataset = join(scratch, DATASET);
    await writeDetectableDataset(dataset, IMAGES);
    return fromCheckout(dataset, 'Default Dark Modern', { 'veil.daemon.home': veilHomeWithYunet(scratch) });
  });
  const dataset = () => join(fixture.scratch(), DATASET);
  /** Images the cancelled run detected. */
  let firstRun: number;

  it('Cancel on the progress notification stops the detection mid-way: the notification goes, and the summary says how far it got and how to resume', async () => {
    const workbench = fixture.workbench();
    const { page } = workbench;
    const started = Date.now();
    await runFromPalette(page, 'Veil: Detect Faces in Folder');
    // The progress notification, in the notification center (this window shows no toasts: see notificationText), which
    // lists the same notification with its Cancel button.
    await runFromPalette(page, 'Notifications: Show Notifications');
    const progress = page.locator('.notifications-center .notification-list-item', { hasText: 'Veil: detecting faces' });
    const done = async () => Number(/(\d+)\/300/.exec(await progress.innerText().catch(() => ''))?.[1] ?? 0);
    const deadline = Date.now() + 120_000;
    while ((await done()) < CANCEL_AFTER) {
      assert.ok(Date.now() < deadline, 'the progress notification did not count images within 2 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await screenshotBothThemes(workbench, 'journey-b-01-detecting');
    const shownBeforeCancel = await done();
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached', timeout: 30_000 });
    const message = await notificationText(page, 'Cancelled', {
      whileShown: async () => {
        assert.equal(await progress.count(), 0, 'the progress notification is still listed');
        await screenshotBothThemes(workbench, 'journey-b-02-cancelled');
      },
    });
    console.log(`      cancelled ${((Date.now() - started) / 1000).toFixed(1)} s after Detect, at ${shownBeforeCancel}/300 shown; ${message.replace(/\s+/g, ' ')}`);
    const summary = /faces proposed in (\d+) images \(model yunet\): (\d+) detected now, 0 already done\. Cancelled: run Detect Faces again to finish the rest/.exec(message);
    assert.ok(summary, message);
    firstRun = Number(summary[2]);
    assert.equal(Number(summary[1]), firstRun);
    assert.ok(firstRun >= shownBeforeCancel && firstRun < IMAGES, `cancelled at ${shownBeforeCancel}, detected ${firstRun} of ${IMAGES}`);
    assert.equal(detectedOnDisk(dataset()).size, firstRun);
  });

  it('the Veil view counts the 300 images and lists exactly the images the review state has detected with their faces, the others "not detected yet"', async () => {
    const workbench = fixture.workbench();
    const { page } = workbench;
    await page.locator('.activitybar').getByRole('tab', { name: /^Veil/ }).click();
    await sideBarRow(page, new RegExp(`${DATASET}.*300 images · 0 % done`)).waitFor({ timeout: 60_000 });
    await expandSideBarRow(page, DATASET);
    await sideBarRow(page, /Unreviewed.*300/).waitFor({ timeout: 30_000 });
    await expandSideBarRow(page, /Unreviewed/);
    const listed = await waitForListing(page, dataset());
    const notDetected = [...listed.values()].filter((description) => description.includes('not detected yet')).length;
    assert.equal(notDetected, IMAGES - firstRun);
    // The daemon detects in path order: the view shows where the run stopped.
    await scrollTo(page, posix.basename(shotFile(firstRun)));
    await page.mouse.move(0, 0);
    await screenshotBothThemes(workbench, 'journey-b-03-view-after-cancel');
  });

  it(`a second "Detect Faces in Folder" detects only the rest: "<rest> detected now, <done> already done", and the view lists every image with its faces`, async () => {
    const workbench = fixture.workbench();
    const { page } = workbench;
    const started = Date.now();
    await runFromPalette(page, 'Veil: Detect Faces in Folder');
    const message = await notificationText(page, 'faces proposed', { timeoutMs: 5 * 60_000, whileShown: () => screenshotBothThemes(workbench, 'journey-b-04-finished') });
    console.log(`      the second run took ${((Date.now() - started) / 1000).toFixed(1)} s: ${message.replace(/\s+/g, ' ')}`);
    assert.match(message, new RegExp(`in 300 images \\(model yunet\\): ${IMAGES - firstRun} detected now, ${firstRun} already done\\.`));
    assert.doesNotMatch(message, /Cancelled/);
    assert.equal(detectedOnDisk(dataset()).size, IMAGES);
    // Each image was detected once: by the first run or by the second.
    const detections = auditLines(dataset()).filter((line) => line.type === 'detect-image');
    assert.equal(detections.length, IMAGES);
    assert.equal(new Set(detections.map((line) => line.file)).size, IMAGES);
    const listed = await waitForListing(page, dataset());
    assert.ok([...listed.values()].every((description) => /\d+ faces?|no face/.test(description)), 'an image is listed without its faces');
    await scrollTo(page, posix.basename(shotFile(firstRun)));
    await page.mouse.move(0, 0);
    await screenshotBothThemes(workbench, 'journey-b-05-view-finished');
  });
});
