/**
 * The governance commands as a person meets them in the real workbench, on a copy of samples/ committed with the CLI:
 * "Manage Recipients…" from the palette, and the policy shown read-only with "Edit Policy…" in its title, whose draft
 * has "Apply Policy" in its own. Screenshots go to test-results/vscode/ (the commands' behaviour is proved in the
 * extension host, test/vscode/suite/editorGovernance.suite.ts).
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { useSamplesWorkbench } from './host/samplesWorkbench';
import { SCREENSHOTS } from './host/workbench';
import { PALETTE_ROW, runFromPalette } from './host/workbenchUi';

async function cli(args: string[]): Promise<string> {
  const run = await runCli(args);
  assert.equal(run.code, 0, `veil ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

describe('the governance commands in the workbench (code-server, headless Chromium)', function () {
  this.timeout(4 * 60_000);
  let recipient = '';
  const samples = useSamplesWorkbench('governance-', {
    prepare: async (workspace) => {
      recipient = (await cli(['keygen', '--out', join(workspace, '..', 'key', 'identity.txt'), '--add-to', workspace])).trim();
      await cli(['detect', workspace]);
      await cli(['commit', workspace, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
    },
  });

  it('"Veil: Manage Recipients…" lists the recipient with the originals it opens, and the changes (screenshot)', async () => {
    const { page } = samples.workbench();
    await runFromPalette(page, 'Veil: Manage Recipients…');
    const row = page.locator(PALETTE_ROW, { hasText: recipient });
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /opens (\d+) of \1 originals[\s\S]*commits encrypt to it — select to remove it/);
    for (const change of ['Add Recipient…', 'Rotate File Keys…']) await page.locator(PALETTE_ROW, { hasText: change }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'recipients-pick-dark.png') });
    await page.keyboard.press('Escape');
  });

  it('"Veil: Show Policy" shows the effective policy read-only with "Edit Policy…" in its title; its draft has "Apply Policy" (screenshots)', async () => {
    const { page } = samples.workbench();
    await runFromPalette(page, 'Veil: Show Policy');
    await page.locator('.tab.active', { hasText: 'effective-policy.json' }).waitFor({ timeout: 30_000 });
    const edit = page.locator('.editor-actions .action-label[aria-label^="Edit Policy"]');
    await edit.waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.monaco-editor .view-lines').first().innerText(), /"purposes"/);
    await page.screenshot({ path: join(SCREENSHOTS, 'policy-effective-dark.png') });

    await edit.click();
    await page.locator('.tab.active', { hasText: /^Untitled/ }).waitFor({ timeout: 10_000 });
    await page.locator('.editor-actions .action-label[aria-label^="Apply Policy"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'policy-draft-dark.png') });
  });
});
