/**
 * Excluding an image from commits in the real workbench: the Explorer's menu of an image offers "Exclude from
 * Commit…" (the reason asked in an input box), then, the image excluded, "Include in Commit Again" instead (the
 * `resourcePath in veil.excludedPaths` clauses); the Veil view lists it under "Excluded from commits" with the reason.
 * Screenshots go to test-results/vscode/.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { useSamplesWorkbench } from './host/samplesWorkbench';
import { SCREENSHOTS } from './host/workbench';
import { PALETTE_INPUT, expandSideBarRow, notificationText, runFromContextMenu, runFromPalette, sideBarRow } from './host/workbenchUi';

const MENU = '.context-view .monaco-menu';

/** The Veil items of the Explorer's menu of `row` (opened until Veil's items are there, then closed). */
async function veilMenuItems(page: Page, row: Locator): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await row.click({ button: 'right' });
    const review = page.locator(MENU).getByText('Review in Veil', { exact: true });
    if (await review.waitFor({ timeout: 2_000 }).then(() => true, () => false)) {
      const items = (await page.locator(`${MENU} .action-label`).allInnerTexts()).map((text) => text.trim());
      await page.keyboard.press('Escape');
      return items.filter((text) => /Commit/.test(text));
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error("Veil's items did not appear in the Explorer's menu within 30 s");
  }
}

describe('excluding an image from commits in the workbench (code-server, headless Chromium)', function () {
  this.timeout(4 * 60_000);
  const samples = useSamplesWorkbench('exclusion-');

  it('the Explorer offers "Exclude from Commit…" on an image, asks why, and then offers "Include in Commit Again" instead; the Veil view lists it as excluded', async () => {
    const { page } = samples.workbench();
    await runFromPalette(page, 'Veil: Detect Faces in Folder');
    await notificationText(page, 'faces proposed');
    await runFromPalette(page, 'View: Show Explorer');
    const astronaut = sideBarRow(page, /^astronaut\.jpg$/);
    assert.deepEqual(await veilMenuItems(page, astronaut), ['Exclude from Commit…']);

    await runFromContextMenu(page, astronaut, 'Exclude from Commit…');
    const reason = page.locator(PALETTE_INPUT);
    await reason.waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget', { hasText: 'why should commits leave this file as it is?' }).waitFor({ timeout: 5_000 });
    await reason.fill('the subject consented (form 12)');
    await page.screenshot({ path: join(SCREENSHOTS, 'exclusion-reason-dark.png') });
    await reason.press('Enter');

    const deadline = Date.now() + 30_000;
    let items = await veilMenuItems(page, astronaut);
    while (items.join() !== 'Include in Commit Again' && Date.now() < deadline) items = await veilMenuItems(page, astronaut);
    assert.deepEqual(items, ['Include in Commit Again']);
    assert.deepEqual(await veilMenuItems(page, sideBarRow(page, /^astronaut-exif-rotated\.jpg$/)), ['Exclude from Commit…'], 'another image lost its Exclude item');

    await page.locator('.activitybar').getByRole('tab', { name: /^Veil/ }).click();
    await expandSideBarRow(page, 'samples');
    await expandSideBarRow(page, /Excluded from commits/);
    const excluded = sideBarRow(page, /astronaut\.jpg.*excluded by .*: the subject consented \(form 12\)/);
    await excluded.waitFor({ timeout: 10_000 });
    assert.match(await sideBarRow(page, 'samples').innerText(), /1 excluded/);
    await page.screenshot({ path: join(SCREENSHOTS, 'exclusion-view-dark.png') });

    // From the keyboard: a click the moment this menu appears is lost while it fades in (the menu stays open).
    await excluded.click({ button: 'right' });
    await page.locator(MENU).getByText('Include in Commit Again', { exact: true }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await excluded.waitFor({ state: 'detached', timeout: 20_000 });
  });
});
