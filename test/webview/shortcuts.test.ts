import assert from 'node:assert/strict';
import { COMMANDS, keyLabel, type CommandId, type KeySpec } from '../../webview/commandCatalog';
import { DatasetLoad } from '../../webview/protocol';
import { WebviewPage } from '../support/webviewHarness';
import { useWebviewSuite } from '../support/webviewSuite';

/** Keys to press first so that the command has something to act on. */
const PRELUDE: Partial<Record<CommandId, string[]>> = {
  'edit.undo': ['a'],
  'edit.redo': ['a', 'Control+z'],
  'image.markUnreviewed': ['Enter'],
  'view.fit': ['+'],
  'box.next': ['Escape'],
  'box.previous': ['Escape'],
};

/** Playwright's name for a catalog key spec. */
function playwrightKey(spec: KeySpec): string {
  const modifiers = [spec.ctrl && 'Control', spec.alt && 'Alt', spec.shift && 'Shift'].filter(Boolean);
  const key = /^[a-z]$/i.test(spec.key) && spec.shift ? spec.key.toUpperCase() : spec.key;
  return [...modifiers, key].join('+');
}

describe('review webview: every shortcut does what the help says', function () {
  const suite = useWebviewSuite();
  let webview: WebviewPage;

  before(async () => {
    webview = await WebviewPage.open(suite.browser, suite.server);
  });

  /** A fresh page on d-rotated.jpg (unreviewed, one proposal), that box selected, the image focused. */
  async function freshPage(): Promise<void> {
    await webview.page.reload();
    await webview.applyTheme('dark');
    await webview.waitForMessage('ready');
    await webview.post(DatasetLoad.create(suite.dataset));
    await webview.waitForImage('a-astronaut.png');
    await webview.page.click('.filmstrip__row[data-file="d-rotated.jpg"]');
    await webview.waitForImage('d-rotated.jpg');
    await webview.page.focus('#stage');
    await webview.press(']');
  }

  /** Everything a shortcut can change: messages sent, saved UI state, what is drawn, help and focus. */
  async function observable(): Promise<string> {
    const sent = await webview.sent();
    const page = await webview.page.evaluate(() => ({
      file: document.getElementById('stage')!.dataset.file,
      boxes: [...document.querySelectorAll<HTMLElement>('#boxes .box')].map((box) => `${box.className} ${box.style.cssText}`),
      image: document.getElementById('image')!.style.transform,
      help: !document.getElementById('help')!.hidden,
      focus: document.activeElement?.id,
    }));
    return JSON.stringify({ sent, state: await webview.savedState(), page });
  }

  for (const command of COMMANDS) {
    for (const spec of command.keys) {
      it(`${keyLabel(spec)}: ${command.label}`, async () => {
        await freshPage();
        await webview.press(...(PRELUDE[command.id] ?? []));
        const before = await observable();
        await webview.press(playwrightKey(spec));
        await webview.page.evaluate(() => new Promise(requestAnimationFrame));
        assert.notEqual(await observable(), before, `${keyLabel(spec)} changed nothing`);
        assert.deepEqual(webview.errors, []);
      });
    }
  }
});
