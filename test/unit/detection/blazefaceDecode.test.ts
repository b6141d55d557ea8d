import assert from 'node:assert/strict';
import { BLAZEFACE_ANCHOR_LAYERS, correctBlazeFaceBox, decodeBlazeFace, layerAnchors, sigmoid, type BlazeFaceLayerOutput } from '../../../daemon/detection/blazeface';

/** Empty model outputs (every score far below any threshold) for both anchor layers. */
function silentOutputs(): BlazeFaceLayerOutput[] {
  return BLAZEFACE_ANCHOR_LAYERS.map(({ grid, perCell }) => {
    const anchors = grid * grid * perCell;
    return { scores: new Float32Array(anchors).fill(-50), regressors: new Float32Array(anchors * 16) };
  });
}

describe('BlazeFace anchors and decoding', () => {
  it('lays out 896 anchors: a 16x16 grid with 2 per cell, then an 8x8 grid with 6 per cell', () => {
    const counts = BLAZEFACE_ANCHOR_LAYERS.map(({ grid, perCell }) => layerAnchors(grid, perCell).length);
    assert.deepEqual(counts, [512, 384]);
    assert.equal(counts[0] + counts[1], 896);
  });

  it('indexes anchors (row * grid + col) * perCell + a, centred in their cell', () => {
    const fine = layerAnchors(16, 2);
    assert.deepEqual(fine[0], { x: 0.5 / 16, y: 0.5 / 16 });
    assert.deepEqual(fine[(3 * 16 + 5) * 2 + 1], { x: 5.5 / 16, y: 3.5 / 16 });
    const coarse = layerAnchors(8, 6);
    assert.deepEqual(coarse[(7 * 8 + 2) * 6 + 5], { x: 2.5 / 8, y: 7.5 / 8 });
  });

  it('decodes a box as anchor centre plus regressor offsets, in input pixels, with the sigmoid score', () => {
    const outputs = silentOutputs();
    const index = (4 * 8 + 6) * 6 + 3; // coarse layer, row 4, col 6
    outputs[1].scores[index] = 2;
    outputs[1].regressors.set([10, -6, 40, 48], index * 16);
    const [face, ...others] = decodeBlazeFace(outputs, 0.5);
    assert.equal(others.length, 0);
    const cx = (6.5 / 8) * 256 + 10;
    const cy = (4.5 / 8) * 256 - 6;
    assert.deepEqual({ x: face.x, y: face.y, w: face.w, h: face.h }, { x: cx - 20, y: cy - 24, w: 40, h: 48 });
    assert.ok(Math.abs(face.score - 1 / (1 + Math.exp(-2))) < 1e-6);
  });

  it('drops anchors scoring below the threshold and keeps those at or above it', () => {
    const outputs = silentOutputs();
    outputs[0].scores[7] = 0; // sigmoid 0.5
    outputs[0].scores[9] = -0.1; // just under 0.5
    assert.equal(decodeBlazeFace(outputs, 0.5).length, 1);
    assert.equal(decodeBlazeFace(outputs, 0.1).length, 2);
  });

  it('clips logits to ±100 so extreme scores stay finite', () => {
    assert.equal(sigmoid(1e6), 1 / (1 + Math.exp(-100)));
    assert.ok(sigmoid(-1e6) > 0);
  });

  it('refuses outputs whose size does not match the anchor layout', () => {
    const outputs = silentOutputs();
    outputs[0] = { scores: new Float32Array(500), regressors: new Float32Array(500 * 16) };
    assert.throws(() => decodeBlazeFace(outputs, 0.5), /expected 512 anchors/);
  });

  it('corrects square boxes to WIDER style: width x0.93, height x1.25, centre up by 0.08 of the height', () => {
    const corrected = correctBlazeFaceBox({ x: 100, y: 200, w: 50, h: 50, score: 0.9 });
    assert.ok(Math.abs(corrected.w - 46.5) < 1e-9);
    assert.ok(Math.abs(corrected.h - 62.5) < 1e-9);
    assert.ok(Math.abs(corrected.x + corrected.w / 2 - 125) < 1e-9);
    assert.ok(Math.abs(corrected.y + corrected.h / 2 - (225 - 4)) < 1e-9);
    assert.equal(corrected.score, 0.9);
  });
});
