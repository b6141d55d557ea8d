import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REDACTION_MODES } from '../../daemon/protocol';
import { ErrorMessage, Thumbnails } from '../../webview/protocol';
import { REPO_ROOT } from '../support/paths';
import { committedImages, crowd, withImages, type ReviewFixture } from '../support/webviewDataset';
import { WebviewPage, type Theme } from '../support/webviewHarness';
import { useWebviewSuite } from '../support/webviewSuite';

const RESULTS = join(REPO_ROOT, 'test-results', 'webview');

describe('review webview: appearance in VS Code themes', function () {
  const suite = useWebviewSuite();

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
  });

  async function openThemed(theme: Theme, dataset: ReviewFixture = suite.dataset, savedState?: unknown): Promise<WebviewPage> {
    const webview = await WebviewPage.open(suite.browser, suite.server, { theme, savedState });
    await webview.load(dataset);
    await webview.page.waitForSelector('#stage[data-ready="true"]', { state: 'attached' });
    const thumbs = Object.fromEntries(dataset.entries.flatMap((entry) => (entry.imageUri ? [[entry.file, entry.imageUri]] : [])));
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

  /** The standard dataset with a busy crowd photo, a small crowd shot and two committed images in a deep folder. */
  async function newcomerDataset(): Promise<ReviewFixture> {
    const parade = await committedImages(suite.folder, suite.server.origin, ['wider-dev/0--Parade/0_Parade_marchingband_1_20.jpg', 'wider-dev/0--Parade/0_Parade_marchingband_1_45.jpg']);
    const busy = await crowd(suite.folder, suite.server.origin, 'g-crowd.png', 128);
    const small = await crowd(suite.folder, suite.server.origin, 'h-small-crowd.png', 32);
    return withImages(suite.dataset, busy, small, ...parade);
  }

  /** A page on `file` of the newcomer dataset, the pointer away from every box. */
  async function openOn(theme: Theme, file: string, savedState?: unknown): Promise<WebviewPage> {
    const webview = await openThemed(theme, await newcomerDataset(), savedState);
    await webview.page.click(`.filmstrip__row[data-file="${file}"]`);
    await webview.waitForImage(file);
    await webview.page.mouse.move(1, 1);
    return webview;
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`proposed and rejected outlines keep a dark and a light ring, visible on a busy photo (${theme}; screenshot)`, async () => {
      const webview = await openOn(theme, 'g-crowd.png');
      try {
        const halos = await webview.page.$$eval('#boxes .box', (boxes) => [...new Set(boxes.map((box) => `${(box as HTMLElement).dataset.kind}: ${getComputedStyle(box).boxShadow}`))].sort());
        for (const kind of ['proposed', 'rejected', 'accepted']) {
          const halo = halos.find((entry) => entry.startsWith(`${kind}:`)) ?? '';
          assert.match(halo, /rgba\(0, 0, 0, 0\.8\) 0px 0px 0px 1px/, `${kind} has no dark outer ring: ${halo}`);
          assert.match(halo, /rgba\(255, 255, 255, 0\.8\) 0px 0px 0px 1px inset/, `${kind} has no light inner ring: ${halo}`);
        }
        assert.equal(await webview.page.$eval('.box[data-id="crowd-0"]', (box) => getComputedStyle(box).opacity), '1', 'the rejected outline is faded');
        await webview.screenshot(join(RESULTS, `busy-outlines-${theme}.png`));
      } finally {
        await webview.close();
      }
    });

    it(`a small crowd shot fills the stage, and zoomed to 400 % shows square pixels (${theme}; screenshots)`, async () => {
      const fitted = await openOn(theme, 'h-small-crowd.png');
      let state: Record<string, unknown>;
      try {
        assert.ok((await fitted.shownBox('crowd-1')).h > 30, 'the fitted faces are tiny');
        await fitted.screenshot(join(RESULTS, `fit-small-crowd-${theme}.png`));
        state = (await fitted.savedState()) as Record<string, unknown>;
      } finally {
        await fitted.close();
      }
      // The panel shown again at 400 % (its saved zoom), as after zooming in with the wheel.
      const zoomed = await openThemed(theme, await newcomerDataset(), { ...state, file: 'h-small-crowd.png', viewport: { scale: 4, x: 20, y: 40 } });
      try {
        await zoomed.waitForImage('h-small-crowd.png');
        assert.match((await zoomed.page.textContent('#image-status')) ?? '', /400%$/);
        assert.equal(await zoomed.page.$eval('#image', (image) => getComputedStyle(image).imageRendering), 'pixelated');
        await zoomed.screenshot(join(RESULTS, `zoom-400-${theme}.png`));
      } finally {
        await zoomed.close();
      }
    });

    it(`the filmstrip names each file first, dims its folder and locks committed images (${theme}; screenshot)`, async () => {
      const webview = await openOn(theme, 'a-astronaut.png');
      try {
        await webview.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.filmstrip__row:not([hidden]) img')].every((img) => img.complete && img.naturalWidth > 0));
        const locks = await webview.page.$$eval('.filmstrip__lock', (icons) => icons.filter((icon) => icon.getBoundingClientRect().width > 0).length);
        assert.equal(locks, 2);
        await webview.page.locator('.sidebar').screenshot({ path: join(RESULTS, `filmstrip-${theme}.png`) });
      } finally {
        await webview.close();
      }
    });

    it(`a long footer error wraps over lines in full (${theme}; screenshot)`, async () => {
      const webview = await openOn(theme, 'a-astronaut.png');
      try {
        const message = `wider-dev/0--Parade/0_Parade_marchingband_1_20.jpg: not saved: the review state was changed by another process (veil detect in a terminal) after this panel loaded it; the panel now shows the stored state. ${'Review the image again and decide its faces once more. '.repeat(3)}`;
        await webview.post(ErrorMessage.create({ message }));
        const footer = await webview.page.$eval('#error', (error) => ({ height: error.getBoundingClientRect().height, cut: error.scrollWidth > error.clientWidth + 1 }));
        assert.ok(footer.height >= 28 && !footer.cut, JSON.stringify(footer));
        await webview.screenshot(join(RESULTS, `footer-error-${theme}.png`));
      } finally {
        await webview.close();
      }
    });
  }

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
