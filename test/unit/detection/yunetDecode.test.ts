import assert from 'node:assert/strict';
import { decodeYuNet, paddedToAlignment, YUNET_STRIDES, type YuNetStrideOutput } from '../../../daemon/detection/yunet';

const WIDTH = 96;
const HEIGHT = 64;

function silentOutputs(): YuNetStrideOutput[] {
  return YUNET_STRIDES.map((stride) => {
    const cells = (WIDTH / stride) * (HEIGHT / stride);
    return { stride, cls: new Float32Array(cells), obj: new Float32Array(cells), bbox: new Float32Array(cells * 4) };
  });
}

describe('YuNet decoding', () => {
  it('pads input sizes up to the next multiple of 32', () => {
    assert.deepEqual([1, 32, 33, 416, 685, 1021].map(paddedToAlignment), [32, 32, 64, 416, 704, 1024]);
  });

  it('decodes a cell as ((col + dx) * s, (row + dy) * s) centre and (e^dw * s, e^dh * s) size, score sqrt(cls * obj)', () => {
    const outputs = silentOutputs();
    const stride16 = outputs[1];
    const cols = WIDTH / 16;
    const cell = 2 * cols + 3; // row 2, col 3
    stride16.cls[cell] = 0.81;
    stride16.obj[cell] = 1;
    stride16.bbox.set([0.25, 0.5, Math.log(2), Math.log(3)], cell * 4);
    const faces = decodeYuNet(outputs, WIDTH, HEIGHT, 0.5);
    assert.equal(faces.length, 1);
    const [face] = faces;
    const cx = (3 + 0.25) * 16;
    const cy = (2 + 0.5) * 16;
    assert.ok(Math.abs(face.score - 0.9) < 1e-6);
    assert.ok(Math.abs(face.w - 32) < 1e-4 && Math.abs(face.h - 48) < 1e-4);
    assert.ok(Math.abs(face.x - (cx - 16)) < 1e-4 && Math.abs(face.y - (cy - 24)) < 1e-4);
  });

  it('reads every stride, and keeps only cells at or above the threshold', () => {
    const outputs = silentOutputs();
    for (const output of outputs) {
      output.cls[0] = 0.36;
      output.obj[0] = 1; // score 0.6
      output.cls[1] = 0.16;
      output.obj[1] = 1; // score 0.4
    }
    assert.deepEqual(decodeYuNet(outputs, WIDTH, HEIGHT, 0.5).map((f) => f.w), [8, 16, 32]);
    assert.equal(decodeYuNet(outputs, WIDTH, HEIGHT, 0.1).length, 6);
  });

  it('clamps cls and obj into [0, 1] before combining them', () => {
    const outputs = silentOutputs();
    outputs[2].cls[0] = 1.5;
    outputs[2].obj[0] = 0.64;
    outputs[2].cls[1] = -0.2;
    outputs[2].obj[1] = -0.9;
    const faces = decodeYuNet(outputs, WIDTH, HEIGHT, 0);
    const scores = faces.filter((f) => f.w === 32).map((f) => f.score);
    assert.ok(Math.abs(Math.max(...scores) - 0.8) < 1e-6);
    assert.ok(scores.every((s) => s >= 0 && s <= 1 && !Number.isNaN(s)));
  });

  it('refuses outputs that do not match the padded input size', () => {
    assert.throws(() => decodeYuNet(silentOutputs(), WIDTH + 32, HEIGHT, 0.5), /expected \d+ cells/);
  });
});
