import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ImageFolder, standardDataset, type ReviewFixture } from './webviewDataset';
import { launchChromium, WebviewPage, WebviewServer } from './webviewHarness';

/** What a webview suite shares: one Chromium, one file server and the standard six-image dataset. */
export interface WebviewSuite {
  browser: Browser;
  server: WebviewServer;
  dataset: ReviewFixture;
  /** The images the server serves: a test may add its own. */
  folder: ImageFolder;
}

/**
 * Registers the `before`/`after` hooks that start and stop the shared parts of a webview suite.
 * Call it inside `describe`; the returned object is filled once `before` has run.
 */
export function useWebviewSuite(): WebviewSuite {
  const suite = {} as WebviewSuite;
  before(async function () {
    suite.browser = await launchChromium(this);
    suite.folder = new ImageFolder();
    suite.server = new WebviewServer(suite.folder.resolve);
    await suite.server.start();
    suite.dataset = await standardDataset(suite.folder, suite.server.origin);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
    suite.folder?.remove();
  });
  return suite;
}

/** Fails the test if the page threw or violated its content security policy, then closes it. */
export async function closeCleanPage(webview: WebviewPage): Promise<void> {
  assert.deepEqual(webview.errors, [], 'page errors');
  assert.deepEqual(await webview.cspViolations(), [], 'CSP violations');
  await webview.close();
}
