import assert from 'node:assert/strict';
import { pixelateCell } from '../../../daemon/protocol';
import type { DisplayedImage } from '../../../daemon/image/decode';
import { cellIndex, cellMeans, cellStart } from '../../../daemon/redact/cellMeans';
import { renderRedacted } from '../../../daemon/redact/render';

/** A width x height RGB gradient with some texture, so every cell has its own mean. */
function texture(width: number, height: number): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = (x * 3 + y) % 256;
      rgb[i + 1] = (y * 5 + ((x * y) % 37)) % 256;
      rgb[i + 2] = (x ^ y) % 256;
    }
  }
  return rgb;
}

describe('redaction rendering', () => {
  it('cuts a side into cells that cover it exactly, in order', () => {
    for (const [size, cells] of [[225, 7], [100, 8], [9, 9], [10, 3]] as const) {
      const seen = Array.from({ length: size }, (_, offset) => cellIndex(offset, size, cells));
      assert.deepEqual([...new Set(seen)], Array.from({ length: cells }, (_, c) => c), `${size} in ${cells}`);
      for (let c = 0; c < cells; c++) assert.equal(seen.indexOf(c), cellStart(c, size, cells), `start of cell ${c} of ${size}/${cells}`);
    }
  });

  it('averages each cell of a region, and the whole region in a 1 x 1 grid', () => {
    const width = 40;
    const rgb = texture(width, 30);
    const region = { x: 5, y: 4, w: 20, h: 12 };
    let red = 0;
    for (let y = 4; y < 16; y++) for (let x = 5; x < 25; x++) red += rgb[(y * width + x) * 3]!;
    assert.ok(Math.abs(cellMeans(rgb, width, region, { width: 1, height: 1 }).data[0]! - red / 240) < 1e-3);
    const grid = cellMeans(rgb, width, region, { width: 2, height: 3 });
    let corner = 0;
    for (let y = 12; y < 16; y++) for (let x = 15; x < 25; x++) corner += rgb[(y * width + x) * 3]!;
    assert.ok(Math.abs(grid.data[(2 * 2 + 1) * 3]! - corner / 40) < 1e-3, 'bottom-right cell');
  });

  it('pixelates into uniform tiles, each the mean of the pixels it replaced, and leaves the rest alone', () => {
    const width = 120;
    const height = 90;
    const before = texture(width, height);
    const image: DisplayedImage = { rgb: Buffer.from(before), width, height, format: 'png', orientation: 1 };
    const region = { x: 17, y: 11, w: 70, h: 50, faceSize: 47 };
    renderRedacted(image, [region], { mode: 'pixelate', shape: 'rect' });
    const cell = pixelateCell(region.faceSize);
    const grid = { width: Math.ceil(region.w / cell), height: Math.ceil(region.h / cell) };
    const means = cellMeans(before, width, region, grid).data;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        const inside = x >= region.x && x < region.x + region.w && y >= region.y && y < region.y + region.h;
        if (!inside) {
          assert.equal(image.rgb[i], before[i], `outside pixel ${x},${y} changed`);
          continue;
        }
        const cell = cellIndex(y - region.y, region.h, grid.height) * grid.width + cellIndex(x - region.x, region.w, grid.width);
        for (let c = 0; c < 3; c++) assert.equal(image.rgb[i + c], Math.round(means[cell * 3 + c]!), `pixel ${x},${y} channel ${c}`);
      }
    }
  });
});
