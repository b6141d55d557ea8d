/**
 * Runs the built webview (dist/webview.js + dist/webview.css) in headless Debian Chromium, served from a
 * loopback HTTP server with the page the extension uses (webview/html.ts, same CSP), and a stubbed
 * `acquireVsCodeApi` that records what the webview posts and keeps its saved state.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderWebviewHtml, type ShortcutHandler } from '../../webview/html';
import type { ImageRecord } from '../../daemon/protocol';
import type { ExtensionToWebviewMessage, WebviewToExtensionMessage } from '../../webview/protocol';
import { datasetLoad, type ReviewFixture } from './webviewDataset';
import { DIST } from './paths';

export const CHROMIUM = process.env.VEIL_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MISSING_CHROMIUM = `Chromium is not at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set VEIL_CHROMIUM)`;

/** Starts headless Chromium on the built webview; says clearly what is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * For a test suite: without Chromium the suite is skipped with a clear message, except in CI (CI=true),
 * where it fails: `.ci/run` installs it (`apt-get install -y chromium`).
 */
export async function launchChromium(ctx: Mocha.Context): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') throw new Error(`${MISSING_CHROMIUM}; CI needs it for the webview tests`);
    console.warn(`  (skipped: ${MISSING_CHROMIUM})`);
    ctx.skip();
  }
  return launchBrowser();
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ttf': 'font/ttf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/** `Range: bytes=a-b` (a video element seeks by asking for parts of the file), within a file of `size` bytes. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const start = match[1] === '' ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = match[1] !== '' && match[2] !== '' ? Math.min(size - 1, Number(match[2])) : size - 1;
  return start <= end ? { start, end } : undefined;
}

/** Serves the page, the built bundle (from `dist`) and images (by URL path, through `resolveImage`) on 127.0.0.1. */
export class WebviewServer {
  private server: Server | undefined;
  origin = '';

  constructor(
    private readonly resolveImage: (path: string) => string | undefined,
    private readonly dist = DIST,
  ) {}

