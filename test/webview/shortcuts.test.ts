import assert from 'node:assert/strict';
import { COMMANDS, keyLabel, type CommandId, type KeySpec } from '../../webview/commandCatalog';
import { ReviewAction } from '../../webview/protocol';
import { WebviewPage } from '../support/webviewHarness';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';
import { withPossibleFace } from '../support/webviewDataset';

/** Keys to press first so that the command has something to act on. */
const PRELUDE: Partial<Record<CommandId, string[]>> = {
  'edit.undo': ['a'],
  'edit.redo': ['a', 'Control+z'],
  'image.markReviewed': ['a'],
  'image.markReviewedAndNext': ['a'],
  'image.markUnreviewed': ['a', 'Enter'],
  'view.fit': ['+'],
  'box.next': ['Escape'],
  'box.previous': ['Escape'],
  // Show the possible faces, then select the one after the proposal.
  'box.promote': ['v', ']'],
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

  /** A fresh page on d-rotated.jpg (unreviewed, one proposal and a hidden possible face), the proposal selected, the image focused. */
  async function freshPage(): Promise<void> {
    await webview.page.reload();
    await webview.applyTheme('dark');
    await webview.waitForMessage('ready');
    await webview.load(withPossibleFace(suite.dataset));
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
      overlay: document.getElementById('boxes')!.className,
      boxes: [...document.querySelectorAll<HTMLElement>('#boxes .box')].map((box) => `${box.className} ${box.style.cssText}`),
      image: document.getElementById('image')!.style.transform,
      help: !document.getElementById('help')!.hidden,
      focus: document.activeElement?.id,
    }));
    return JSON.stringify({ sent, state: await webview.savedState(), page });
  }

  // The video commands act on a video: test/webview/video.test.ts presses each of them there.
  for (const command of COMMANDS.filter((info) => info.scope !== 'video')) {
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

describe('review webview in VS Code: its keybindings run the shortcuts', function () {
  const suite = useWebviewSuite();
  let webview: WebviewPage;

  beforeEach(async () => {
    webview = await WebviewPage.open(suite.browser, suite.server, { shortcuts: 'vscode' });
    await webview.load(suite.dataset);
    await webview.waitForImage('a-astronaut.png');
  });

  afterEach(() => closeCleanPage(webview));

  const frame = () => webview.page.evaluate(() => new Promise(requestAnimationFrame));

  it('a key pressed in the page runs nothing itself (VS Code sees every key and runs its keybinding): the action it sends does, once', async () => {
    await webview.page.focus('#stage');
    await webview.press('j', ']', 'Shift+A');
    await frame();
    assert.equal(await webview.page.getAttribute('#stage', 'data-file'), 'a-astronaut.png', 'J ran in the page');
    assert.equal((await webview.shownBoxes()).some((box) => box.selected), false, '] ran in the page');
    assert.equal((await webview.sentOfType('review/update')).length, 0, 'Shift+A ran in the page');
    await webview.post(ReviewAction.create({ action: 'box.next' }));
    await webview.post(ReviewAction.create({ action: 'box.moveRight', large: true }));
    await webview.post(ReviewAction.create({ action: 'box.moveDown' }));
    const [moved, ...more] = await webview.sentOfType('review/update');
    assert.equal(more.length, 1);
    assert.deepEqual([moved!.boxes[0]!.x, more[0]!.boxes[0]!.y], [165 + 10, 55 + 1]);
    await webview.post(ReviewAction.create({ action: 'image.next' }));
    await webview.waitForImage('b-wide.jpg');
  });

  it('while the help is open, only closing it runs', async () => {
    await webview.post(ReviewAction.create({ action: 'help.toggle' }));
    assert.equal(await webview.page.isVisible('#help'), true);
    await webview.post(ReviewAction.create({ action: 'image.next' }));
    await frame();
    assert.equal(await webview.page.getAttribute('#stage', 'data-file'), 'a-astronaut.png');
    await webview.post(ReviewAction.create({ action: 'box.deselect' }));
    assert.equal(await webview.page.isVisible('#help'), false);
  });

  it('reports where its focus is, so that each keybinding steps aside where a control takes its key', async () => {
    const expect = (place: string) => webview.page.waitForFunction((wanted) => (window as unknown as { __veil: { sent: Array<{ type: string; place?: string }> } }).__veil.sent.filter((m) => m.type === 'focus/changed').at(-1)?.place === wanted, place);
    await webview.page.focus('#stage');
    await expect('stage');
    await webview.page.focus('#filmstrip');
    await expect('list');
    await webview.page.focus('#filter');
    await expect('field');
    await webview.page.focus('button[data-command="image.next"]');
    await expect('button');
    await webview.page.focus('#stage');
    await expect('stage');
  });
});
