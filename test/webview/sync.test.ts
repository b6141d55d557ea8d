import assert from 'node:assert/strict';
import type { ImageRecord } from '../../daemon/protocol';
import { ErrorMessage, RecordUpdated, ReviewRefused, Thumbnails } from '../../webview/protocol';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { WebviewPage } from '../support/webviewHarness';

const RESULTS = join(REPO_ROOT, 'test-results', 'webview');
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';

describe('review webview: in step with the daemon', function () {
  const suite = useWebviewSuite();
  let webview: WebviewPage;
  let astronaut: ImageRecord;

  beforeEach(async () => {
    astronaut = { ...suite.dataset.records[0]!, revision: 4 };
    webview = await WebviewPage.open(suite.browser, suite.server);
    await webview.load({ ...suite.dataset, records: [astronaut, ...suite.dataset.records.slice(1)] });
    await webview.waitForImage('a-astronaut.png');
  });

  afterEach(() => closeCleanPage(webview));

  const saveState = () => webview.page.$eval('#save-state', (element) => ({ state: (element as HTMLElement).dataset.state, text: element.textContent }));

  it('shows whether every edit is saved: saving until the daemon confirms the last one', async () => {
    assert.deepEqual(await saveState(), { state: 'saved', text: 'All changes saved' });
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a', 'r');
    const [first, second] = await webview.sentOfType('review/update');
    assert.equal(first!.baseRevision, 4);
    assert.equal(first!.afterSeq, undefined);
    assert.equal(second!.afterSeq, first!.seq);
    assert.equal((await saveState()).state, 'saving');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, boxes: first!.boxes, revision: 5 }, seq: first!.seq }));
    assert.equal((await saveState()).state, 'saving', 'one edit is still unconfirmed');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, boxes: second!.boxes, revision: 6 }, seq: second!.seq }));
    await webview.page.waitForSelector('#save-state[data-state="saved"]');
    await webview.press('a');
    const third = (await webview.sentOfType('review/update'))[2]!;
    assert.equal(third.baseRevision, 6, 'the next edit is made on the revision the daemon gave the last one');
    assert.equal(third.afterSeq, undefined);
  });

  it('a refused edit puts the image back on the daemon’s state, says why, and shows "not saved"', async () => {
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('Delete');
    const [update] = await webview.sentOfType('review/update');
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.id), ['a2']);
    const current: ImageRecord = { ...astronaut, revision: 7, boxes: [...astronaut.boxes, { ...astronaut.boxes[0]!, id: 'cli1', x: 20, y: 20, w: 40, h: 40 }] };
    await webview.post(ReviewRefused.create({ file: 'a-astronaut.png', seq: update!.seq, message: 'a-astronaut.png: was changed elsewhere', record: current }));
    await webview.page.waitForSelector('.box[data-id="cli1"]');
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.id).sort(), ['a1', 'a2', 'cli1']);
    assert.match((await webview.page.textContent('#error')) ?? '', /changed elsewhere/);
    assert.equal((await saveState()).state, 'not-saved');
    for (const theme of ['dark', 'light'] as const) {
      await webview.applyTheme(theme);
      await webview.screenshot(join(RESULTS, `not-saved-${theme}.png`));
    }
    const color = await webview.page.$eval('#save-state', (element) => getComputedStyle(element).color);
    const plain = await webview.page.$eval('#image-name', (element) => getComputedStyle(element).color);
    assert.notEqual(color, plain, '"Not saved" looks like any other footer text');
    // Undo would replay the refused deletion on top of the other change: it is forgotten.
    await webview.press('Control+z');
    assert.equal((await webview.sentOfType('review/update')).length, 1);
    await webview.press('a');
    const [, next] = await webview.sentOfType('review/update');
    assert.equal(next!.baseRevision, 7);
  });

  it('a footer error wraps over lines in full rather than being cut off, and the next success clears it', async () => {
    const message = `a-astronaut.png: ${'the daemon could not store this edit, the review state was locked by another process for too long; '.repeat(6)}try again`;
    await webview.post(ErrorMessage.create({ message }));
    const shown = await webview.page.$eval('#error', (element) => {
      const rect = element.getBoundingClientRect();
      return {
        text: element.textContent,
        cut: element.scrollWidth > element.clientWidth + 1 || rect.right > window.innerWidth || rect.bottom > window.innerHeight,
        lines: rect.height / (parseFloat(getComputedStyle(element).fontSize) * 1.2),
      };
    });
    assert.equal(shown.text, message);
    assert.equal(shown.cut, false, 'the error is cut off');
    assert.ok(shown.lines >= 2, `the error takes ${shown.lines.toFixed(1)} lines`);
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a');
    assert.equal(await webview.page.textContent('#error'), message, 'cleared before the edit was stored');
    const [update] = await webview.sentOfType('review/update');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, boxes: update!.boxes, revision: 5 }, seq: update!.seq }));
    await webview.page.waitForSelector('#save-state[data-state="saved"]');
    assert.equal(await webview.page.textContent('#error'), '');
    assert.equal(await webview.page.isVisible('#error'), false);
  });

  it('a refusal made while an earlier edit is being saved outlives that edit being stored; the next success clears it', async () => {
    await webview.page.click('.box[data-id="a1"]');
    // A, then Enter before the daemon stored the A: a2 is still undecided, so marking reviewed is refused.
    await webview.press('a', 'Enter');
    const refusal = /Not marked reviewed: 1 face is still undecided/;
    assert.match((await webview.page.textContent('#error')) ?? '', refusal);
    const [accepted] = await webview.sentOfType('review/update');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, boxes: accepted!.boxes, revision: 5 }, seq: accepted!.seq }));
    await webview.page.waitForSelector('#save-state[data-state="saved"]');
    assert.match((await webview.page.textContent('#error')) ?? '', refusal, 'the refusal was wiped out when the A before it was stored');
    await webview.page.click('.box[data-id="a2"]');
    await webview.press('r');
    const [, rejected] = await webview.sentOfType('review/update');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, boxes: rejected!.boxes, revision: 6 }, seq: rejected!.seq }));
    await webview.page.waitForSelector('#save-state[data-state="saved"]');
    assert.equal(await webview.page.textContent('#error'), '');
  });

  it('a change made elsewhere is shown at once, keeping the image, zoom and selection the annotator had', async () => {
    await webview.page.click('.box[data-id="a2"]');
    await webview.press('+');
    const zoomBefore = await webview.page.textContent('#image-status');
    const elsewhere: ImageRecord = { ...astronaut, revision: 9, boxes: [astronaut.boxes[1]!, { ...astronaut.boxes[0]!, id: 'new1', x: 300, y: 40, w: 50, h: 50 }] };
    await webview.post(RecordUpdated.create({ record: elsewhere }));
    await webview.page.waitForSelector('.box[data-id="new1"]');
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.id).sort(), ['a2', 'new1']);
    assert.equal((await webview.shownBox('a2')).selected, true);
    assert.equal(await webview.page.textContent('#image-status'), zoomBefore);
    assert.equal(await webview.page.getAttribute('#stage', 'data-file'), 'a-astronaut.png');
    // An older revision (a late echo) changes nothing.
    await webview.post(RecordUpdated.create({ record: { ...astronaut, revision: 8 } }));
    await webview.page.waitForTimeout(100);
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.id).sort(), ['a2', 'new1']);
  });

  it('a change made elsewhere while an edit is on its way waits for that edit’s answer', async () => {
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a');
    const [update] = await webview.sentOfType('review/update');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, revision: 6, boxes: [] } }));
    await webview.page.waitForTimeout(100);
    assert.equal((await webview.shownBox('a1')).kind, 'accepted', 'the local edit was replaced before the daemon answered it');
    await webview.post(RecordUpdated.create({ record: { ...astronaut, boxes: update!.boxes, revision: 5 }, seq: update!.seq }));
    await webview.page.waitForFunction(() => document.querySelectorAll('#boxes .box').length === 0);
  });

  it('drops thumbnails of an older version of a file (a commit replaced it) and asks for new ones', async () => {
    await webview.waitForMessage('thumbnails/request');
    const old = `${suite.server.origin}/images/b-wide.jpg?thumb-before-commit`;
    await webview.post(Thumbnails.create({ thumbs: { 'b-wide.jpg': old, 'c-tall.jpg': `${suite.server.origin}/images/c-tall.jpg?thumb` } }));
    await webview.page.waitForFunction((src) => document.querySelector('.filmstrip__row[data-file="b-wide.jpg"] img')?.getAttribute('src') === src, old);
    const entries = suite.dataset.entries.map((entry) => (entry.file === 'b-wide.jpg' ? { ...entry, version: 'after-commit' } : entry));
    await webview.clearSent();
    await webview.load({ ...suite.dataset, entries });
    await webview.waitForMessage('thumbnails/request');
    assert.notEqual(await webview.page.getAttribute('.filmstrip__row[data-file="b-wide.jpg"] img', 'src'), old, 'the filmstrip still shows the pre-commit thumbnail');
    assert.equal(await webview.page.getAttribute('.filmstrip__row[data-file="c-tall.jpg"] img', 'src'), `${suite.server.origin}/images/c-tall.jpg?thumb`);
  });
});
