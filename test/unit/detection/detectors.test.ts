import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { BlazeFaceDetector, WHOLE_IMAGE_ONLY } from '../../../daemon/detection/blazeFaceDetector';
import { operatingPoint, reachesOperatingPoint, type Detector } from '../../../daemon/detection/detector';
import { iou } from '../../../daemon/detection/nms';
import { openSession } from '../../../daemon/detection/session';
import type { ModelRegistry } from '../../../daemon/models/registry';
import type { Face, Rect } from '../../../daemon/protocol';
import { ASTRONAUT, NO_FACE } from '../../support/images';
import { ASTRONAUT_FACE_LABEL, decodeForDetection, freshRegistry, loadSharedYunet } from '../../support/models';

/** A grey canvas with copies of the astronaut shrunk to `size` px, and where each face is. */
async function collage(width: number, height: number, size: number, spots: Array<[number, number]>): Promise<{ png: Buffer; faces: Rect[] }> {
  const small = await sharp(ASTRONAUT).resize(size, size).png().toBuffer();
  const scale = size / 512;
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite(spots.map(([left, top]) => ({ input: small, left, top })))
    .png()
    .toBuffer();
  const faces = spots.map(([left, top]) => ({
    x: left + ASTRONAUT_FACE_LABEL.x * scale,
    y: top + ASTRONAUT_FACE_LABEL.y * scale,
    w: ASTRONAUT_FACE_LABEL.w * scale,
    h: ASTRONAUT_FACE_LABEL.h * scale,
  }));
  return { png, faces };
}

function found(faces: Face[], truth: Rect[], minIou = 0.4): number {
  return truth.filter((t) => faces.some((f) => iou(f, t) >= minIou)).length;
}

function assertInside(faces: Face[], width: number, height: number): void {
  for (const f of faces) {
    assert.ok(f.x >= 0 && f.y >= 0 && f.w > 0 && f.h > 0 && f.x + f.w <= width + 1e-9 && f.y + f.h <= height + 1e-9, `${JSON.stringify(f)} inside ${width}x${height}`);
  }
}

function assertBestFirst(faces: Face[]): void {
  for (let i = 1; i < faces.length; i++) assert.ok(faces[i - 1].score >= faces[i].score, 'best score first');
}

