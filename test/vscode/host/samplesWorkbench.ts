/**
 * The mocha hooks of a suite that drives one workbench on a fresh copy of samples/ (dark theme): opened before the
 * suite (after `prepare` has changed the copy), a screenshot of each failed test, closed and removed after it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { REPO_ROOT } from '../../support/paths';
import { requireVscodeHost } from './installedHost';
import { copySamples } from './sampleWorkspace';
import { SCREENSHOTS, lookedAtSettings, openReadyWorkbench, screenshotWhenFailed, type Workbench } from './workbench';

export interface SamplesWorkbench {
  workbench(): Workbench;
  /** The copy of samples/ the window has open. */
  workspace(): string;
}

export function useSamplesWorkbench(failedPrefix: string, prepare?: (workspace: string) => Promise<unknown>): SamplesWorkbench {
  let workbench: Workbench | undefined;
  let workspace: string | undefined;

  before(async function () {
    requireVscodeHost(this);
    mkdirSync(SCREENSHOTS, { recursive: true });
    workspace = copySamples();
    await prepare?.(workspace);
    workbench = await openReadyWorkbench({ extensionDevelopmentPath: REPO_ROOT, folder: workspace, settings: lookedAtSettings('Default Dark Modern') });
  });

  afterEach(screenshotWhenFailed(failedPrefix, () => workbench));

  after(async () => {
    await workbench?.close();
    if (workspace) rmSync(dirname(workspace), { recursive: true, force: true });
  });

  return {
    workbench: () => workbench ?? assertNotOpened(),
    workspace: () => workspace ?? assertNotOpened(),
  };
}

function assertNotOpened(): never {
  throw new Error('the samples workbench is opened by the suite\'s before hook');
}
