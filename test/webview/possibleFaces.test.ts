import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { withPossibleFace } from '../support/webviewDataset';
import { WebviewPage } from '../support/webviewHarness';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';

const RESULTS = join(REPO_ROOT, 'test-results', 'webview');

describe('review webview: possible faces', function () {
  const suite = useWebviewSuite();
  let webview: WebviewPage;

  before(() => mkdirSync(RESULTS, { recursive: true }));

  beforeEach(async () => {
    webview = await WebviewPage.open(suite.browser, suite.server, { theme: 'light' });
    await webview.load(withPossibleFace(suite.dataset));
    await webview.waitForImage('a-astronaut.png');
    await webview.page.click('.filmstrip__row[data-file="d-rotated.jpg"]');
    await webview.waitForImage('d-rotated.jpg');
    await webview.page.focus('#stage');
  });
  afterEach(() => closeCleanPage(webview));

  const frame = () => webview.page.evaluate(() => new Promise(requestAnimationFrame));
  const shownIds = async () => (await webview.shownBoxes()).map((box) => box.id);

  it('V shows the possible faces faintly and hides them again (screenshot in test-results/webview)', async () => {
    assert.deepEqual(await shownIds(), ['d1'], 'hidden until asked for');
    await webview.press('v');
    await frame();
    assert.deepEqual(await shownIds(), ['d1', 'd-possible']);
    const [proposal, possible] = await webview.page.$$eval('#boxes .box', (boxes) =>
      boxes.map((box) => {
        const style = getComputedStyle(box);
        return { kind: (box as HTMLElement).dataset.kind, opacity: Number(style.opacity), width: style.borderTopWidth };
      }),
    );
    assert.equal(possible!.kind, 'possible');
    assert.ok(possible!.opacity < proposal!.opacity, `possible faces are fainter (${possible!.opacity} vs ${proposal!.opacity})`);
    await webview.screenshot(join(RESULTS, 'possible-faces-light.png'));
    await webview.press('v');
    await frame();
    assert.deepEqual(await shownIds(), ['d1']);
  });

  it('O promotes the selected possible face to a proposal; R dismisses one', async () => {
    await webview.press('v', ']', ']');
    await frame();
    assert.equal((await webview.shownBox('d-possible')).selected, true);
    await webview.press('o');
    await frame();
    const updates = await webview.sentOfType('review/update');
    const promoted = updates[updates.length - 1]!.boxes.find((box) => box.id === 'd-possible');
    assert.equal(promoted?.state, 'proposed');
    assert.equal((await webview.shownBox('d-possible')).kind, 'proposed');
    // Hidden possible faces are no longer in the way: the promoted one stays drawn.
    await webview.press('v');
    await frame();
    assert.deepEqual(await shownIds(), ['d1', 'd-possible']);
    await webview.press('Control+z', 'v', ']', ']', 'r');
    await frame();
    const last = await webview.sentOfType('review/update');
    assert.equal(last[last.length - 1]!.boxes.find((box) => box.id === 'd-possible')?.state, 'rejected');
  });
});
