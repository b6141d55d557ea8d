import assert from 'node:assert/strict';
import sharp, { type Sharp } from 'sharp';
import type { Detector } from '../../../daemon/detection/detector';
import { iou } from '../../../daemon/detection/nms';
import type { ModelRegistry } from '../../../daemon/models/registry';
import type { Face } from '../../../daemon/protocol';
import { ASTRONAUT } from '../../support/images';
import { ASTRONAUT_FACE_LABEL, decodeForDetection, freshRegistry } from '../../support/models';

/**
 * For each EXIF orientation, how to turn displayed pixels into the stored pixels a camera would write,
 * so that a viewer applying the tag shows the original picture. (sharp mirrors before it rotates,
 * whatever the call order.)
 */
const STORE_FOR_ORIENTATION: Record<number, (image: Sharp) => Sharp> = {
  1: (image) => image,
  2: (image) => image.flop(),
  3: (image) => image.rotate(180),
  4: (image) => image.flip(),
  5: (image) => image.rotate(-90).flop(),
  6: (image) => image.rotate(-90),
  7: (image) => image.rotate(90).flop(),
  8: (image) => image.rotate(90),
};

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('detection in displayed orientation', function () {
  this.timeout(120_000);
  let registry: ModelRegistry;
  let detector: Detector;
  /** A non-square crop, so that a missed rotation also shows in the image size. */
  let displayed: Buffer;

  before(async () => {
    registry = freshRegistry();
    detector = await registry.load('blazeface');
    displayed = await sharp(ASTRONAUT).extract({ left: 0, top: 0, width: 512, height: 400 }).png().toBuffer();
  });
  after(() => registry.dispose());

  async function taggedJpeg(orientation: number): Promise<Buffer> {
    const stored = await STORE_FOR_ORIENTATION[orientation](sharp(displayed)).toBuffer();
    return sharp(stored).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer();
  }

  function bestFace(faces: Face[]): Face {
    assert.ok(faces.length > 0, 'a face is found');
    return faces.reduce((a, b) => (iou(b, ASTRONAUT_FACE_LABEL) > iou(a, ASTRONAUT_FACE_LABEL) ? b : a));
  }

  it('every one of the 8 EXIF orientations gives the same face box, in displayed pixels', async () => {
    const reference = await decodeForDetection(displayed);
    const referenceFace = bestFace(await detector.detect(reference, {}));
    assert.ok(iou(referenceFace, ASTRONAUT_FACE_LABEL) > 0.5, `reference box ${JSON.stringify(referenceFace)} is on the face`);
    for (let orientation = 1; orientation <= 8; orientation++) {
      const jpeg = await taggedJpeg(orientation);
      const stored = await sharp(jpeg).metadata();
      assert.equal(stored.orientation, orientation, 'the tag is written');
      if (orientation >= 5) assert.deepEqual([stored.width, stored.height], [400, 512], 'stored pixels are rotated');
      const image = await decodeForDetection(jpeg);
      assert.deepEqual([image.width, image.height, image.orientation], [512, 400, orientation]);
      assert.ok(meanAbsoluteDifference(image.rgb, reference.rgb) < 3, `orientation ${orientation} displays the original pixels`);
      const face = bestFace(await detector.detect(image, {}));
      for (const key of ['x', 'y', 'w', 'h'] as const) {
        assert.ok(Math.abs(face[key] - referenceFace[key]) <= 3, `orientation ${orientation}: ${key} ${face[key].toFixed(1)} vs ${referenceFace[key].toFixed(1)}`);
      }
    }
  });
});
