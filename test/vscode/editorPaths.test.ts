/**
 * The audit trail and a revealed original in the real workbench, as a key holder sees them: a dataset detected by
 * one reviewer and committed by another, its trail opened from the palette (in the panel, newest first), then the
 * original of a committed image revealed from the palette (the identity picked in VS Code's own file dialog) and shown
 * in the image preview from memory, the trail now leading with the opening. Dark and light themes; screenshots go to
 * test-results/vscode/.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/paths';
import { requireVscodeHost } from './host/installedHost';
import { SCREENSHOTS, lookedAtSettings, openReadyWorkbench, screenshotWhenFailed, type Workbench } from './host/workbench';
import { activeWebview, pickColorTheme, runFromPalette } from './host/workbenchUi';

function trailRow(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.panel .monaco-list-row', { hasText: text }).first();
}

async function cli(args: string[], reviewer: string): Promise<void> {
  const run = await runCli(args, { VEIL_REVIEWER: reviewer });
  assert.equal(run.code, 0, run.stderr);
}

describe('the audit trail and a revealed original in the VS Code workbench (code-server, headless Chromium)', function () {
  this.timeout(4 * 60_000);
  let workbench: Workbench;
  let scratch: string;
  let identity: string;

  before(async function () {
    requireVscodeHost(this);
    mkdirSync(SCREENSHOTS, { recursive: true });
    scratch = mkdtempSync(join(tmpdir(), 'veil-editor-paths-'));
    const dataset = join(scratch, 'street-photos');
    mkdirSync(dataset);
    copyFileSync(join(REPO_ROOT, 'samples', 'astronaut.jpg'), join(dataset, 'astronaut.jpg'));
    copyFileSync(join(REPO_ROOT, 'samples', 'group', 'collage.jpg'), join(dataset, 'collage.jpg'));
    identity = join(scratch, 'keys', 'identity.txt');
    await cli(['keygen', '--out', identity, '--add-to', dataset], 'Alice');
    await cli(['detect', dataset], 'Alice');
    await cli(['commit', dataset, '--include-unreviewed'], 'Bob');
    workbench = await openReadyWorkbench({ extensionDevelopmentPath: REPO_ROOT, folder: dataset, settings: lookedAtSettings('Default Dark Modern') });
  });

  afterEach(screenshotWhenFailed('editor-paths-', () => workbench));

  after(async () => {
    await workbench?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('"Veil: Open Audit Trail" lists the dataset\'s entries newest first in the panel', async () => {
    const { page } = workbench;
    await runFromPalette(page, 'Veil: Open Audit Trail');
    await trailRow(page, /Commit.*Bob — 2 committed/).waitFor({ timeout: 60_000 });
    const rows = await page.locator('.part.panel .monaco-list-row').allInnerTexts();
    assert.match(rows[0], /^Commit/, rows.join(' | '));
    assert.ok(rows.some((row) => /Detection run.*Alice/.test(row.replace(/\s+/g, ' '))), rows.join(' | '));
  });

  it('"Veil: Reveal Original" shows the original of a committed image from memory, and the trail leads with the opening (dark theme screenshot)', async () => {
    const { page } = workbench;
    await runFromPalette(page, 'Veil: Reveal Original');
    const picker = page.locator('.quick-input-widget');
    await picker.locator('.monaco-list-row', { hasText: 'astronaut.jpg' }).first().click();
    // VS Code's own file dialog in the browser: the path is typed into its box once the dialog has listed its
    // starting folder (it sets the box itself until then).
    await picker.getByText('the key (identity file)', { exact: false }).waitFor({ timeout: 30_000 });
    await picker.locator('.monaco-list-row', { hasText: '..' }).first().waitFor({ timeout: 30_000 });
    await picker.locator('input').fill(identity);
    await picker.locator('.monaco-list-row', { hasText: 'identity.txt' }).first().waitFor({ timeout: 30_000 });
    assert.equal(await picker.locator('input').inputValue(), identity);
    await picker.getByRole('button', { name: 'Use Key' }).click();
    const preview = activeWebview(page).locator('img');
    await preview.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('.tabs-container .tab.active')?.textContent?.includes('astronaut.jpg'));
    const loaded = await preview.evaluate(async (image: HTMLImageElement) => {
      if (!image.complete) await new Promise((resolve) => image.addEventListener('load', resolve, { once: true }));
      return { width: image.naturalWidth, height: image.naturalHeight };
    });
    assert.deepEqual(loaded, { width: 512, height: 512 });
    await trailRow(page, /Original opened: astronaut\.jpg/).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('.part.panel .monaco-list-row').first().innerText(), /^Original opened: astronaut\.jpg/);
    await page.mouse.move(0, 0); // no hover tooltip over the shot
    await page.screenshot({ path: join(SCREENSHOTS, 'editor-paths-dark.png') });
  });

  it('follows a switch to the light theme (screenshot)', async () => {
    const { page } = workbench;
    await pickColorTheme(page, 'Light Modern', 'vs');
    await trailRow(page, /Original opened/).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'editor-paths-light.png') });
  });
});
