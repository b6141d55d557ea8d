import assert from 'node:assert/strict';
import { HALF_OCTAVE, MIN_FACE_BELOW_FINEST, pyramidLevels, levelAround, levelKeeps, tileStarts, TILE_MAX_FACE, TILE_OVERLAP, TILE_SIZE } from '../../../daemon/detection/pyramid';

describe('BlazeFace tiling pyramid', () => {
  it('covers a length with 256 tiles overlapping by at least 64 px, the last one flush with the end', () => {
    for (const length of [256, 300, 512, 1000, 2049]) {
      const starts = tileStarts(length);
      assert.equal(starts[0], 0);
      assert.equal(starts[starts.length - 1] + TILE_SIZE, length, `flush end for ${length}`);
      for (let i = 1; i < starts.length; i++) assert.ok(starts[i - 1] + TILE_SIZE - starts[i] >= TILE_OVERLAP, `overlap for ${length}`);
    }
    assert.deepEqual(tileStarts(200), [0]);
    assert.deepEqual(tileStarts(640), [0, 192, 384]);
  });

  it('starts with the whole image in one tile and doubles the scale up to native resolution', () => {
    const levels = pyramidLevels(1024, 683, 1);
    assert.deepEqual(levels.map((l) => [l.width, l.height]), [[256, 171], [512, 342], [1024, 683]]);
    assert.equal(levels[0].tiles.length, 1);
    assert.deepEqual(levels.map((l) => l.isTileLevel), [false, true, true]);
    assert.deepEqual(levels.map((l) => l.isFinest), [false, false, true]);
    assert.equal(levels[2].tiles.length, 5 * 4);
  });

  it('starts the thorough in-between pyramid half an octave higher, tiling its first level when it outgrows one tile', () => {
    const levels = pyramidLevels(1024, 683, 1, HALF_OCTAVE);
    assert.deepEqual(levels.map((l) => [l.width, l.height]), [[362, 241], [724, 483], [1448, 966]]);
    assert.deepEqual(levels.map((l) => l.isTileLevel), [true, true, true]);
    assert.deepEqual(levels.map((l) => l.isFinest), [false, false, true]);
    assert.equal(levels[0].tiles.length, 2);
  });

  it('gives only the whole-image level when asked for no tile levels, or when the image is small', () => {
    assert.equal(pyramidLevels(4000, 3000, 0).length, 1);
    assert.equal(pyramidLevels(200, 120, 1).length, 1);
  });

  it('keeps every face size at level 0 but only faces up to 64 model px at tile levels', () => {
    const [whole, tiled] = pyramidLevels(1024, 683, 1);
    const big = { x: 80, y: 80, w: 120, h: 120 };
    assert.ok(levelKeeps(big, whole.tiles[0], whole));
    assert.ok(!levelKeeps(big, tiled.tiles[0], tiled));
    assert.ok(levelKeeps({ x: 80, y: 80, w: TILE_MAX_FACE, h: TILE_MAX_FACE }, tiled.tiles[0], tiled));
  });

  it('leaves faces smaller than 16 model px to the next, finer level, and keeps every small face at the finest', () => {
    const [whole, tiled, finest] = pyramidLevels(1024, 683, 1);
    const tiny = { x: 100, y: 100, w: MIN_FACE_BELOW_FINEST - 1, h: MIN_FACE_BELOW_FINEST - 1 };
    const small = { x: 100, y: 100, w: MIN_FACE_BELOW_FINEST, h: MIN_FACE_BELOW_FINEST };
    assert.ok(!levelKeeps(tiny, whole.tiles[0], whole));
    assert.ok(!levelKeeps(tiny, tiled.tiles[0], tiled));
    assert.ok(levelKeeps(small, tiled.tiles[0], tiled));
    assert.ok(levelKeeps({ ...tiny, w: 6, h: 6 }, finest.tiles[0], finest));
    const [only] = pyramidLevels(200, 120, 1);
    assert.ok(only.isFinest && levelKeeps(tiny, only.tiles[0], only), 'a one-level pyramid keeps every size');
  });

  it('drops boxes cut by a tile edge inside the image and keeps those at the image border', () => {
    const level = pyramidLevels(1024, 683, 1)[2];
    const first = level.tiles[0]; // top-left: left and top edges are image borders
    const inner = level.tiles.find((t) => t.left > 0 && t.top > 0 && t.left + TILE_SIZE < level.width && t.top + TILE_SIZE < level.height);
    assert.ok(inner);
    const atLeft = { x: 0, y: 100, w: 30, h: 30 };
    const atRight = { x: 240, y: 100, w: 16, h: 30 };
    assert.ok(levelKeeps(atLeft, first, level), 'left edge of the first tile is the image border');
    assert.ok(!levelKeeps(atRight, first, level), 'right edge of the first tile is inside the image');
    assert.ok(!levelKeeps(atLeft, inner, level));
    assert.ok(levelKeeps({ x: 100, y: 100, w: 30, h: 30 }, inner, level));
  });

  it('lets a tile level see every face up to 64 px whole in some tile', () => {
    const level = pyramidLevels(1024, 683, 1)[2];
    for (let x = 0; x + 60 <= level.width; x += 7) {
      for (let y = 0; y + 60 <= level.height; y += 11) {
        const seen = level.tiles.some((tile) => {
          const box = { x: x - tile.left, y: y - tile.top, w: 60, h: 60 };
          const inside = box.x >= 0 && box.y >= 0 && box.x + 60 <= TILE_SIZE && box.y + 60 <= TILE_SIZE;
          return inside && levelKeeps(box, tile, level);
        });
        assert.ok(seen, `a 60 px face at ${x},${y} is kept by some tile`);
      }
    }
  });

  it('around predicted faces keeps the whole-image level, and at a tile level only tiles near a face of the size it keeps', () => {
    const [whole, middle, finest] = pyramidLevels(1280, 720, 2 / 3);
    assert.equal(finest!.scaleX, 0.8);
    const face = { x: 600, y: 300, w: 30, h: 40 };
    assert.deepEqual(levelAround(whole!, []), whole, 'the one-tile level is the look for a new face anywhere');
    const near = levelAround(finest!, [face]);
    assert.ok(near.tiles.length > 0 && near.tiles.length < finest!.tiles.length / 2, `${near.tiles.length} of ${finest!.tiles.length} tiles`);
    const holds = near.tiles.some((tile) => tile.left <= face.x * 0.8 && tile.top <= face.y * 0.8 && tile.left + TILE_SIZE >= (face.x + face.w) * 0.8 && tile.top + TILE_SIZE >= (face.y + face.h) * 0.8);
    assert.ok(holds, 'a kept tile holds the face whole');
    assert.ok(levelAround(middle!, [face]).tiles.length > 0, 'a 40 px face is 16 px at 0.4: kept there too');
    assert.equal(levelAround(middle!, [{ x: 600, y: 300, w: 12, h: 16 }]).tiles.length, 0, 'a 16 px face is 6 px at 0.4: only the finest level keeps it');
    assert.equal(levelAround(finest!, [{ x: 400, y: 100, w: 150, h: 200 }]).tiles.length, 0, 'a 200 px face is 160 px at 0.8: coarser levels keep it');
    assert.equal(levelAround(finest!, []).tiles.length, 0);
  });
});
