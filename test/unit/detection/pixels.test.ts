import assert from 'node:assert/strict';
import { fillNchwBgrPadded, fillNhwcSignedTile, resizeRgb, type RgbImage } from '../../../daemon/detection/pixels';
import { ScratchBuffers } from '../../../daemon/detection/scratch';

/** A 3x2 image whose every byte is distinct: pixel (x, y) = [10·i, 10·i + 1, 10·i + 2], i = y·3 + x. */
const IMAGE: RgbImage = { rgb: Buffer.from(Array.from({ length: 18 }, (_, k) => 10 * Math.floor(k / 3) + (k % 3))), width: 3, height: 2 };

describe('model input packing', () => {
  it('packs YuNet input as B, G, R planes of 0..255 floats, zero-padded bottom and right', () => {
    const target = new Float32Array(3 * 4 * 3).fill(99); // stale contents must not survive
    fillNchwBgrPadded(target, IMAGE, 4, 3);
    const plane = (c: number) => Array.from(target.subarray(c * 12, (c + 1) * 12));
    assert.deepEqual(plane(0), [2, 12, 22, 0, 32, 42, 52, 0, 0, 0, 0, 0]);
    assert.deepEqual(plane(1), [1, 11, 21, 0, 31, 41, 51, 0, 0, 0, 0, 0]);
    assert.deepEqual(plane(2), [0, 10, 20, 0, 30, 40, 50, 0, 0, 0, 0, 0]);
  });

  it('packs a mirrored YuNet input as the plain one reversed left to right, the padding still on the right', () => {
    const plain = fillNchwBgrPadded(new Float32Array(3 * 4 * 3), IMAGE, 4, 3);
    const mirrored = fillNchwBgrPadded(new Float32Array(3 * 4 * 3).fill(99), IMAGE, 4, 3, true);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 3; x++) assert.equal(mirrored[c * 12 + y * 4 + x], plain[c * 12 + y * 4 + (2 - x)]);
        assert.equal(mirrored[c * 12 + y * 4 + 3], 0);
      }
    }
  });

  it('packs a BlazeFace tile as NHWC RGB in [-1, 1], black (-1) outside the image', () => {
    const tile = fillNhwcSignedTile(new Float32Array(4 * 4 * 3), IMAGE, 1, 0, 4);
    const pixel = (x: number, y: number) => Array.from(tile.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3)).map((v) => Math.round((v + 1) * 127.5));
    assert.deepEqual(pixel(0, 0), [10, 11, 12], 'tile starts at image column 1');
    assert.deepEqual(pixel(1, 1), [50, 51, 52]);
    assert.deepEqual(pixel(2, 0), [0, 0, 0], 'beyond the right edge');
    assert.deepEqual(pixel(0, 2), [0, 0, 0], 'below the bottom edge');
    assert.equal(tile[(2 * 4 + 0) * 3], -1);
  });

  it('a mirrored tile is the plain tile reversed left to right within the image part', () => {
    const plain = fillNhwcSignedTile(new Float32Array(4 * 4 * 3), IMAGE, 0, 0, 4);
    const mirrored = fillNhwcSignedTile(new Float32Array(4 * 4 * 3), IMAGE, 0, 0, 4, true);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        const at = (y * 4 + x) * 3;
        const from = (y * 4 + (2 - x)) * 3;
        assert.deepEqual(Array.from(mirrored.subarray(at, at + 3)), Array.from(plain.subarray(from, from + 3)));
      }
    }
    assert.equal(mirrored[(0 * 4 + 3) * 3], -1, 'padding stays on the right');
  });

  it('resizes raw RGB to exactly the asked size, and returns the image itself when the size already matches', async () => {
    const bigger = await resizeRgb(IMAGE, 6, 4);
    assert.deepEqual([bigger.width, bigger.height, bigger.rgb.length], [6, 4, 72]);
    assert.equal(await resizeRgb(IMAGE, 3, 2), IMAGE);
  });

  it('reuses a returned input buffer instead of allocating a new one', () => {
    const scratch = new ScratchBuffers();
    const first = scratch.borrow(100);
    scratch.giveBack(first);
    const second = scratch.borrow(80);
    assert.equal(second.buffer, first.buffer);
    assert.equal(second.length, 80);
    assert.notEqual(scratch.borrow(80).buffer, first.buffer, 'a borrowed buffer is not lent twice');
  });
});
