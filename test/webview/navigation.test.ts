import assert from 'node:assert/strict';
import {
  DisplayCopy,
  ErrorMessage,
  RecordUpdated,
  SettingsChanged,
  Thumbnails,
} from '../../webview/protocol';
import { WebviewPage } from '../support/webviewHarness';
import { box, committedImages, crowd, withImages } from '../support/webviewDataset';
import { closeCleanPage, useWebviewSuite } from '../support/webviewSuite';

describe('review webview: navigating a dataset', function () {
  const suite = useWebviewSuite();
  let webview: WebviewPage;

  async function openLoaded(savedState?: unknown): Promise<WebviewPage> {
    const page = await WebviewPage.open(suite.browser, suite.server, { savedState });
    await page.load(suite.dataset);
    return page;
  }

  beforeEach(async () => {
    webview = await openLoaded();
    await webview.waitForImage('a-astronaut.png');
  });

  afterEach(() => closeCleanPage(webview));

  const listed = () => webview.page.$$eval('.filmstrip__row:not([hidden])', (rows) =>
    rows
      .map((row) => ({ file: (row as HTMLElement).dataset.file!, top: row.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map((row) => row.file),
  );
  const currentRow = () => webview.page.$eval('.filmstrip__row.is-current', (row) => (row as HTMLElement).dataset.file);

  it('J/K and PageDown/PageUp step through the images; the filmstrip follows', async () => {
    await webview.press('j');
    await webview.waitForImage('b-wide.jpg');
    assert.equal(await currentRow(), 'b-wide.jpg');
    await webview.press('PageDown', 'PageDown');
    await webview.waitForImage('d-rotated.jpg');
    await webview.press('k');
    await webview.waitForImage('c-tall.jpg');
    await webview.press('PageUp', 'PageUp', 'PageUp');
    await webview.waitForImage('a-astronaut.png');
    const opened = (await webview.sentOfType('image/open')).map((message) => message.file);
    assert.deepEqual(opened, ['a-astronaut.png', 'b-wide.jpg', 'c-tall.jpg', 'd-rotated.jpg', 'c-tall.jpg', 'b-wide.jpg', 'a-astronaut.png']);
    assert.match(await webview.page.textContent('#image-name') ?? '', /a-astronaut\.png \(1 of 6\)/);
  });

  it('U goes to the next unreviewed image, skipping reviewed ones; Shift+Enter marks reviewed and goes on', async () => {
    await webview.press('j');
    await webview.waitForImage('b-wide.jpg');
    await webview.press('u');
    await webview.waitForImage('c-tall.jpg');
    await webview.press('Shift+Enter');
    await webview.waitForImage('d-rotated.jpg');
    const updates = await webview.sentOfType('review/update');
    assert.deepEqual(updates.map((update) => [update.file, update.status]), [['c-tall.jpg', 'reviewed']]);
  });

  it('an EXIF-rotated image is shown upright and its boxes are placed in displayed pixels', async () => {
    await webview.page.click('.filmstrip__row[data-file="d-rotated.jpg"]');
    await webview.waitForImage('d-rotated.jpg');
    const image = await webview.page.$eval('#image', (element) => {
      const img = element as HTMLImageElement;
      const rect = img.getBoundingClientRect();
      return { natural: [img.naturalWidth, img.naturalHeight], x: rect.x, y: rect.y, scale: rect.width / 200 };
    });
    assert.deepEqual(image.natural, [200, 400]);
    const face = await webview.shownBox('d1');
    assert.ok(Math.abs(face.x - (image.x + 40 * image.scale)) < 2 && Math.abs(face.y - (image.y + 60 * image.scale)) < 2);
    assert.ok(Math.abs(face.h - 90 * image.scale) < 2);
  });

  it('each filter lists only its images, from the picker or with F', async () => {
    await webview.page.selectOption('#filter', 'unreviewed');
    await webview.page.waitForFunction(() => document.querySelectorAll('.filmstrip__row:not([hidden])').length === 5);
    assert.deepEqual(await listed(), ['a-astronaut.png', 'c-tall.jpg', 'd-rotated.jpg', 'e-coffee.png', 'f-small.png']);
    await webview.page.focus('#stage');
    const expected: Record<string, string[]> = {
      faces: ['a-astronaut.png', 'b-wide.jpg', 'c-tall.jpg', 'd-rotated.jpg'],
      lowConfidence: ['a-astronaut.png', 'f-small.png'],
      manual: ['a-astronaut.png', 'c-tall.jpg'],
    };
    for (const [filter, files] of Object.entries(expected)) {
      await webview.press('f');
      assert.equal(await webview.page.$eval('#filter', (select) => (select as HTMLSelectElement).value), filter);
      // Two filters may list as many rows: wait for these rows, not for a count (the list re-renders on a frame).
      await webview.page
        .waitForFunction((names) => [...document.querySelectorAll<HTMLElement>('.filmstrip__row:not([hidden])')].map((row) => row.dataset.file).sort().join() === names, [...files].sort().join(), { timeout: 5000 })
        .catch(() => undefined);
      assert.deepEqual(await listed(), files, filter);
    }
  });

  it('the review queue (Q) lists images by their lowest model score first', async () => {
    await webview.press('q');
    assert.equal(await webview.page.$eval('#order', (select) => (select as HTMLSelectElement).value), 'confidence');
    await webview.page.waitForFunction(() => document.querySelector('.filmstrip__row[data-file="a-astronaut.png"]')?.getAttribute('aria-posinset') === '1');
    assert.deepEqual(await listed(), ['a-astronaut.png', 'f-small.png', 'd-rotated.jpg', 'b-wide.jpg', 'c-tall.jpg', 'e-coffee.png']);
    await webview.press('j');
    await webview.waitForImage('f-small.png');
  });

  it('asks for thumbnails of the rows in view and shows them when they arrive', async () => {
    await webview.waitForMessage('thumbnails/request');
    const [request] = await webview.sentOfType('thumbnails/request');
    assert.deepEqual(request!.files, suite.dataset.entries.map((entry) => entry.file));
    await webview.post(Thumbnails.create({ thumbs: { 'b-wide.jpg': `${suite.server.origin}/images/b-wide.jpg?thumb` } }));
    await webview.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.filmstrip__row[data-file="b-wide.jpg"] img');
      return img?.complete && img.naturalWidth === 1600;
    });
    assert.equal(await webview.page.getAttribute('.filmstrip__row[data-file="c-tall.jpg"] img', 'src'), null);
    await webview.press('j');
    await webview.waitForImage('b-wide.jpg');
    await webview.page.waitForTimeout(300);
    assert.equal((await webview.sentOfType('thumbnails/request')).length, 1, 'thumbnails were asked for twice');
  });

  it('clicking a row opens its image; in the focused list the arrow keys, Home and End move', async () => {
    await webview.page.click('.filmstrip__row[data-file="c-tall.jpg"]');
    await webview.waitForImage('c-tall.jpg');
    await webview.press('l');
    assert.equal(await webview.page.evaluate(() => document.activeElement?.id), 'filmstrip');
    await webview.press('ArrowDown');
    await webview.waitForImage('d-rotated.jpg');
    await webview.press('End');
    await webview.waitForImage('f-small.png');
    assert.equal(await webview.page.getAttribute('#filmstrip', 'aria-activedescendant'), await webview.page.getAttribute('.filmstrip__row.is-current', 'id'));
    await webview.press('Home', 'ArrowUp');
    await webview.waitForImage('a-astronaut.png');
    assert.equal((await webview.sentOfType('review/update')).length, 0, 'arrows in the list moved a box');
  });

  it('zoom: wheel at the pointer, + and -, 0 to fit, 1 for 1:1; boxes stay on the image', async () => {
    const imageRect = () => webview.page.$eval('#image', (image) => image.getBoundingClientRect().toJSON() as DOMRect);
    const fitted = await imageRect();
    await webview.press('1');
    assert.equal(Math.round((await imageRect()).width), 512);
    await webview.press('+');
    assert.equal(Math.round((await imageRect()).width), 640);
    await webview.press('-', '-');
    assert.equal(Math.round((await imageRect()).width), 410);
    await webview.press('0');
    assert.deepEqual(await imageRect(), fitted);
    const face = await webview.shownBox('a1');
    await webview.page.mouse.move(face.x, face.y);
    await webview.page.mouse.wheel(0, -300);
    await webview.page.waitForFunction((width) => document.querySelector('#image')!.getBoundingClientRect().width > width + 1, fitted.width);
    const zoomed = await imageRect();
    const after = await webview.shownBox('a1');
    assert.ok(Math.abs(after.x - face.x) < 1.5 && Math.abs(after.y - face.y) < 1.5, 'the corner under the pointer moved');
    const scale = zoomed.width / 512;
    assert.ok(Math.abs(after.w - 110 * scale) < 1.5);
  });

  it('Space+drag, middle-drag and the arrow keys without a selection pan image and boxes together', async () => {
    const before = await webview.shownBox('a1');
    await webview.page.focus('#stage');
    await webview.page.keyboard.down(' ');
    await webview.page.mouse.move(700, 400);
    await webview.page.mouse.down();
    await webview.page.mouse.move(650, 430, { steps: 3 });
    await webview.page.mouse.up();
    await webview.page.keyboard.up(' ');
    let after = await webview.shownBox('a1');
    assert.deepEqual([Math.round(after.x - before.x), Math.round(after.y - before.y)], [-50, 30]);
    await webview.page.mouse.move(700, 400);
    await webview.page.mouse.down({ button: 'middle' });
    await webview.page.mouse.move(720, 400, { steps: 2 });
    await webview.page.mouse.up({ button: 'middle' });
    await webview.press('ArrowUp');
    after = await webview.shownBox('a1');
    assert.deepEqual([Math.round(after.x - before.x), Math.round(after.y - before.y)], [-30, 70]);
    assert.equal((await webview.sentOfType('review/update')).length, 0);
  });

  it('P previews the redaction over every face not rejected; M and the picker change the mode this panel previews', async () => {
    await webview.page.click('.box[data-id="a2"]');
    await webview.press('r', 'p');
    assert.equal(await webview.page.isVisible('#preview'), true);
    assert.equal(await webview.page.isVisible('#boxes'), false);
    const pixel = (x: number, y: number) =>
      webview.page.evaluate(
        ([x, y]) => {
          const canvas = document.querySelector<HTMLCanvasElement>('#preview')!;
          const image = document.querySelector('#image')!.getBoundingClientRect();
          const scale = image.width / 512;
          const ratio = canvas.width / canvas.getBoundingClientRect().width;
          const px = (image.x - canvas.getBoundingClientRect().x + x * scale) * ratio;
          const py = (image.y - canvas.getBoundingClientRect().y + y * scale) * ratio;
          return [...canvas.getContext('2d')!.getImageData(Math.round(px), Math.round(py), 1, 1).data];
        },
        [x, y],
      );
    assert.deepEqual(await pixel(220, 125), [0, 0, 0, 255], 'the face is not filled');
    assert.deepEqual(await pixel(150, 60), [0, 0, 0, 255], 'the 25% margin is not filled');
    assert.deepEqual((await pixel(410, 330))[3], 0, 'the rejected box is redacted');
    await webview.press('m');
    const pixelated = await pixel(220, 125);
    assert.equal(pixelated[3], 255);
    assert.notDeepEqual(pixelated.slice(0, 3), [0, 0, 0]);
    await webview.page.selectOption('#mode', 'blur');
    assert.equal(await webview.page.$eval('#mode', (select) => (select as HTMLSelectElement).value), 'blur');
    await webview.page.selectOption('#mode', 'fill');
    await webview.post(SettingsChanged.create({ settings: { mode: 'fill', margin: 0, doubtMargin: 0, shape: 'ellipse' } }));
    assert.deepEqual(await pixel(220, 125), [0, 0, 0, 255], 'the face is not filled with an ellipse mask');
    assert.equal((await pixel(168, 58))[3], 0, 'an ellipse mask filled the corner of the box');
    assert.equal((await pixel(150, 60))[3], 0, 'a margin of 0 still grew the mask');
    await webview.press('p');
    assert.equal(await webview.page.isVisible('#preview'), false);
  });

  it('M changes the mode of this panel only: the setting (which commits use) is not touched, and the panel says which it previews', async () => {
    await webview.page.focus('#stage');
    await webview.press('p');
    assert.equal(await webview.page.textContent('#preview-note'), 'Preview: Solid fill, as commits redact');
    await webview.press('m');
    assert.equal(await webview.page.textContent('#preview-note'), 'Preview: Pixelate (this panel) · commits use Solid fill (setting)');
    assert.deepEqual(await webview.page.$$eval('#mode option', (options) => options.map((option) => option.textContent)), ['Solid fill (setting)', 'Pixelate', 'Blur']);
    const sent = (await webview.sent()).map((message) => message.type);
    // Only what any panel sends on its own (thumbnails are asked for as rows come into view: not yet, under load).
    const told = [...new Set(sent)].filter((type) => type !== 'thumbnails/request').sort();
    assert.deepEqual(told, ['image/open', 'ready', 'record/request'], 'the panel told the extension something (a setting to write?)');
    // The panel keeps its mode when the setting changes to another one, and says so; hidden and shown again too.
    await webview.post(SettingsChanged.create({ settings: { mode: 'blur', margin: 0.25, doubtMargin: 1, shape: 'rect' } }));
    assert.equal(await webview.page.textContent('#preview-note'), 'Preview: Pixelate (this panel) · commits use Blur (setting)');
    assert.equal(((await webview.savedState()) as { previewMode: string }).previewMode, 'pixelate');
  });

  it('Fit (0) fills the stage: a small crowd image is enlarged to it, not left at 100 % with 8 px faces', async () => {
    const small = await crowd(suite.folder, suite.server.origin, 'g-small-crowd.png', 32);
    await webview.load(withImages(suite.dataset, small));
    await webview.page.click('.filmstrip__row[data-file="g-small-crowd.png"]');
    await webview.waitForImage('g-small-crowd.png');
    const fitted = await webview.page.evaluate(() => {
      const stage = document.getElementById('stage')!.getBoundingClientRect();
      const image = document.getElementById('image')!.getBoundingClientRect();
      return { stage: [stage.width, stage.height], image: [image.width, image.height] };
    });
    const [width, height] = fitted.image as [number, number];
    assert.ok(width / 192 > 4, `fitted at ${Math.round((100 * width) / 192)} %`);
    assert.ok(Math.abs(width - (fitted.stage[0]! - 24)) < 2 || Math.abs(height - (fitted.stage[1]! - 24)) < 2, `the image (${width}×${height}) does not fill the stage ${fitted.stage}`);
    const face = await webview.shownBox('crowd-1');
    assert.ok(face.h > 30, `a face is ${face.h} px high on screen`);
    assert.match((await webview.page.textContent('#image-status')) ?? '', /\d{3,4}%$/);
  });

  it('above 200 % the image is drawn with square pixels; at fit and 100 % it is smoothed', async () => {
    const rendering = () => webview.page.$eval('#image', (image) => getComputedStyle(image).imageRendering);
    assert.equal(await rendering(), 'auto');
    await webview.press('1', '+', '+', '+');
    assert.match((await webview.page.textContent('#image-status')) ?? '', /195%$/);
    assert.equal(await rendering(), 'auto');
    await webview.press('+');
    assert.equal(await rendering(), 'pixelated');
    await webview.press('0');
    assert.equal(await rendering(), 'auto');
  });

  it('Z zooms to the selected face; ] selects the next face and pans the view to it', async () => {
    const busy = await crowd(suite.folder, suite.server.origin, 'g-crowd.png', 128);
    await webview.load(withImages(suite.dataset, busy));
    await webview.page.click('.filmstrip__row[data-file="g-crowd.png"]');
    await webview.waitForImage('g-crowd.png');
    const stage = await webview.page.$eval('#stage', (element) => element.getBoundingClientRect().toJSON() as DOMRect);
    const inView = (box: { x: number; y: number; w: number; h: number }) =>
      box.x >= stage.x && box.y >= stage.y && box.x + box.w <= stage.x + stage.width && box.y + box.h <= stage.y + stage.height;
    await webview.page.click('.box[data-id="crowd-7"]');
    await webview.press('z');
    const zoomed = await webview.shownBox('crowd-7');
    assert.ok(Math.abs(zoomed.h - 0.4 * stage.height) < 3, `the face is ${zoomed.h} px high in a ${stage.height} px stage`);
    assert.ok(Math.abs(zoomed.x + zoomed.w / 2 - (stage.x + stage.width / 2)) < 3, 'the face is not centred');
    for (let step = 0; step < 5; step++) {
      await webview.press(']');
      const selected = (await webview.shownBoxes()).find((box) => box.selected)!;
      assert.equal(selected.id, `crowd-${8 + step}`);
      assert.ok(inView(selected), `${selected.id} is selected out of view`);
    }
    assert.equal((await webview.sentOfType('review/update')).length, 0);
  });

  it('the filmstrip shows each file name first, its end whole, the folder dimmed after it, and a lock on committed images', async () => {
    const names = ['wider-dev/0--Parade/0_Parade_marchingband_1_20.jpg', 'wider-dev/0--Parade/0_Parade_marchingband_1_45.jpg'];
    const parade = await committedImages(suite.folder, suite.server.origin, names);
    await webview.load(withImages(suite.dataset, ...parade));
    await webview.page.waitForSelector(`.filmstrip__row[data-file="${names[1]}"]`);
    const rows = await webview.page.$$eval('.filmstrip__row:not([hidden])', (elements) =>
      elements.map((row) => {
        const part = (selector: string) => row.querySelector<HTMLElement>(selector)!;
        const visible = (selector: string) => !part(selector).hidden && part(selector).getBoundingClientRect().width > 0;
        const end = part('.filmstrip__name-end').getBoundingClientRect();
        return {
          file: (row as HTMLElement).dataset.file,
          name: part('.filmstrip__name').textContent,
          folder: visible('.filmstrip__folder') ? part('.filmstrip__folder').textContent : null,
          nameColour: getComputedStyle(part('.filmstrip__name')).color,
          folderColour: getComputedStyle(part('.filmstrip__folder')).color,
          endShown: end.right <= row.getBoundingClientRect().right,
          lock: visible('.filmstrip__lock'),
        };
      }),
    );
    const parades = rows.filter((row) => row.file!.startsWith('wider-dev/'));
    assert.deepEqual(parades.map((row) => [row.name, row.folder, row.lock, row.endShown]), [
      ['0_Parade_marchingband_1_20.jpg', 'wider-dev/0--Parade', true, true],
      ['0_Parade_marchingband_1_45.jpg', 'wider-dev/0--Parade', true, true],
    ]);
    assert.notEqual(parades[0]!.folderColour, parades[0]!.nameColour, 'the folder is not dimmed');
    const astronaut = rows.find((row) => row.file === 'a-astronaut.png')!;
    assert.deepEqual([astronaut.folder, astronaut.lock], [null, false]);
  });

  it('? opens the help listing every shortcut, Escape closes it and focus returns', async () => {
    await webview.page.focus('#stage');
    await webview.press('?');
    assert.equal(await webview.page.isVisible('#help'), true);
    assert.equal(await webview.page.evaluate(() => document.activeElement?.id), 'help-close');
    const listed = await webview.page.$$eval('#help kbd', (keys) => keys.map((key) => key.textContent));
    for (const key of ['J / PgDn', 'Shift+A', 'Ctrl+Z', 'Alt+→', '?', 'P', 'M', 'F', 'Q', 'Enter', 'Del / Backspace']) assert.ok(listed.includes(key), key);
    await webview.press('j');
    assert.equal(await webview.page.getAttribute('#stage', 'data-file'), 'a-astronaut.png', 'J went through the open help');
    await webview.press('Escape');
    assert.equal(await webview.page.isVisible('#help'), false);
    assert.equal(await webview.page.evaluate(() => document.activeElement?.id), 'stage');
  });

  it('the image, zoom, selection, filter and preview survive the panel being hidden and re-created', async () => {
    await webview.press('j');
    await webview.waitForImage('b-wide.jpg');
    await webview.press(']', '+', 'f');
    const before = await webview.shownBox('b1');
    await webview.press('p');
    const state = await webview.savedState();
    const hidden = webview;
    webview = await openLoaded(state);
    await hidden.close();
    await webview.waitForImage('b-wide.jpg');
    assert.equal(await webview.page.isVisible('#preview'), true);
    assert.equal(await webview.page.$eval('#filter', (select) => (select as HTMLSelectElement).value), 'unreviewed');
    await webview.press('p');
    const after = await webview.shownBox('b1');
    assert.equal(after.selected, true);
    assert.ok(before.w > 0);
    assert.deepEqual([after.x, after.y, after.w], [before.x, before.y, before.w]);
  });

  it('a record from the extension replaces the shown one; a stale confirmation does not undo newer edits', async () => {
    await webview.page.click('.box[data-id="a1"]');
    await webview.press('a', 'r');
    const [first, second] = await webview.sentOfType('review/update');
    const confirmed = (boxes: typeof first.boxes, revision: number) => ({ ...suite.dataset.records[0]!, boxes, revision });
    assert.equal(second!.afterSeq, first!.seq, 'an edit on an unconfirmed edit must say so');
    await webview.post(RecordUpdated.create({ record: confirmed(first!.boxes, 1), seq: first!.seq }));
    assert.equal((await webview.shownBox('a1')).kind, 'rejected', 'the confirmation of an older edit undid a newer one');
    await webview.post(RecordUpdated.create({ record: confirmed(second!.boxes, 2), seq: second!.seq }));
    assert.equal((await webview.shownBox('a1')).kind, 'rejected');
    await webview.post(RecordUpdated.create({ record: { ...suite.dataset.records[0]!, revision: 9, boxes: [box('x1', { x: 10, y: 10, w: 50, h: 50 }, { score: 0.66 })] } }));
    await webview.page.waitForSelector('.box[data-id="x1"]');
    assert.deepEqual((await webview.shownBoxes()).map((shown) => shown.id), ['x1']);
  });

  it('invalid messages are ignored and reported; extension errors and settings are shown', async () => {
    await webview.post({ type: 'dataset/load', root: '/x' });
    await webview.post({ type: 'record/updated', record: { file: 'a-astronaut.png', boxes: 'none' } });
    const reports = await webview.sentOfType('error/report');
    assert.equal(reports.length, 2);
    assert.match(reports[0]!.message, /dataset\/load/);
    assert.equal((await webview.shownBoxes()).length, 2);
    await webview.post(ErrorMessage.create({ message: 'The daemon stopped' }));
    assert.equal(await webview.page.textContent('#error'), 'The daemon stopped');
    await webview.post(SettingsChanged.create({ settings: { mode: 'pixelate', margin: 0.25, doubtMargin: 1, shape: 'ellipse' } }));
    assert.equal(await webview.page.$eval('#mode', (select) => (select as HTMLSelectElement).value), 'pixelate');
  });

  it('asks for a display copy of an image no browser decodes (TIFF), shows it, and names the file when there is none', async () => {
    const tiffs = [
      { file: 'g-scan.tif', imageUri: null, version: '1', width: 512, height: 512 },
      { file: 'h-broken.tif', imageUri: null, version: '1', width: 300, height: 200 },
    ];
    await webview.load({ ...suite.dataset, entries: [...suite.dataset.entries, ...tiffs] });
    await webview.waitForImage('a-astronaut.png');
    assert.deepEqual(await webview.sentOfType('displayCopy/request'), [], 'display copies are made on demand only');

    await webview.page.click('.filmstrip__row[data-file="g-scan.tif"]');
    await webview.waitForMessage('displayCopy/request');
    assert.equal(await webview.page.textContent('#stage-message'), 'Loading…');
    await webview.post(DisplayCopy.create({ file: 'g-scan.tif', uri: `${suite.server.origin}/images/a-astronaut.png?copy` }));
    await webview.waitForImage('g-scan.tif');
    assert.equal(await webview.page.isHidden('#stage-message'), true);

    await webview.page.click('.filmstrip__row[data-file="h-broken.tif"]');
    await webview.waitForMessage('displayCopy/request', 2);
    await webview.post(DisplayCopy.create({ file: 'h-broken.tif', error: 'not a TIFF file (bad header)' }));
    await webview.waitForImage('h-broken.tif');
    assert.equal(await webview.page.textContent('#stage-message'), 'Could not load h-broken.tif: not a TIFF file (bad header)');
    const requested = (await webview.sentOfType('displayCopy/request')).map((message) => message.file);
    assert.deepEqual(requested, ['g-scan.tif', 'h-broken.tif'], 'each copy asked for once');
  });
});

