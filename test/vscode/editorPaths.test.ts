/**
 * The audit trail and a revealed original in the real workbench, as a key holder sees them: a dataset detected by
 * one reviewer and committed by another, its trail opened from the palette (in the panel, newest first), then the
 * original of a committed image revealed from the palette (the identity picked in VS Code's own file dialog, the
 * purpose stated) and shown in the image preview from memory, the trail now leading with the opening. Dark and light themes; screenshots go to
 * test-results/vscode/.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/paths';
import { SCREENSHOTS } from './host/workbench';
import { fromCheckout, useWorkbench } from './host/workbenchFixture';
import { loadedSize, pickColorTheme, revealOriginalFromPalette, runFromPalette } from './host/workbenchUi';

function trailRow(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.panel .monaco-list-row', { hasText: text }).first();
}

async function cli(args: string[], reviewer: string): Promise<void> {
  const run = await runCli(args, { VEIL_REVIEWER: reviewer });
  assert.equal(run.code, 0, run.stderr);
}

describe('the audit trail and a revealed original in the VS Code workbench (code-server, headless Chromium)', function () {
  this.timeout(4 * 60_000);
  let identity: string;
  const fixture = useWorkbench('editor-paths-', async (scratch) => {
    const dataset = join(scratch, 'street-photos');
    mkdirSync(dataset);
    copyFileSync(join(REPO_ROOT, 'samples', 'astronaut.jpg'), join(dataset, 'astronaut.jpg'));
    copyFileSync(join(REPO_ROOT, 'samples', 'group', 'collage.jpg'), join(dataset, 'collage.jpg'));
    identity = join(scratch, 'keys', 'identity.txt');
    await cli(['keygen', '--out', identity, '--add-to', dataset], 'Alice');
    await cli(['detect', dataset], 'Alice');
    await cli(['commit', dataset, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are'], 'Bob');
    return fromCheckout(dataset, 'Default Dark Modern');
  });

  it('"Veil: Open Audit Trail" lists the dataset\'s entries newest first in the panel', async () => {
    const { page } = fixture.workbench();
    await runFromPalette(page, 'Veil: Open Audit Trail');
    await trailRow(page, /Commit.*Bob — 2 committed/).waitFor({ timeout: 60_000 });
    const rows = await page.locator('.part.panel .monaco-list-row').allInnerTexts();
    assert.match(rows[0], /^Commit/, rows.join(' | '));
    assert.ok(rows.some((row) => /Detection run.*Alice/.test(row.replace(/\s+/g, ' '))), rows.join(' | '));
  });

  it('"Veil: Reveal Original" shows the original of a committed image from memory, and the trail leads with the opening (dark theme screenshot)', async () => {
    const { page } = fixture.workbench();
    const preview = await revealOriginalFromPalette(page, { file: 'astronaut.jpg', identity, purpose: 'checking the commit' });
    assert.deepEqual(await loadedSize(preview), { width: 512, height: 512 });
    await trailRow(page, /Original opened: astronaut\.jpg/).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('.part.panel .monaco-list-row').first().innerText(), /^Original opened: astronaut\.jpg/);
    await page.mouse.move(0, 0); // no hover tooltip over the shot
    await page.screenshot({ path: join(SCREENSHOTS, 'editor-paths-dark.png') });
  });

  it('follows a switch to the light theme (screenshot)', async () => {
    const { page } = fixture.workbench();
    await pickColorTheme(page, 'Light Modern', 'vs');
    await trailRow(page, /Original opened/).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'editor-paths-light.png') });
  });
});
