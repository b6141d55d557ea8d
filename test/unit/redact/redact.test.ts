import * as assert from 'node:assert/strict';
import sharp, { type Sharp } from 'sharp';
import { ErrorCode, REDACTION_MODES, blurSigma, marginFor, pixelateCell, type MaskShape, type Rect } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { decodeDisplayed, DEFAULT_MAX_PIXELS, type ImageFormat } from '../../../daemon/image/decode';
import { redactImage } from '../../../daemon/redact/redactImage';
import { verifyShrink } from '../../../daemon/redact/verifyRegions';
import { redactionRegion } from '../../../daemon/redact/geometry';
import { ASTRONAUT, meanDiffIn } from '../../support/images';
import { BACKGROUND, FACE_BOX } from '../../support/commitFixtures';

const LIMITS = { maxPixels: DEFAULT_MAX_PIXELS };

/** A box a person drew: grown by the margin alone. */
function drawn(box: Rect) {
  return { ...box, score: null, edited: false };
}

async function displayed(bytes: Buffer) {
  return decodeDisplayed(bytes, 'test', LIMITS);
}

/** Sharp pipelines that store a displayed image under each EXIF orientation (found by search, not by table). */
const STORED_AS: Array<(image: Sharp) => Sharp> = [
  (i) => i,
  (i) => i.flop(),
  (i) => i.rotate(180),
  (i) => i.flip(),
  (i) => i.rotate(90).flop(),
  (i) => i.rotate(270),
  (i) => i.rotate(90).flip(),
  (i) => i.rotate(90),
];

/** A JPEG whose pixels, once its EXIF orientation is applied, show the upright astronaut. */
async function astronautStoredWithOrientation(orientation: number, upright: Buffer, width: number): Promise<Buffer> {
  let best: { bytes: Buffer; diff: number } | undefined;
  for (const store of STORED_AS) {
    const stored = await store(sharp(ASTRONAUT)).toBuffer();
    const bytes = await sharp(stored).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer();
    const shown = await displayed(bytes);
    if (shown.width !== width) continue;
    const diff = meanDiffIn(shown.rgb, upright, width, { x: 0, y: 0, w: width, h: shown.height });
    if (!best || diff < best.diff) best = { bytes, diff };
  }
  assert.ok(best && best.diff < 3, `no stored form displays upright for orientation ${orientation}`);
  return best.bytes;
}

