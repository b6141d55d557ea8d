import assert from 'node:assert/strict';
import { grayThumbnail, isSceneCut, sceneDifference, THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH, type GrayThumbnail } from '../../daemon/video/sceneCut';
import { seededRandom, type Random } from '../support/seededRandom';

/** A picture of soft blobs (shapes, shading) the size of a few thumbnail cells, `width` × `height`, gray levels. */
function blobPicture(random: Random, width: number, height: number): Float64Array {
  const blobs = Array.from({ length: 40 }, () => ({ x: random.next() * width, y: random.next() * height, r: 1.5 + random.next() * 4, v: random.next() * 120 - 60 }));
  const picture = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      picture[y * width + x] = 128 + blobs.reduce((sum, b) => sum + b.v * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r)), 0);
    }
  }
  return picture;
}

/** The thumbnail-sized window of `picture` at (left, top), each gray level mapped by `tone`. */
function windowOf(picture: Float64Array, pictureWidth: number, left: number, top: number, tone: (v: number) => number = (v) => v): GrayThumbnail {
  const pixels = new Uint8Array(THUMBNAIL_WIDTH * THUMBNAIL_HEIGHT);
  for (let y = 0; y < THUMBNAIL_HEIGHT; y++) {
    for (let x = 0; x < THUMBNAIL_WIDTH; x++) pixels[y * THUMBNAIL_WIDTH + x] = Math.max(0, Math.min(255, Math.round(tone(picture[(top + y) * pictureWidth + left + x]!))));
  }
  return { width: THUMBNAIL_WIDTH, height: THUMBNAIL_HEIGHT, pixels };
}

describe('video tracker: scene cuts', () => {
  it('a cut between two pictures is one; a pan, a brightness change and a still frame are not', () => {
    const random = seededRandom(42);
    let cuts = 0;
    for (let round = 0; round < 20; round++) {
      const a = blobPicture(random, 48, 30);
      const b = blobPicture(random, 48, 30);
      const frame = windowOf(a, 48, 8, 6);
      assert.equal(sceneDifference(frame, frame), 0);
      assert.ok(!isSceneCut(frame, windowOf(a, 48, 10, 7)), `round ${round}: a pan of 2 columns and a row (${sceneDifference(frame, windowOf(a, 48, 10, 7)).toFixed(2)})`);
      assert.ok(!isSceneCut(frame, windowOf(a, 48, 8, 6, (v) => v * 0.8 + 10)), `round ${round}: a fade step`);
      assert.ok(!isSceneCut(frame, windowOf(a, 48, 8, 6, (v) => v * 1.2 - 20)), `round ${round}: brighter, more contrast`);
      if (isSceneCut(frame, windowOf(b, 48, 8, 6))) cuts++;
    }
    // Random blob fields are sometimes alike after a shift (5% of cuts score under 0.6 here; none of the cuts between
    // real pictures does, bench/results/videoTracker.md).
    assert.ok(cuts >= 18, `${cuts} of 20 cuts between unrelated pictures found`);
  });

  it('black to black is no cut; black to a picture is one', () => {
    const black: GrayThumbnail = { width: THUMBNAIL_WIDTH, height: THUMBNAIL_HEIGHT, pixels: new Uint8Array(THUMBNAIL_WIDTH * THUMBNAIL_HEIGHT).fill(3) };
    const picture = windowOf(blobPicture(seededRandom(5), 48, 30), 48, 0, 0);
    assert.ok(!isSceneCut(black, { ...black, pixels: black.pixels.map((v, i) => v + (i % 2)) }));
    assert.ok(isSceneCut(black, picture));
  });

  it('the thumbnail of an RGB frame holds each cell\'s mean luma', () => {
    const width = 640;
    const height = 360;
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // Left half white, right half pure green, bottom half of the green black.
        const at = (y * width + x) * 3;
        if (x < width / 2) rgb.fill(255, at, at + 3);
        else if (y < height / 2) rgb[at + 1] = 255;
      }
    }
    const thumbnail = grayThumbnail(rgb, width, height);
    assert.deepEqual([thumbnail.width, thumbnail.height], [32, 18]);
    assert.equal(thumbnail.pixels[0], 255);
    assert.equal(thumbnail.pixels[20], 149, 'green: 150 × 255 / 256');
    assert.equal(thumbnail.pixels[17 * 32 + 20], 0);
    assert.throws(() => grayThumbnail(rgb.subarray(1), width, height), /needs 691200 bytes/);
  });
});
