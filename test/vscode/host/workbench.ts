/**
 * A real VS Code workbench: code-server plus headless Chromium on its page, with Veil loaded as the extension
 * under development (or, without a development path, only the extensions installed in `extensionsDir`) and,
 * optionally, a test runner in its extension host. The built workbench reads the development paths only from the
 * page URL's `payload`, and only with the smoke-test driver enabled; it reports the tests' end through
 * `window.codeAutomationExit` and the host's log through `codeAutomationLog`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../support/webviewHarness';
import { REPO_ROOT } from '../../support/paths';
import { startCodeServer, type CodeServer } from './codeServer';
import { installedHost } from './installedHost';

export interface WorkbenchOptions {
  /** The extension loaded from source; absent when the window runs only the extensions installed in `extensionsDir`. */
  extensionDevelopmentPath?: string;
  /** The extension-host test runner (a module exporting `run()`); none for a workbench driven by the page. */
  extensionTestsPath?: string;
  /** The folder the window opens. */
  folder?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** User settings written before the server starts. */
  settings?: Record<string, unknown>;
  onLog?: (level: string, message: string) => void;
}

export interface Workbench {
  page: Page;
  /** Settles with the exit code the extension-host tests reported. */
  testsExited: Promise<number>;
  /**
   * Changes settings of the window's folder (its .vscode/settings.json), which the window applies as it does a
   * person's edit. Not the user settings.json: code-server's window applied only the first change of that file (in a
   * probe it missed every later theme switch of five), while it followed each change of the folder's within 1.1 s.
   */
  updateFolderSettings(changes: Record<string, unknown>): void;
  close(): Promise<void>;
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const path = join(userDataDir, 'User', 'settings.json');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(settings, null, 2));
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const host = installedHost();
  const runDir = mkdtempSync(join(tmpdir(), 'veil-vscode-'));
  const userDataDir = options.userDataDir ?? join(runDir, 'user-data');
  writeUserSettings(userDataDir, { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', ...options.settings });
  let folderSettings: Record<string, unknown> = {};
  const updateFolderSettings = (changes: Record<string, unknown>) => {
    if (!options.folder) throw new Error('the window has no folder to hold settings');
    folderSettings = { ...folderSettings, ...changes };
    mkdirSync(join(options.folder, '.vscode'), { recursive: true });
    writeFileSync(join(options.folder, '.vscode', 'settings.json'), JSON.stringify(folderSettings, null, 2));
  };
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer(host, { runDir, userDataDir, extensionsDir: options.extensionsDir ?? join(runDir, 'extensions') });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let reportExit: (code: number) => void = () => undefined;
    const testsExited = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => options.onLog?.(level, String(message)));
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    await page.goto(workbenchUrl(server.origin, options));
    return { page, testsExited, updateFolderSettings, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function workbenchUrl(origin: string, options: WorkbenchOptions): string {
  const url = new URL(origin);
  const remote = (path: string) => `vscode-remote://${url.host}${path}`;
  const payload: Array<[string, string]> = [['skipWelcome', 'true']];
  if (options.extensionDevelopmentPath) payload.unshift(['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  if (options.folder) url.searchParams.set('folder', options.folder);
  url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** Where workbench screenshots go, to be looked at. */
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'vscode');

/** Settings of a window a test looks at: its theme, and no secondary side bar or AI chat taking the space. */
export function lookedAtSettings(theme: 'Default Dark Modern' | 'Default Light Modern', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'workbench.colorTheme': theme, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true, ...extra };
}

/** A window on `options.folder`, returned once its Explorer has rendered. */
export async function openReadyWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const workbench = await openWorkbench(options);
  await workbench.page.locator('.monaco-workbench .explorer-folders-view').waitFor({ timeout: 60_000 });
  return workbench;
}

/** An `afterEach` hook that saves a screenshot of the window when the test failed (`<prefix>failed-<title>.png`). */
export function screenshotWhenFailed(prefix: string, workbench: () => Workbench | undefined): (this: Mocha.Context) => Promise<void> {
  return async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    await workbench()?.page.screenshot({ path: join(SCREENSHOTS, `${prefix}failed-${test.title.slice(0, 40).replace(/\W+/g, '-')}.png`) });
  };
}
