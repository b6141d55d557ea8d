import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REDACTION_MODES } from '../../daemon/protocol';
import { DatasetLoad, Thumbnails } from '../../webview/protocol';
import { REPO_ROOT } from '../support/paths';
import { WebviewPage, type Theme } from '../support/webviewHarness';
import { useWebviewSuite } from '../support/webviewSuite';

const RESULTS = join(REPO_ROOT, 'test-results', 'webview');

describe('review webview: appearance in VS Code themes', function () {
  const suite = useWebviewSuite();

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
  });

  async function openThemed(theme: Theme): Promise<WebviewPage> {
    const webview = await WebviewPage.open(suite.browser, suite.server, { theme });
    await webview.post(DatasetLoad.create(suite.dataset));
    await webview.waitForImage('a-astronaut.png');
    const thumbs = Object.fromEntries(suite.dataset.entries.flatMap((entry) => (entry.imageUri ? [[entry.file, entry.imageUri]] : [])));
    await webview.post(Thumbnails.create({ thumbs }));
    await webview.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.filmstrip__row:not([hidden]) img')].every((img) => img.complete && img.naturalWidth > 0));
    return webview;
  }

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`uses the ${theme} theme's colours and shows focus, selection and score (screenshots in test-results/webview)`, async () => {
      const webview = await openThemed(theme);
      try {
        const colours = await webview.page.evaluate(() => ({
          body: getComputedStyle(document.body).backgroundColor,
          editor: getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background').trim(),
          text: getComputedStyle(document.body).color,
        }));
        const expected = { light: 'rgb(255, 255, 255)', dark: 'rgb(30, 30, 30)', 'high-contrast': 'rgb(0, 0, 0)' }[theme];
        assert.equal(colours.body, expected);
        assert.notEqual(colours.text, colours.body);
        const icons = await webview.page.evaluate(async () => {
          await document.fonts.ready;
          const glyph = document.querySelector('[data-command="view.zoomIn"] .codicon')!;
          return { loaded: document.fonts.check('16px codicon'), family: getComputedStyle(glyph).fontFamily, width: glyph.getBoundingClientRect().width };
        });
        assert.deepEqual([icons.loaded, icons.family], [true, 'codicon'], 'the codicon font did not load');
        assert.ok(icons.width >= 12, `codicon glyph ${icons.width} px wide`);
        await webview.page.click('.box[data-id="a1"]');
        await webview.page.focus('#order');
        await webview.press('Tab');
        const focused = await webview.page.evaluate(() => {
          const style = getComputedStyle(document.activeElement!);
          return { command: (document.activeElement as HTMLElement).dataset.command, outline: `${style.outlineStyle} ${style.outlineColor}` };
        });
        const focusBorder = { light: 'rgb(0, 144, 241)', dark: 'rgb(0, 127, 212)', 'high-contrast': 'rgb(243, 133, 24)' }[theme];
        assert.deepEqual(focused, { command: 'image.previous', outline: `solid ${focusBorder}` });
        await webview.page.hover('.box[data-id="a2"]');
        await webview.screenshot(join(RESULTS, `review-${theme}.png`));
        await webview.press('?');
        assert.equal(await webview.page.isVisible('#help'), true);
        await webview.screenshot(join(RESULTS, `help-${theme}.png`));
        assert.deepEqual(await webview.cspViolations(), []);
        assert.deepEqual(webview.errors, []);
      } finally {
        await webview.close();
      }
    });
  }

  it('draws the four kinds of box distinctly (screenshot in test-results/webview)', async () => {
    const webview = await openThemed('light');
    try {
      await webview.page.click('.box[data-id="a1"]');
      await webview.press('a', 'b', 'b', 'r', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Escape');
      const looks = await webview.page.$$eval('#boxes .box', (boxes) =>
        boxes.map((box) => {
          const style = getComputedStyle(box);
          return `${(box as HTMLElement).dataset.kind} ${style.borderTopStyle} ${style.borderTopColor}`;
        }),
      );
      assert.deepEqual(looks.map((look) => look.split(' ')[0]).sort(), ['accepted', 'manual', 'proposed', 'rejected']);
      assert.equal(new Set(looks).size, 4, looks.join('; '));
      await webview.screenshot(join(RESULTS, 'box-kinds-light.png'));
    } finally {
      await webview.close();
    }
  });

  it('previews each redaction mode over the faces (screenshots in test-results/webview)', async () => {
    const webview = await openThemed('dark');
    try {
      const stage = () => webview.page.locator('#stage').screenshot();
      const plain = await stage();
      await webview.press('p');
      const shown: Buffer[] = [];
      for (const mode of REDACTION_MODES) {
        assert.equal(await webview.page.$eval('#mode', (select) => (select as HTMLSelectElement).value), mode);
        assert.equal(await webview.page.isVisible('#preview'), true, `no preview drawn for ${mode}`);
        shown.push(await stage());
        await webview.screenshot(join(RESULTS, `preview-${mode}.png`));
        await webview.press('m');
      }
      // Each mode shows the faces differently, and differently from the image without a preview.
      assert.equal(new Set([plain, ...shown].map((png) => png.toString('base64'))).size, REDACTION_MODES.length + 1);
    } finally {
      await webview.close();
    }
  });
});