  async start(): Promise<void> {
    const bundle = join(this.dist, 'webview.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run node scripts/build.mjs`);
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      const file = path.startsWith('/dist/') ? join(this.dist, path.slice('/dist/'.length)) : this.resolveImage(path);
      if (path === '/') {
        const html = renderWebviewHtml({
          cspSource: this.origin,
          nonce: randomBytes(16).toString('base64'),
          scriptUri: `${this.origin}/dist/webview.js`,
          styleUri: `${this.origin}/dist/webview.css`,
          shortcuts: url.searchParams.get('shortcuts') === 'vscode' ? 'vscode' : 'page',
        });
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      } else if (file && !file.includes('..') && existsSync(file)) {
        const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
        const size = statSync(file).size;
        const range = byteRange(request.headers.range, size);
        // Parts of a file, as a webview's resource loader serves them (a video streams and seeks by ranges).
        if (range) {
          response.writeHead(206, { 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': range.end - range.start + 1 });
          createReadStream(file, range).pipe(response);
        } else {
          response.writeHead(200, { 'content-type': type, 'cache-control': 'max-age=3600', 'accept-ranges': 'bytes', 'content-length': size });
          response.end(readFileSync(file));
        }
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export type Theme = 'light' | 'dark' | 'high-contrast';

/** A few of the variables VS Code sets on <html>, with Default Light+/Dark+/High Contrast values. */
const THEME_VARIABLES: Record<Theme, Record<string, string>> = {
  light: {
    '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-foreground': '#616161',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-errorForeground': '#a1260d',
    '--vscode-focusBorder': '#0090f1',
    '--vscode-editor-background': '#ffffff',
    '--vscode-editorWidget-background': '#f3f3f3',
    '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.16)',
    '--vscode-sideBar-background': '#f3f3f3',
    '--vscode-panel-border': 'rgba(128, 128, 128, 0.35)',
    '--vscode-button-background': '#007acc',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0062a3',
    '--vscode-button-secondaryBackground': '#5f6a79',
    '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-button-secondaryHoverBackground': '#4c5561',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-foreground': '#616161',
    '--vscode-dropdown-border': '#cecece',
    '--vscode-list-hoverBackground': '#e8e8e8',
    '--vscode-list-activeSelectionBackground': '#0060c0',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-inactiveSelectionBackground': '#e4e6f1',
    '--vscode-progressBar-background': '#0e70c0',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-keybindingLabel-background': 'rgba(221, 221, 221, 0.4)',
    '--vscode-keybindingLabel-foreground': '#555555',
    '--vscode-keybindingLabel-border': 'rgba(204, 204, 204, 0.4)',
    '--vscode-keybindingLabel-bottomBorder': 'rgba(187, 187, 187, 0.4)',
  },
  dark: {
    '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-foreground': '#cccccc',
    '--vscode-descriptionForeground': 'rgba(204, 204, 204, 0.7)',
    '--vscode-errorForeground': '#f48771',
    '--vscode-focusBorder': '#007fd4',
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-editorWidget-background': '#252526',
    '--vscode-editorWidget-border': '#454545',
    '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.36)',
    '--vscode-sideBar-background': '#252526',
    '--vscode-panel-border': 'rgba(128, 128, 128, 0.35)',
    '--vscode-button-background': '#0e639c',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#1177bb',
    '--vscode-button-secondaryBackground': '#3a3d41',
    '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-button-secondaryHoverBackground': '#45494e',
    '--vscode-dropdown-background': '#3c3c3c',
    '--vscode-dropdown-foreground': '#f0f0f0',
    '--vscode-dropdown-border': '#3c3c3c',
    '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-inactiveSelectionBackground': '#37373d',
    '--vscode-progressBar-background': '#0e70c0',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-keybindingLabel-background': 'rgba(128, 128, 128, 0.17)',
    '--vscode-keybindingLabel-foreground': '#cccccc',
    '--vscode-keybindingLabel-border': 'rgba(51, 51, 51, 0.6)',
    '--vscode-keybindingLabel-bottomBorder': 'rgba(68, 68, 68, 0.6)',
  },
  'high-contrast': {
    '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-foreground': '#ffffff',
    '--vscode-descriptionForeground': 'rgba(255, 255, 255, 0.7)',
    '--vscode-errorForeground': '#f48771',
    '--vscode-focusBorder': '#f38518',
    '--vscode-contrastBorder': '#6fc3df',
    '--vscode-editor-background': '#000000',
    '--vscode-editorWidget-background': '#0c141f',
    '--vscode-editorWidget-border': '#6fc3df',
    '--vscode-sideBar-background': '#000000',
    '--vscode-panel-border': '#6fc3df',
    '--vscode-button-background': '#000000',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-border': '#6fc3df',
    '--vscode-dropdown-background': '#000000',
    '--vscode-dropdown-foreground': '#ffffff',
    '--vscode-dropdown-border': '#6fc3df',
    '--vscode-list-activeSelectionBackground': '#000000',
    '--vscode-list-inactiveSelectionBackground': '#000000',
    '--vscode-progressBar-background': '#6fc3df',
    '--vscode-charts-yellow': '#ffd700',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f48771',
    '--vscode-charts-blue': '#3794ff',
  },
};

const BODY_CLASS: Record<Theme, string> = { light: 'vscode-light', dark: 'vscode-dark', 'high-contrast': 'vscode-high-contrast' };

interface StubWindow {
  __veil: { sent: WebviewToExtensionMessage[]; state: unknown; violations: string[]; records: Record<string, ImageRecord> };
}

/**
 * Installed before the page's own script: the `acquireVsCodeApi` VS Code provides, recording everything, and answering
 * `record/request` as the extension does, from the records of the dataset last loaded (`WebviewPage.load`).
 */
function installStub(initialState: unknown): void {
  const record = { sent: [] as unknown[], state: initialState, violations: [] as string[], records: {} as Record<string, unknown> };
  (window as unknown as { __veil: typeof record }).__veil = record;
  const answer = (message: unknown) => {
    const asked = message as { type?: unknown; file?: unknown };
    const held = asked.type === 'record/request' && typeof asked.file === 'string' ? record.records[asked.file] : undefined;
    if (held) setTimeout(() => window.postMessage({ type: 'record/loaded', record: held }, '*'));
  };
  (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
    postMessage: (message: unknown) => {
      record.sent.push(JSON.parse(JSON.stringify(message)));
      answer(message);
    },
    getState: () => record.state,
    setState: (state: unknown) => {
      record.state = JSON.parse(JSON.stringify(state));
    },
  });
  document.addEventListener('securitypolicyviolation', (event) => record.violations.push(`${event.violatedDirective} ${event.blockedURI}`));
}

export interface OpenOptions {
  theme?: Theme;
  /** What `getState()` returns at start (the state saved before the panel was hidden). */
  savedState?: unknown;
  size?: { width: number; height: number };
  /** Who runs the shortcuts: the page itself (default), or VS Code's keybindings, as `action` messages. */
  shortcuts?: ShortcutHandler;
}

/** A webview page, loaded and listening (it has posted `ready`), with the theme applied. */
export class WebviewPage {
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  static async open(browser: Browser, server: WebviewServer, options: OpenOptions = {}): Promise<WebviewPage> {
    const context = await browser.newContext({ viewport: options.size ?? { width: 1280, height: 800 } });
    const page = await context.newPage();
    const webview = new WebviewPage(page);
    await page.addInitScript(installStub, options.savedState ?? null);
    await page.goto(`${server.origin}/?shortcuts=${options.shortcuts ?? 'page'}`);
    await webview.applyTheme(options.theme ?? 'dark');
    await webview.waitForMessage('ready');
    return webview;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }

  async applyTheme(theme: Theme): Promise<void> {
    await this.page.evaluate(
      ({ variables, bodyClass }) => {
        for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
        document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
        document.body.classList.add(bodyClass);
      },
      { variables: THEME_VARIABLES[theme], bodyClass: BODY_CLASS[theme] },
    );
  }

  /** Loads `fixture` as the extension does: its rows in `dataset/load`, each record when the webview asks for it. */
  async load(fixture: ReviewFixture): Promise<void> {
    await this.serveRecords(fixture.records);
    await this.post(datasetLoad(fixture));
  }

  /** The records the stub answers `record/request` with from now on. */
  async serveRecords(records: readonly ImageRecord[]): Promise<void> {
    await this.page.evaluate((served) => {
      (window as unknown as StubWindow).__veil.records = Object.fromEntries(served.map((held) => [held.file, held]));
    }, records);
  }

  /** Posts a message as the extension would (it arrives as a `message` event). */
  async post(message: ExtensionToWebviewMessage | Record<string, unknown>): Promise<void> {
    await this.page.evaluate((data) => window.postMessage(data, '*'), message);
  }

  async sent(): Promise<WebviewToExtensionMessage[]> {
    return this.page.evaluate(() => (window as unknown as StubWindow).__veil.sent);
  }

  async sentOfType<T extends WebviewToExtensionMessage['type']>(type: T): Promise<Array<Extract<WebviewToExtensionMessage, { type: T }>>> {
    return (await this.sent()).filter((message): message is Extract<WebviewToExtensionMessage, { type: T }> => message.type === type);
  }

  async clearSent(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as StubWindow).__veil.sent.length = 0;
    });
  }

  async savedState(): Promise<unknown> {
    return this.page.evaluate(() => (window as unknown as StubWindow).__veil.state);
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as StubWindow).__veil.violations);
  }

