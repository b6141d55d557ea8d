/**
 * The mocha hooks of a suite that drives one workbench: before the suite a scratch folder of its own, which `prepare`
 * fills and from which it says what the window opens; a screenshot of each failed test; after the suite the window
 * closed and the scratch folder removed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths';
import { requireVscodeHost } from './installedHost';
import { SCREENSHOTS, lookedAtSettings, openReadyWorkbench, screenshotWhenFailed, type Workbench, type WorkbenchOptions } from './workbench';

export interface WorkbenchFixture {
  workbench(): Workbench;
  /** The suite's scratch folder (removed after it). */
  scratch(): string;
}

/** A window on `folder` with Veil loaded from this checkout, in `theme`, with `settings` added. */
export function fromCheckout(folder: string, theme: Parameters<typeof lookedAtSettings>[0], settings: Record<string, unknown> = {}): WorkbenchOptions {
  return { extensionDevelopmentPath: REPO_ROOT, folder, settings: lookedAtSettings(theme, settings) };
}

export function useWorkbench(failedPrefix: string, prepare: (scratch: string) => Promise<WorkbenchOptions>): WorkbenchFixture {
  let workbench: Workbench | undefined;
  let scratch: string | undefined;

  before(async function () {
    requireVscodeHost(this);
    mkdirSync(SCREENSHOTS, { recursive: true });
    scratch = mkdtempSync(join(tmpdir(), 'veil-vscode-ws-'));
    workbench = await openReadyWorkbench(await prepare(scratch));
  });

  afterEach(screenshotWhenFailed(failedPrefix, () => workbench));

  after(async () => {
    await workbench?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  return {
    workbench: () => workbench ?? notOpened(),
    scratch: () => scratch ?? notOpened(),
  };
}

function notOpened(): never {
  throw new Error("the workbench is opened by the suite's before hook");
}