describe('face detectors on real pixels', function () {
  this.timeout(120_000);
  let registry: ModelRegistry;
  before(() => {
    registry = freshRegistry();
  });
  after(() => registry.dispose());

  describe('BlazeFace (embedded)', () => {
    let blazeface: Detector;
    before(async () => {
      blazeface = await registry.load('blazeface');
    });

    it('finds the astronaut at the default threshold, on her face', async () => {
      const faces = await blazeface.detect(await decodeForDetection(ASTRONAUT), {});
      assert.equal(found(faces, [ASTRONAUT_FACE_LABEL], 0.5), 1, JSON.stringify(faces));
      assertBestFirst(faces);
    });

    it('scores anything in a picture of a coffee cup well below the astronaut', async () => {
      const [face] = await blazeface.detect(await decodeForDetection(ASTRONAUT), {});
      const cup = await blazeface.detect(await decodeForDetection(NO_FACE), { threshold: 0.1 });
      const best = Math.max(0, ...cup.map((f) => f.score));
      assert.ok(best < face.score - 0.2, `coffee cup ${best.toFixed(2)} vs face ${face.score.toFixed(2)}`);
    });

    it('returns more candidates at threshold 0.1 (AP sweeps), every one scoring at least 0.1', async () => {
      const image = await decodeForDetection(ASTRONAUT);
      const sweep = await blazeface.detect(image, { threshold: 0.1 });
      const normal = await blazeface.detect(image, {});
      assert.ok(sweep.length > normal.length, `${sweep.length} > ${normal.length}`);
      assert.ok(sweep.every((f) => f.score >= 0.1));
      assert.ok(normal.every((f) => f.score >= blazeface.defaultThreshold));
    });

    it('clips a face cut by the image border to the image', async () => {
      const cut = await sharp(ASTRONAUT).extract({ left: 215, top: 0, width: 297, height: 300 }).png().toBuffer();
      const image = await decodeForDetection(cut);
      const faces = await blazeface.detect(image, { threshold: 0.3 });
      assert.ok(faces.some((f) => f.x === 0), `a face touches the left border: ${JSON.stringify(faces)}`);
      assertInside(faces, image.width, image.height);
    });

    it('the tile pyramid finds small faces in a large image that the whole-image pass misses', async () => {
      const spots: Array<[number, number]> = [];
      for (let row = 0; row < 3; row++) for (let col = 0; col < 6; col++) spots.push([40 + col * 200, 40 + row * 220]);
      const { png, faces: truth } = await collage(1280, 720, 80, spots); // faces ~14 x 19 px: ~3 x 4 px at level 0
      const image = await decodeForDetection(png);
      const model = (await registry.info('blazeface'));
      const whole = new BlazeFaceDetector(model, await openSession(await readFile(model.path)), { maxScale: WHOLE_IMAGE_ONLY, mirroredView: false });
      try {
        const pyramid = found(await blazeface.detect(image, {}), truth);
        const single = found(await whole.detect(image, {}), truth);
        assert.ok(pyramid >= truth.length - 2, `pyramid found ${pyramid} of ${truth.length}`);
        assert.ok(single < pyramid / 2, `whole image found ${single}, pyramid ${pyramid}`);
      } finally {
        await whole.dispose();
      }
    });
    it('puts one box on each face of a collage of sizes, never a looser box around a small face', async () => {
      // [size, left, top] of four astronaut copies: faces of about 43, 26, 14 and 9 px.
      const copies: Array<[number, number, number]> = [[200, 20, 200], [120, 300, 240], [64, 500, 270], [40, 640, 290]];
      const truth = await Promise.all(copies.map(async ([size, left, top]) => (await collage(1280, 720, size, [[left, top]])).faces[0]!));
      const layers = await Promise.all(copies.map(async ([size, left, top]) => ({ input: await sharp(ASTRONAUT).resize(size, size).png().toBuffer(), left, top })));
      const png = await sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 60, g: 70, b: 90 } } }).composite(layers).png().toBuffer();
      const faces = await blazeface.detect(await decodeForDetection(png), {});
      assert.equal(found(faces, truth, 0.3), truth.length, `every face found: ${JSON.stringify(faces)}`);
      for (const outer of faces) {
        for (const inner of faces) {
          if (inner === outer || inner.w * inner.h >= outer.w * outer.h) continue;
          const overlap = Math.max(0, Math.min(outer.x + outer.w, inner.x + inner.w) - Math.max(outer.x, inner.x)) * Math.max(0, Math.min(outer.y + outer.h, inner.y + inner.h) - Math.max(outer.y, inner.y));
          assert.ok(overlap / (inner.w * inner.h) < 0.7, `a ${outer.w.toFixed(0)} px box around a ${inner.w.toFixed(0)} px face: ${JSON.stringify([outer, inner])}`);
        }
      }
    });
  });

  describe('YuNet (installed from ../shared)', () => {
    let yunet: Detector;
    before(async function () {
      yunet = await loadSharedYunet(this, registry);
    });

    it('finds the astronaut at the default threshold, on her face', async () => {
      const faces = await yunet.detect(await decodeForDetection(ASTRONAUT), {});
      assert.equal(found(faces, [ASTRONAUT_FACE_LABEL], 0.5), 1, JSON.stringify(faces));
      assert.equal(yunet.defaultThreshold, 0.5);
    });

    it('runs thorough at its own, lower operating threshold, and finds the astronaut where she is in a mirrored picture', async () => {
      assert.ok(yunet.thoroughThreshold < yunet.defaultThreshold);
      const mirrored = await decodeForDetection(await sharp(ASTRONAUT).flop().png().toBuffer());
      const faces = await yunet.detect(mirrored, { thorough: true });
      const point = operatingPoint(yunet, { thorough: true });
      assert.deepEqual(point, { threshold: yunet.thoroughThreshold, largeFaceThreshold: yunet.thoroughLargeFaceThreshold });
      assert.ok(faces.every((f) => reachesOperatingPoint(f, point)));
      const label = { ...ASTRONAUT_FACE_LABEL, x: 512 - ASTRONAUT_FACE_LABEL.x - ASTRONAUT_FACE_LABEL.w };
      assert.equal(found(faces, [label], 0.5), 1, JSON.stringify(faces));
    });

    it('finds no face in a picture of a coffee cup at the default threshold, nor thorough with its lower bar for large faces', async () => {
      assert.deepEqual(await yunet.detect(await decodeForDetection(NO_FACE), {}), []);
      assert.deepEqual(await yunet.detect(await decodeForDetection(NO_FACE), { thorough: true }), []);
    });

    it('handles sizes that are not multiples of 32 and keeps boxes inside the image', async () => {
      const odd = await sharp(ASTRONAUT).extract({ left: 3, top: 5, width: 413, height: 301 }).png().toBuffer();
      const image = await decodeForDetection(odd);
      const faces = await yunet.detect(image, { threshold: 0.1 });
      assert.ok(faces.length > 0);
      assertInside(faces, image.width, image.height);
      assertBestFirst(faces);
    });

    it('finds a face too big for its receptive field at full resolution (960 px in a 4096 px photo)', async () => {
      const image = await decodeForDetection(await sharp(ASTRONAUT).resize(4096, 4096).png().toBuffer());
      const label = { x: ASTRONAUT_FACE_LABEL.x * 8, y: ASTRONAUT_FACE_LABEL.y * 8, w: ASTRONAUT_FACE_LABEL.w * 8, h: ASTRONAUT_FACE_LABEL.h * 8 };
      const faces = await yunet.detect(image, {});
      assert.equal(found(faces, [label], 0.7), 1, JSON.stringify(faces));
    });

    it('thorough mode finds faces under 10 px that the native pass misses', async () => {
      const spots: Array<[number, number]> = [];
      for (let row = 0; row < 3; row++) for (let col = 0; col < 5; col++) spots.push([20 + col * 120, 20 + row * 150]);
      const { png, faces: truth } = await collage(640, 480, 40, spots); // faces ~7 x 9 px
      const image = await decodeForDetection(png);
      const thorough = found(await yunet.detect(image, { thorough: true }), truth);
      const native = found(await yunet.detect(image, {}), truth);
      assert.ok(thorough >= truth.length - 2, `thorough found ${thorough} of ${truth.length}`);
      assert.ok(thorough > native, `thorough ${thorough} > native ${native}`);
    });
  });
});