describe('redaction', () => {
  let astronaut: Buffer;
  before(async () => {
    astronaut = await sharp(ASTRONAUT).png().toBuffer();
  });

  for (const mode of REDACTION_MODES) {
    it(`${mode}: hides the face and leaves the background untouched`, async () => {
      const source = await displayed(astronaut);
      const out = await redactImage(astronaut, 'astronaut.png', [drawn(FACE_BOX)], { mode, margin: 0.25, doubtMargin: 1, shape: 'rect' }, LIMITS);
      assert.equal(out.format, 'png');
      const result = await displayed(out.bytes);
      assert.ok(meanDiffIn(source.rgb, result.rgb, 512, FACE_BOX) > 15, `${mode}: face barely changed`);
      assert.equal(meanDiffIn(source.rgb, result.rgb, 512, BACKGROUND), 0);
    });
  }

  it('grows the region by the margin (25% by default) and clips it to the image, keeping the size of the face', () => {
    assert.deepEqual(redactionRegion({ x: 100, y: 100, w: 40, h: 80 }, 0.25, 512, 512), { x: 90, y: 80, w: 60, h: 120, faceSize: 80 });
    assert.deepEqual(redactionRegion({ x: 0, y: 490, w: 40, h: 40 }, 0.25, 512, 512), { x: 0, y: 480, w: 50, h: 32, faceSize: 40 });
    assert.equal(redactionRegion({ x: 100, y: 100, w: 40, h: 80 }, 2, 512, 512).faceSize, 80, 'the margin does not change the strength');
  });

  it('pixelates with at most 5 cells across a face and cells of at least 20 px, and blurs with a sigma as large as the face, at least 16 px', () => {
    for (const face of [8, 16, 24, 48, 96, 100, 200, 400, 1200]) {
      const cells = face / pixelateCell(face);
      assert.ok(cells <= 5, `${face} px face: ${cells} cells across`);
      assert.ok(pixelateCell(face) >= 20, `${face} px face: ${pixelateCell(face)} px cells`);
      assert.equal(blurSigma(face), Math.max(16, face));
    }
    assert.deepEqual([16, 40, 100, 200, 1000].map(pixelateCell), [20, 20, 20, 40, 200], 'coarser relative to the face the smaller it is, 5 cells from 100 px on');
  });

  it('an ellipse mask keeps the corners of the face region', async () => {
    const source = await displayed(astronaut);
    const out = await displayed((await redactImage(astronaut, 'a.png', [drawn(FACE_BOX)], { mode: 'fill', margin: 0, doubtMargin: 1, shape: 'ellipse' as MaskShape }, LIMITS)).bytes);
    const corner = { x: FACE_BOX.x, y: FACE_BOX.y, w: 8, h: 8 };
    const centre = { x: FACE_BOX.x + 30, y: FACE_BOX.y + 40, w: 30, h: 30 };
    assert.equal(meanDiffIn(source.rgb, out.rgb, 512, corner), 0);
    assert.ok(meanDiffIn(source.rgb, out.rgb, 512, centre) > 50);
  });

  it('grows a doubted model box further than a confident or hand-placed one, and paints what it grows', async () => {
    const rule = { margin: 0.25, doubtMargin: 1 };
    assert.equal(marginFor({ score: 0.5, edited: false }, rule), 0.75);
    assert.equal(marginFor({ score: 1, edited: false }, rule), 0.25);
    assert.equal(marginFor({ score: 0.5, edited: true }, rule), 0.25, 'a person moved it: their fit');
    assert.equal(marginFor({ score: null, edited: false }, rule), 0.25, 'drawn by hand');
    assert.equal(marginFor({ score: 0.5, edited: false }, { margin: 0.25, doubtMargin: 0 }), 0.25);
    const flat = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#808080' } }).png().toBuffer();
    const box = { x: 150, y: 150, w: 100, h: 100 };
    // 0.25 + 1 x (1 - 0.4) = 0.85 of 100 px on every side: the fill reaches x = 65, where a drawn box stops at 125.
    const doubted = await displayed((await redactImage(flat, 'd.png', [{ ...box, score: 0.4, edited: false }], { mode: 'fill', ...rule, shape: 'rect' }, LIMITS)).bytes);
    const plain = await displayed((await redactImage(flat, 'p.png', [drawn(box)], { mode: 'fill', ...rule, shape: 'rect' }, LIMITS)).bytes);
    const strip = { x: 70, y: 190, w: 50, h: 20 };
    assert.ok(meanDiffIn(Buffer.alloc(doubted.rgb.length, 128), doubted.rgb, 400, strip) > 100, 'the doubted box is grown over the strip');
    assert.equal(meanDiffIn(Buffer.alloc(plain.rgb.length, 128), plain.rgb, 400, strip), 0, 'the drawn box is not');
    assert.equal(meanDiffIn(Buffer.alloc(doubted.rgb.length, 128), doubted.rgb, 400, { x: 0, y: 0, w: 60, h: 60 }), 0);
  });

  it('refuses to publish when a region did not change (VerifyFailed)', async () => {
    const flat = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } }).png().toBuffer();
    await assert.rejects(
      redactImage(flat, 'flat.png', [drawn({ x: 50, y: 50, w: 60, h: 60 })], { mode: 'pixelate', margin: 0.25, doubtMargin: 1, shape: 'rect' }, LIMITS),
      (error: unknown) => VeilError.is(error) && error.code === ErrorCode.VerifyFailed && /did not change 1 region/.test(error.message),
    );
  });

  it('checks large JPEG regions at reduced scale and still refuses a region that did not change', async () => {
    /** The region of a w x h face with the default margin, at the origin. */
    const face = (w: number, h: number) => redactionRegion({ x: w / 2, y: h / 2, w, h }, 0.25, 4000, 3000);
    assert.equal(verifyShrink('jpeg', 'fill', [face(134, 94)]), 8);
    assert.equal(verifyShrink('jpeg', 'pixelate', [face(400, 134)]), 8, '80 px cells, 10 blocks of 1/8');
    assert.equal(verifyShrink('jpeg', 'pixelate', [face(400, 134), face(80, 80)]), 4, '20 px cells: 5 blocks of 1/4, 2.5 of 1/8');
    assert.equal(verifyShrink('jpeg', 'pixelate', [face(400, 134), face(40, 40)]), 1, 'a 60 px region: under 16 blocks of 1/4 across');
    assert.equal(verifyShrink('jpeg', 'blur', [face(67, 67)]), 4);
    assert.equal(verifyShrink('jpeg', 'blur', [face(27, 27)]), 1);
    assert.equal(verifyShrink('png', 'fill', [face(600, 600)]), 1);
    const flat = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const big = { x: 400, y: 300, w: 400, h: 400 };
    await assert.rejects(
      redactImage(flat, 'flat.jpg', [drawn(big)], { mode: 'pixelate', margin: 0.25, doubtMargin: 1, shape: 'rect' }, LIMITS),
      (error: unknown) => VeilError.is(error) && error.code === ErrorCode.VerifyFailed,
    );
    const filled = await redactImage(flat, 'flat.jpg', [drawn(big)], { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'ellipse' }, LIMITS);
    const out = await displayed(filled.bytes);
    assert.ok(meanDiffIn(Buffer.alloc(out.rgb.length, 128), out.rgb, 1600, { x: 550, y: 450, w: 100, h: 100 }) > 100);
  });

  it('publishes a real face pixelated or blurred in a large JPEG checked at reduced scale, and the face is gone', async () => {
    const scale = 4;
    const large = await sharp(ASTRONAUT).resize(512 * scale, 512 * scale).jpeg({ quality: 92 }).toBuffer();
    const face = { x: FACE_BOX.x * scale, y: FACE_BOX.y * scale, w: FACE_BOX.w * scale, h: FACE_BOX.h * scale };
    const source = await displayed(large);
    const region = redactionRegion(face, 0.25, source.width, source.height);
    for (const mode of ['pixelate', 'blur'] as const) {
      assert.ok(verifyShrink('jpeg', mode, [region]) > 1, `${mode}: the face region should be checked at reduced scale`);
      const out = await displayed((await redactImage(large, 'large.jpg', [drawn(face)], { mode, margin: 0.25, doubtMargin: 1, shape: 'rect' }, LIMITS)).bytes);
      assert.ok(meanDiffIn(source.rgb, out.rgb, source.width, face) > 15, `${mode}: face barely changed`);
    }
  });

  it('leaves no metadata sentinel (GPS, record number in EXIF and XMP) in any output byte, in every format', async () => {
    const sentinels = ['VEIL-RECORD-0042', 'VEIL-XMP-RECORD-0042', 'VEIL-GPS-DATUM'];
    const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier>${sentinels[1]}</dc:identifier></rdf:Description></rdf:RDF></x:xmpmeta>`;
    const exif = {
      IFD0: { ImageDescription: sentinels[0], Artist: sentinels[0] },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1', GPSMapDatum: sentinels[2] },
    };
    const formats: ImageFormat[] = ['jpeg', 'png', 'webp', 'tiff'];
    for (const format of formats) {
      const input = await sharp(ASTRONAUT).withExifMerge(exif).withXmp(xmp).toFormat(format).toBuffer();
      const planted = await sharp(input).metadata();
      assert.ok(planted.xmp?.includes(sentinels[1]), `${format}: the XMP sentinel was not planted`);
      // sharp writes no EXIF into TIFF; every other format carries the record number and the GPS block.
      if (format !== 'tiff') assert.ok(planted.exif?.includes(sentinels[0]) && planted.exif.includes(sentinels[2]), `${format}: EXIF/GPS sentinels were not planted`);
      for (const mode of REDACTION_MODES) {
        const out = await redactImage(input, `in.${format}`, [drawn(FACE_BOX)], { mode, margin: 0.25, doubtMargin: 1, shape: 'rect' }, LIMITS);
        assert.equal(out.format, format);
        for (const sentinel of sentinels) assert.equal(out.bytes.includes(sentinel), false, `${format}/${mode}: ${sentinel} survived`);
        const meta = await sharp(out.bytes).metadata();
        assert.equal(meta.exif, undefined, `${format}/${mode}: EXIF survived`);
        assert.equal(meta.xmp, undefined, `${format}/${mode}: XMP survived`);
        assert.equal(meta.iptc, undefined);
        assert.equal(meta.icc, undefined, `${format}/${mode}: ICC profile survived`);
      }
    }
  });

  it('redacts the face, not the background, under all 8 EXIF orientations', async function () {
    this.timeout(120_000);
    const upright = await displayed(await sharp(ASTRONAUT).jpeg({ quality: 95 }).toBuffer());
    for (let orientation = 1; orientation <= 8; orientation++) {
      const bytes = await astronautStoredWithOrientation(orientation, upright.rgb, upright.width);
      assert.equal((await sharp(bytes).metadata()).orientation, orientation);
      const source = await displayed(bytes);
      const out = await redactImage(bytes, `o${orientation}.jpg`, [drawn(FACE_BOX)], { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' }, LIMITS);
      const meta = await sharp(out.bytes).metadata();
      assert.equal(meta.orientation, undefined, 'the output must carry no orientation tag: its pixels are upright');
      const result = await displayed(out.bytes);
      assert.ok(meanDiffIn(source.rgb, result.rgb, 512, FACE_BOX) > 60, `orientation ${orientation}: face not covered`);
      assert.ok(meanDiffIn(source.rgb, result.rgb, 512, BACKGROUND) < 3, `orientation ${orientation}: background changed`);
    }
  });
});
