import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Box } from '../../daemon/protocol';
import { RecordUpdated, WEBVIEW_PROTOCOL_VERSION } from '../../webview/protocol';
import { REPO_ROOT } from '../support/paths';
import { WebviewPage } from '../support/webviewHarness';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';

describe('review webview: editing boxes', function () {
  const suite = useWebviewSuite();
  let webview: WebviewPage;

  beforeEach(async () => {
    webview = await WebviewPage.open(suite.browser, suite.server);
    await webview.load(suite.dataset);
    await webview.waitForImage('a-astronaut.png');
  });

  afterEach(() => closeCleanPage(webview));

  /** The image's on-screen rectangle and scale (displayed pixels → page pixels). */
  async function imageGeometry() {
    return webview.page.$eval('#image', (image) => {
      const rect = image.getBoundingClientRect();
      return { x: rect.x, y: rect.y, scale: rect.width / (image as HTMLImageElement).offsetWidth };
    });
  }

  async function lastUpdate() {
    const updates = await webview.sentOfType('review/update');
    assert.ok(updates.length > 0, 'no review/update sent');
    return updates[updates.length - 1]!;
  }

  function boxById(boxes: Box[], id: string): Box {
    const found = boxes.find((box) => box.id === id);
    assert.ok(found, `box ${id} missing`);
    return found;
  }

  it('draws each box over the face it marks, in displayed image pixels, coloured by state', async () => {
    const image = await imageGeometry();
    const face = await webview.shownBox('a1');
    assert.ok(Math.abs(face.x - (image.x + 165 * image.scale)) < 3, `x ${face.x}`);
    assert.ok(Math.abs(face.y - (image.y + 55 * image.scale)) < 3, `y ${face.y}`);
    assert.ok(Math.abs(face.w - 110 * image.scale) < 3 && Math.abs(face.h - 140 * image.scale) < 3);
    assert.equal(face.kind, 'proposed');
    assert.match(face.label, /score 0\.93/);
    const colours = await webview.page.$$eval('#boxes .box', (boxes) => boxes.map((box) => getComputedStyle(box).borderTopColor));
    assert.equal(colours.length, 2);
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a');
    const accepted = await webview.page.$eval('.box[data-id="a1"]', (box) => getComputedStyle(box).borderTopColor);
    assert.notEqual(accepted, colours[0], 'accepted and proposed boxes look the same');
  });

  it('tells the extension it is ready and which image it shows', async () => {
    const sent = await webview.sent();
    assert.deepEqual(sent[0], { type: 'ready', version: WEBVIEW_PROTOCOL_VERSION });
    assert.ok(sent.some((message) => message.type === 'image/open' && message.file === 'a-astronaut.png'));
  });

  it('shows the score when the pointer is over a box', async () => {
    const label = webview.page.locator('.box[data-id="a2"] .box__label');
    assert.equal(await label.isVisible(), false);
    await webview.page.hover('.box[data-id="a2"]');
    assert.equal(await label.textContent(), '0.41');
    assert.equal(await label.isVisible(), true);
  });

  it('a click selects a box; A accepts it, R rejects it, Delete removes it, each sent at once with every box', async () => {
    await webview.page.click('.box[data-id="a1"]');
    assert.equal((await webview.shownBox('a1')).selected, true);
    await webview.press('a');
    let update = await lastUpdate();
    assert.equal(update.file, 'a-astronaut.png');
    assert.equal(update.boxes.length, 2);
    assert.equal(boxById(update.boxes, 'a1').state, 'accepted');
    assert.equal(boxById(update.boxes, 'a2').state, 'proposed');
    assert.equal(update.status, 'unreviewed');
    await webview.press('r');
    update = await lastUpdate();
    assert.equal(boxById(update.boxes, 'a1').state, 'rejected');
    assert.equal((await webview.shownBox('a1')).kind, 'rejected');
    await webview.press('Delete');
    update = await lastUpdate();
    assert.deepEqual(update.boxes.map((box) => box.id), ['a2']);
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.id), ['a2']);
    const seqs = (await webview.sentOfType('review/update')).map((message) => message.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, 3);
  });

  it('dragging a box moves it by the dragged distance in image pixels and marks it edited', async () => {
    const image = await imageGeometry();
    const face = await webview.shownBox('a1');
    const mouse = webview.page.mouse;
    await mouse.move(face.x + face.w / 2, face.y + face.h / 2);
    await mouse.down();
    await mouse.move(face.x + face.w / 2 + 40, face.y + face.h / 2 + 20, { steps: 4 });
    await mouse.up();
    const moved = boxById((await lastUpdate()).boxes, 'a1');
    assert.ok(Math.abs(moved.x - (165 + 40 / image.scale)) < 1, `x ${moved.x}`);
    assert.ok(Math.abs(moved.y - (55 + 20 / image.scale)) < 1, `y ${moved.y}`);
    assert.deepEqual([moved.w, moved.h, moved.edited], [110, 140, true]);
    const shown = await webview.shownBox('a1');
    assert.ok(Math.abs(shown.x - face.x - 40) < 2);
  });

  it('dragging a corner handle resizes the box while the opposite corner stays', async () => {
    const image = await imageGeometry();
    await webview.page.click('.box[data-id="a1"]');
    const handle = await webview.page.locator('.box[data-id="a1"] .box__handle--se').boundingBox();
    assert.ok(handle);
    const mouse = webview.page.mouse;
    await mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await mouse.down();
    await mouse.move(handle.x + handle.width / 2 + 30, handle.y + handle.height / 2 + 15, { steps: 3 });
    await mouse.up();
    const resized = boxById((await lastUpdate()).boxes, 'a1');
    assert.deepEqual([resized.x, resized.y], [165, 55]);
    assert.ok(Math.abs(resized.w - (110 + 30 / image.scale)) < 1.5, `w ${resized.w}`);
    assert.ok(Math.abs(resized.h - (140 + 15 / image.scale)) < 1.5, `h ${resized.h}`);
  });

  it('dragging on the image draws a new manual box, accepted and selected', async () => {
    const image = await imageGeometry();
    const mouse = webview.page.mouse;
    await mouse.move(image.x + 20 * image.scale, image.y + 300 * image.scale);
    await mouse.down();
    await mouse.move(image.x + 100 * image.scale, image.y + 380 * image.scale, { steps: 5 });
    await mouse.up();
    const update = await lastUpdate();
    assert.equal(update.boxes.length, 3);
    const drawn = update.boxes[2]!;
    assert.deepEqual([drawn.source, drawn.state, drawn.score], ['manual', 'accepted', null]);
    assert.ok(Math.abs(drawn.x - 20) < 1 && Math.abs(drawn.y - 300) < 1 && Math.abs(drawn.w - 80) < 1 && Math.abs(drawn.h - 80) < 1, JSON.stringify(drawn));
    const shown = await webview.shownBox(drawn.id);
    assert.deepEqual([shown.kind, shown.selected], ['manual', true]);
  });

  it('a click on the image away from boxes deselects and draws nothing', async () => {
    await webview.page.click('.box[data-id="a1"]');
    const image = await imageGeometry();
    await webview.page.mouse.click(image.x + 30 * image.scale, image.y + 450 * image.scale);
    assert.equal((await webview.shownBoxes()).some((box) => box.selected), false);
    assert.equal((await webview.sentOfType('review/update')).length, 0);
  });

  it('arrow keys move the selected box 1 px (Shift: 10 px); Alt+arrows resize it', async () => {
    await webview.press(']');
    assert.equal((await webview.shownBox('a1')).selected, true);
    await webview.press('ArrowRight', 'ArrowDown', 'Shift+ArrowLeft');
    let face = boxById((await lastUpdate()).boxes, 'a1');
    assert.deepEqual([face.x, face.y, face.w, face.h], [165 + 1 - 10, 55 + 1, 110, 140]);
    await webview.press('Alt+ArrowRight', 'Alt+Shift+ArrowDown', 'Alt+ArrowUp');
    face = boxById((await lastUpdate()).boxes, 'a1');
    assert.deepEqual([face.x, face.y, face.w, face.h], [156, 56, 111, 149]);
  });

  it('[ and ] cycle the selection through the faces and Escape clears it', async () => {
    await webview.press(']');
    assert.equal((await webview.shownBox('a1')).selected, true);
    await webview.press(']');
    assert.equal((await webview.shownBox('a2')).selected, true);
    await webview.press('[');
    assert.equal((await webview.shownBox('a1')).selected, true);
    assert.match(await webview.page.textContent('#announcer') ?? '', /Face 1 of 2, proposed, score 0\.93/);
    await webview.press('Escape');
    assert.equal((await webview.shownBoxes()).some((box) => box.selected), false);
  });

  it('Shift+A accepts only the undecided proposals: a face a person rejected stays rejected, a drawn box as it is', async () => {
    await webview.page.click('.box[data-id="a2"]');
    await webview.press('r', 'b', 'Shift+A');
    const boxes = (await lastUpdate()).boxes;
    assert.deepEqual(boxes.map((box) => `${box.id.startsWith('manual') ? 'drawn' : box.id}:${box.state}`), ['a1:accepted', 'a2:rejected', 'drawn:accepted']);
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.kind), ['accepted', 'rejected', 'manual']);
  });

  it('Shift+R rejects only the undecided proposals: a face a person accepted stays accepted', async () => {
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a', 'Shift+R');
    assert.deepEqual((await lastUpdate()).boxes.map((box) => `${box.id}:${box.state}`), ['a1:accepted', 'a2:rejected']);
  });

  it('the footer says the selected face\'s new state after a decision, not the state it was selected in', async () => {
    await webview.page.click('.box[data-id="a2"]');
    assert.match(await webview.page.textContent('#announcer') ?? '', /Face 2 of 2, proposed/);
    await webview.press('r');
    await webview.page.waitForFunction(() => /Face 2 of 2, rejected/.test(document.querySelector('#announcer')?.textContent ?? ''));
  });

  it('marking reviewed while a face is undecided is refused: Shift+Enter stays on the image and flashes the undecided faces', async () => {
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a', 'p');
    const updates = (await webview.sentOfType('review/update')).length;
    await webview.press('Shift+Enter');
    await webview.page.waitForTimeout(200);
    assert.equal(await webview.page.getAttribute('#stage', 'data-file'), 'a-astronaut.png', 'it went on to the next image');
    assert.equal((await webview.sentOfType('review/update')).length, updates, 'a refused mark was sent');
    assert.equal(await webview.page.isVisible('#boxes'), true, 'the faces to decide are hidden under the preview');
    const flashing = await webview.page.$$eval('#boxes .box.is-flashing', (boxes) => boxes.map((box) => (box as HTMLElement).dataset.id));
    assert.deepEqual(flashing, ['a2']);
    assert.match((await webview.page.textContent('#error')) ?? '', /Not marked reviewed: 1 face is still undecided/);
    await webview.press('Enter');
    assert.equal((await webview.sentOfType('review/update')).length, updates, 'Enter marked it reviewed all the same');
    await webview.page.waitForFunction(() => document.querySelectorAll('#boxes .box.is-flashing').length === 0, undefined, { timeout: 3000 });
    await webview.press(']', 'r', 'Shift+Enter');
    await webview.waitForImage('c-tall.jpg');
    assert.equal((await lastUpdate()).status, 'reviewed');
  });

  it('a small box keeps its handles outside it, clear of the face (screenshot in test-results/webview)', async () => {
    await webview.press('-', '-', '-', '-', '-', '-');
    await webview.page.click('.box[data-id="a2"]');
    const face = await webview.shownBox('a2');
    assert.ok(face.w < 40, `the box is ${face.w} px wide on screen`);
    const handles = await webview.page.$$eval('.box[data-id="a2"] .box__handle', (grips) => grips.map((grip) => grip.getBoundingClientRect().toJSON() as DOMRect));
    assert.equal(handles.length, 8);
    for (const handle of handles) {
      const overlaps = handle.x < face.x + face.w && handle.x + handle.width > face.x && handle.y < face.y + face.h && handle.y + handle.height > face.y;
      assert.ok(!overlaps, `a handle at ${handle.x},${handle.y} covers the box ${JSON.stringify(face)}`);
    }
    await webview.page.locator('#stage').screenshot({ path: join(REPO_ROOT, 'test-results', 'webview', 'small-box-handles-dark.png') });
  });

  it('H and the toolbar button hide the boxes to show the faces under them, and show them again; nothing is edited', async () => {
    await webview.page.focus('#stage');
    await webview.press('h');
    assert.equal(await webview.page.isVisible('#boxes'), false);
    assert.equal(await webview.page.getAttribute('button[data-command="view.toggleBoxes"]', 'aria-pressed'), 'true');
    await webview.page.click('button[data-command="view.toggleBoxes"]');
    assert.equal(await webview.page.isVisible('#boxes'), true);
    assert.equal((await webview.sentOfType('review/update')).length, 0);
  });

  it('B adds a box in the middle of the view, so faces can be added without a mouse', async () => {
    await webview.press('b');
    const drawn = (await lastUpdate()).boxes[2]!;
    assert.equal(drawn.source, 'manual');
    assert.ok(Math.abs(drawn.x + drawn.w / 2 - 256) < 2 && Math.abs(drawn.y + drawn.h / 2 - 256) < 2, JSON.stringify(drawn));
    assert.equal((await webview.shownBox(drawn.id)).selected, true);
  });

  it('undo and redo step through every kind of edit, each one sent to the extension', async () => {
    const original = suite.dataset.records[0]!.boxes;
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a', 'ArrowRight', 'b', 'Shift+R', 'Enter');
    const after = await lastUpdate();
    assert.equal(after.status, 'reviewed');
    const count = (await webview.sentOfType('review/update')).length;
    await webview.press('Control+z', 'Control+z', 'Control+z', 'Control+z', 'Control+z');
    const undone = await lastUpdate();
    assert.deepEqual(undone.boxes, original);
    assert.equal(undone.status, 'unreviewed');
    assert.equal((await webview.sentOfType('review/update')).length, count + 5);
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.kind), ['proposed', 'proposed']);
    await webview.press('Control+Shift+Z', 'Control+y', 'Control+y', 'Control+y', 'Control+y');
    const redone = await lastUpdate();
    assert.deepEqual(redone.boxes, after.boxes);
    assert.equal(redone.status, 'reviewed');
    await webview.press('Control+y');
    assert.equal((await webview.sentOfType('review/update')).length, count + 10, 'redo past the end sent something');
  });

  it('Enter marks the image reviewed and the progress counts it; Shift+U unmarks it', async () => {
    assert.match(await webview.page.textContent('#progress-text') ?? '', /Reviewed 1 \/ 6\nFaces 2 accepted \/ 3 proposed/);
    await webview.page.focus('#stage');
    await webview.press('Shift+A', 'Enter');
    assert.equal((await lastUpdate()).status, 'reviewed');
    assert.match(await webview.page.textContent('#progress-text') ?? '', /Reviewed 2 \/ 6/);
    await webview.press('Shift+U');
    assert.equal((await lastUpdate()).status, 'unreviewed');
    assert.match(await webview.page.textContent('#progress-text') ?? '', /Reviewed 1 \/ 6/);
  });

  it('a committed image is read-only: no edit is made or sent', async () => {
    await webview.post(RecordUpdated.create({ record: { ...suite.dataset.records[0]!, status: 'committed', revision: 3 } }));
    await webview.page.waitForFunction(() => document.getElementById('image-status')!.textContent!.startsWith('committed (read-only)'));
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a', 'Delete', 'b', 'Enter', 'ArrowRight');
    assert.equal((await webview.sentOfType('review/update')).length, 0);
    assert.deepEqual((await webview.shownBoxes()).map((box) => box.kind), ['proposed', 'proposed']);
  });

  it('the toolbar buttons run the same actions as the keys', async () => {
    await webview.page.click('button[data-command="box.acceptAll"]');
    assert.deepEqual((await lastUpdate()).boxes.map((box) => box.state), ['accepted', 'accepted']);
    await webview.page.click('button[data-command="image.markReviewed"]');
    assert.equal((await lastUpdate()).status, 'reviewed');
    await webview.page.click('button[data-command="edit.undo"]');
    assert.deepEqual([(await lastUpdate()).status, ...(await lastUpdate()).boxes.map((box) => box.state)], ['unreviewed', 'accepted', 'accepted']);
  });
});
