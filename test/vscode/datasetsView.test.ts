/**
 * The Veil view in the real workbench, as a person uses it: a workspace holding the samples (detected, one image
 * reviewed through a second daemon) and a 10,000-image dataset; the Veil icon in the activity bar opens the view
 * with each dataset's counts; a group lists its images a page at a time; a click on an image opens the review at
 * it; dark and light themes. Screenshots go to test-results/vscode/.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { runCli } from '../support/cli';
import { startDaemon } from '../support/daemon';
import { REPO_ROOT } from '../support/paths';
import { readReviewImages } from '../support/reviewFiles';
import { fabricateLargeDataset } from './host/largeDataset';
import { copySamples } from './host/sampleWorkspace';
import { SCREENSHOTS } from './host/workbench';
import { fromCheckout, useWorkbench } from './host/workbenchFixture';
import { activeWebview, expandSideBarRow, pickColorTheme, sideBarRow } from './host/workbenchUi';

const LARGE = 10_000;
/** What the view must do for a 10,000-image dataset: show its counts within a second of being opened. */
const COUNTS_SHOWN_MS = 1_000;
/**
 * A window opened for the first time on a dataset waits for the daemon's first read of it (started with the window:
 * `dataset/status`, median 0.91 s after the Veil icon click for 10,000 images on the loaded 2-core development machine,
 * 0.39–2.15 s over 6 runs at load 7–12; bench/viewCounts.ts: 0.72 s cold). Only a guard against a regression: the
 * bar lives in the benchmark; this is measured and logged.
 */
const FIRST_READ_SHOWN_MS = 5_000;


/** Goes to the end of the view's list (End, again until `last` shows: a group's children arrive after it expands). */
async function scrollToEnd(page: Page, last: Locator): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await last.isVisible())) {
    assert.ok(Date.now() < deadline, 'the end of the list never showed');
    await page.keyboard.press('End');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}


