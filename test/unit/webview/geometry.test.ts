import assert from 'node:assert/strict';
import { redactionRegion } from '../../../daemon/redact/geometry';
import {
  expandByMargin,
  fitViewport,
  focusViewport,
  moveRect,
  rectFromPoints,
  resizeRect,
  revealRect,
  toImagePoint,
  toScreenRect,
  zoomAt,
} from '../../../webview/geometry';

const image = { width: 400, height: 300 };

describe('webview geometry', () => {
  it('fits an image to the stage, centred: a large one shrunk, a small one enlarged to fill it', () => {
    const large = fitViewport({ width: 4000, height: 1000 }, { width: 824, height: 624 }, 12);
    assert.equal(large.scale, 0.2);
    assert.deepEqual(toScreenRect(large, { x: 0, y: 0, w: 4000, h: 1000 }), { x: 12, y: 212, w: 800, h: 200 });
    const small = fitViewport({ width: 96, height: 64 }, { width: 824, height: 424 }, 12);
    assert.equal(small.scale, 6.25);
    assert.deepEqual(toScreenRect(small, { x: 0, y: 0, w: 96, h: 64 }), { x: 112, y: 12, w: 600, h: 400 });
  });

  it('zooming to a face centres it, filling 40 % of the stage', () => {
    const stage = { width: 1000, height: 600 };
    const face = { x: 300, y: 200, w: 8, h: 10 };
    const shown = toScreenRect(focusViewport(face, stage), face);
    assert.ok(Math.abs(shown.h - 240) < 1e-9, `height ${shown.h}`);
    assert.ok(Math.abs(shown.x + shown.w / 2 - 500) < 1e-9 && Math.abs(shown.y + shown.h / 2 - 300) < 1e-9, JSON.stringify(shown));
  });

  it('revealing a face pans only as far as it takes to bring it into view, and not at all when it is in view', () => {
    const stage = { width: 800, height: 600 };
    const viewport = { scale: 2, x: 0, y: 0 };
    assert.deepEqual(revealRect(viewport, { x: 100, y: 100, w: 20, h: 20 }, stage), viewport);
    const right = revealRect(viewport, { x: 500, y: 100, w: 20, h: 20 }, stage, 24);
    assert.deepEqual(right, { scale: 2, x: 800 - 24 - 1040, y: 0 });
  });

  it('zooming keeps the image point under the pointer where it is', () => {
    const viewport = { scale: 0.5, x: 30, y: 40 };
    const anchor = { x: 200, y: 150 };
    const before = toImagePoint(viewport, anchor);
    const zoomed = zoomAt(viewport, 3, anchor);
    assert.equal(zoomed.scale, 1.5);
    const after = toImagePoint(zoomed, anchor);
    assert.ok(Math.abs(after.x - before.x) < 1e-9 && Math.abs(after.y - before.y) < 1e-9);
  });

  it('screen and image coordinates are inverse of each other', () => {
    const viewport = { scale: 2.5, x: -100, y: 7 };
    const rect = toScreenRect(viewport, { x: 10, y: 20, w: 30, h: 40 });
    assert.deepEqual(toImagePoint(viewport, { x: rect.x, y: rect.y }), { x: 10, y: 20 });
  });

  it('a drawn rectangle is normalised whatever the drag direction, and clipped to the image', () => {
    assert.deepEqual(rectFromPoints({ x: 350, y: 250 }, { x: 420, y: -20 }, image), { x: 350, y: 0, w: 50, h: 250 });
  });

  it('moving keeps the box wholly inside the image', () => {
    assert.deepEqual(moveRect({ x: 350, y: 10, w: 40, h: 40 }, 100, -100, image), { x: 360, y: 0, w: 40, h: 40 });
  });

  it('resizing moves only the grabbed edges and never inverts or leaves the image', () => {
    const rect = { x: 100, y: 100, w: 50, h: 50 };
    assert.deepEqual(resizeRect(rect, 'se', 20, 10, image), { x: 100, y: 100, w: 70, h: 60 });
    assert.deepEqual(resizeRect(rect, 'nw', 200, 0, image), { x: 148, y: 100, w: 2, h: 50 });
    assert.deepEqual(resizeRect(rect, 'e', 1000, 0, image), { x: 100, y: 100, w: 300, h: 50 });
  });

  it('the preview mask covers the same pixels the daemon redacts', () => {
    for (const rect of [{ x: 100, y: 80, w: 60, h: 70 }, { x: 5, y: 5, w: 40, h: 30 }, { x: 370, y: 250, w: 30, h: 50 }]) {
      const mask = expandByMargin(rect, 0.25, image);
      const region = redactionRegion(rect, 0.25, image.width, image.height);
      assert.ok(Math.abs(mask.x - region.x) < 1 && Math.abs(mask.y - region.y) < 1, JSON.stringify({ mask, region }));
      assert.ok(Math.abs(mask.x + mask.w - (region.x + region.w)) < 1 && Math.abs(mask.y + mask.h - (region.y + region.h)) < 1);
    }
  });
});