  async waitForMessage(type: WebviewToExtensionMessage['type'], count = 1): Promise<void> {
    await this.page.waitForFunction(
      ({ type, count }) => (window as unknown as StubWindow).__veil.sent.filter((message) => message.type === type).length >= count,
      { type, count },
    );
  }

  /** Waits until `file` is on screen: image decoded, its record here, boxes drawn. */
  async waitForImage(file: string): Promise<void> {
    await this.page.waitForSelector(`#stage[data-ready="true"][data-record="true"][data-file="${file}"]`, { state: 'attached' });
  }

  /** The boxes drawn over the image, in page coordinates. */
  async shownBoxes(): Promise<ShownBox[]> {
    return this.page.$$eval('#boxes .box', (elements) =>
      elements.map((element) => {
        const rect = element.getBoundingClientRect();
        const html = element as HTMLElement;
        return {
          id: html.dataset.id!,
          kind: html.dataset.kind!,
          selected: html.classList.contains('is-selected'),
          label: html.getAttribute('aria-label') ?? '',
          x: rect.x,
          y: rect.y,
          w: rect.width,
          h: rect.height,
        };
      }),
    );
  }

  async shownBox(id: string): Promise<ShownBox> {
    const box = (await this.shownBoxes()).find((shown) => shown.id === id);
    if (!box) throw new Error(`box ${id} is not shown`);
    return box;
  }

  /** Presses keys one after the other on whatever has the focus. */
  async press(...keys: string[]): Promise<void> {
    for (const key of keys) await this.page.keyboard.press(key);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }
}

export interface ShownBox {
  id: string;
  kind: string;
  selected: boolean;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}
