/**
 * The mocha hooks of a suite that drives one workbench on a fresh copy of samples/ (dark theme): opened before the
 * suite (after `prepare` has changed the copy), a screenshot of each failed test, closed and removed after it.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, SHARED } from '../../support/paths';
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
    // A Veil home of its own with YuNet installed (from ../shared): no better-model offer pops up over the journey
    // (its buttons took the focus the Explorer's context menu needs; the offer has its own host test).
    const home = join(dirname(workspace), 'veil-home');
    const yunet = join(SHARED, 'models', 'yunet_n_dynamic.onnx');
    mkdirSync(join(home, 'models'), { recursive: true });
    if (existsSync(yunet)) copyFileSync(yunet, join(home, 'models', 'yunet_n_dynamic.onnx'));
    workbench = await openReadyWorkbench({ extensionDevelopmentPath: REPO_ROOT, folder: workspace, settings: lookedAtSettings('Default Dark Modern', { 'veil.daemon.home': home }) });
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