describe('the Veil view in the VS Code workbench (code-server, headless Chromium)', function () {
  this.timeout(4 * 60_000);
  let workspace: string;
  let largeCounts: Awaited<ReturnType<typeof fabricateLargeDataset>>;
  const fixture = useWorkbench('', async (scratch) => {
    // The workspace holds `samples/` and the large dataset beside it.
    workspace = join(scratch, 'workspace');
    const samples = copySamples(workspace);
    const detected = await runCli(['detect', samples]);
    assert.equal(detected.code, 0, detected.stderr);
    const daemon = await startDaemon();
    try {
      // A review decision made elsewhere: the astronaut's face accepted and the image marked reviewed.
      const record = await daemon.client.request('review/get', { root: samples, file: 'astronaut.jpg' });
      const boxes = record.boxes.map((box) => ({ ...box, state: 'accepted' as const }));
      await daemon.client.request('review/update', { root: samples, file: 'astronaut.jpg', boxes, status: 'reviewed', baseRevision: record.revision });
    } finally {
      await daemon.client.close();
    }
    largeCounts = await fabricateLargeDataset(join(workspace, 'survey'), LARGE);
    return fromCheckout(workspace, 'Default Dark Modern');
  });

  it('a workspace holding datasets starts Veil with the window; the Veil icon opens the view with every dataset\'s counts', async () => {
    const { page } = fixture.workbench();
    // The status-bar shield exists once Veil is active: activated by the datasets in the workspace, no view shown yet.
    await page.locator('.statusbar-item', { hasText: 'Veil' }).waitFor({ timeout: 60_000 });
    assert.ok(await page.locator('.explorer-folders-view').isVisible(), 'the explorer is no longer the side bar');
    const icon = page.locator('.activitybar').getByRole('tab', { name: /^Veil/ });
    const clicked = Date.now();
    await icon.click();
    await sideBarRow(page, /survey.*10,000 images/).waitFor({ timeout: 60_000 });
    const shownMs = Date.now() - clicked;
    console.log(`      ${LARGE} images counted in the view ${shownMs} ms after the Veil icon was clicked in a window just opened`);
    const done = Math.floor(((largeCounts.reviewed + largeCounts.committed) / LARGE) * 100);
    assert.match(await sideBarRow(page, 'survey').innerText(), new RegExp(`10,000 images · ${done} % done`));
    const samples = readReviewImages(join(workspace, 'samples'));
    assert.match(await sideBarRow(page, 'samples').innerText(), new RegExp(`${Object.keys(samples).length} images · 25 % done`));
    assert.ok(shownMs <= FIRST_READ_SHOWN_MS, `the counts took ${shownMs} ms`);
  });

  it('a group of 10,000 images lists them 500 at a time, with a "Show more" item', async () => {
    const { page } = fixture.workbench();
    await expandSideBarRow(page, 'survey');
    const started = Date.now();
    await expandSideBarRow(page, new RegExp(`Unreviewed.*${largeCounts.unreviewed.toLocaleString('en-US')}`));
    await sideBarRow(page, 'img-000001.jpg').waitFor({ timeout: 10_000 });
    console.log(`      the first page of ${largeCounts.unreviewed} unreviewed images shown ${Date.now() - started} ms after the group was clicked`);
    const more = sideBarRow(page, 'Show 500 more');
    await scrollToEnd(page, more);
    assert.match(await more.innerText(), new RegExp(`${(largeCounts.unreviewed - 500).toLocaleString('en-US')} not shown`));
    await more.click();
    await scrollToEnd(page, sideBarRow(page, new RegExp(`${(largeCounts.unreviewed - 1000).toLocaleString('en-US')} not shown`)));
    await page.keyboard.press('Home');
    await sideBarRow(page, 'survey').click();
    await page.keyboard.press('ArrowLeft'); // collapses the large dataset again
  });

  it('shows the samples by status with their faces, and the dataset actions on a right click (dark theme screenshots)', async () => {
    const { page } = fixture.workbench();
    await expandSideBarRow(page, 'samples');
    await expandSideBarRow(page, /Unreviewed/);
    await sideBarRow(page, 'collage.jpg').waitFor();
    assert.match(await sideBarRow(page, 'collage.jpg').innerText(), /group · \d+ faces/);
    assert.match(await sideBarRow(page, /^\s*Reviewed/).innerText(), /1/);
    await page.screenshot({ path: join(SCREENSHOTS, 'datasets-view-dark.png') });
    await sideBarRow(page, 'samples').click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    for (const action of ['Review Faces in Folder', 'Detect Faces in Folder', 'Commit Anonymized Images', 'Verify Dataset', 'Open Audit Trail']) {
      await menu.getByText(action, { exact: true }).waitFor({ timeout: 10_000 });
    }
    await page.waitForTimeout(300); // the menu fades in
    await page.screenshot({ path: join(SCREENSHOTS, 'datasets-view-menu-dark.png') });
    await page.keyboard.press('Escape');
  });

  it('clicking an image opens the review at that image', async () => {
    const { page } = fixture.workbench();
    await sideBarRow(page, 'collage.jpg').click();
    const review = activeWebview(page);
    await review.locator('#stage[data-ready="true"][data-file="group/collage.jpg"]').waitFor({ timeout: 60_000 });
  });

  it('follows a switch to the light theme (screenshot)', async () => {
    const { page } = fixture.workbench();
    await pickColorTheme(page, 'Light Modern', 'vs');
    await sideBarRow(page, 'collage.jpg').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'datasets-view-light.png') });
  });

  it(`a window opened again shows the ${LARGE.toLocaleString('en-US')} images' counts as soon as the view appears, within ${COUNTS_SHOWN_MS} ms`, async () => {
    const { page } = fixture.workbench();
    await page.reload();
    const survey = sideBarRow(page, 'survey');
    await survey.waitFor({ timeout: 60_000 });
    const appeared = Date.now();
    const firstSight = (await survey.innerText()).replace(/\s+/g, ' ');
    const counted = /10,000 images/;
    if (!counted.test(firstSight)) await sideBarRow(page, /survey.*10,000 images/).waitFor({ timeout: 60_000 });
    const shownMs = counted.test(firstSight) ? 0 : Date.now() - appeared;
    console.log(`      in a window opened again the view appeared with "${firstSight}"; counts shown ${shownMs} ms after it appeared`);
    assert.ok(shownMs <= COUNTS_SHOWN_MS, `the counts took ${shownMs} ms after the view appeared`);
  });
});

describe('the Veil view of a workspace without a dataset (code-server, headless Chromium)', function () {
  this.timeout(3 * 60_000);
  const fixture = useWorkbench('view-welcome-', async (scratch) => {
    const workspace = join(scratch, 'photos');
    mkdirSync(workspace);
    copyFileSync(join(REPO_ROOT, 'samples', 'astronaut.jpg'), join(workspace, 'astronaut.jpg'));
    return fromCheckout(workspace, 'Default Dark Modern');
  });

  it('says how a folder becomes a dataset and offers "Open Folder with Veil", which asks for the folder (screenshot)', async () => {
    const { page } = fixture.workbench();
    await page.locator('.activitybar').getByRole('tab', { name: /^Veil/ }).click();
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    await welcome.getByText('No Veil dataset in this workspace yet', { exact: false }).waitFor({ timeout: 60_000 });
    const button = welcome.getByRole('button', { name: 'Open Folder with Veil' });
    await button.waitFor();
    // Veil activated by the view (the status-bar shield), and the view's progress badge in the activity bar gone.
    await page.locator('.statusbar-item', { hasText: 'Veil' }).waitFor({ timeout: 60_000 });
    await page.locator('.activitybar li.action-item[aria-label="Veil"] .badge').waitFor({ state: 'hidden', timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'datasets-view-welcome-dark.png') });
    await button.click();
    await page.locator('.quick-input-widget', { hasText: 'Veil: choose a folder of images to review' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
  });
});
