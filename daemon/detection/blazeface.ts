/**
 * BlazeFace (MediaPipe full-range, 256x256) anchors and output decoding, plus the box correction that
 * turns its square, tight boxes into WIDER-style face boxes. See ../shared/notes/detection.md.
 */
import { ErrorCode, type Face } from '../protocol';
import { VeilError } from '../errors';

export const BLAZEFACE_INPUT_SIZE = 256;

/** Anchor layouts of the full-range model: grid size and anchors per cell, in output order. */
export const BLAZEFACE_ANCHOR_LAYERS: ReadonlyArray<{ grid: number; perCell: number }> = [
  { grid: 16, perCell: 2 },
  { grid: 8, perCell: 6 },
];

export interface Anchor {
  /** Centre, as a fraction of the input size. */
  x: number;
  y: number;
}

/** Anchors for one layer, indexed (row * grid + col) * perCell + a. */
export function layerAnchors(grid: number, perCell: number): Anchor[] {
  const anchors: Anchor[] = [];
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      for (let a = 0; a < perCell; a++) anchors.push({ x: (col + 0.5) / grid, y: (row + 0.5) / grid });
    }
  }
  return anchors;
}

export function sigmoid(logit: number): number {
  const clipped = Math.max(-100, Math.min(100, logit));
  return 1 / (1 + Math.exp(-clipped));
}

/** One output layer of the model: scores [N] (logits) and regressors [N, 16]. */
export interface BlazeFaceLayerOutput {
  scores: Float32Array;
  regressors: Float32Array;
}

/**
 * Faces above `threshold` from one inference, as boxes in input pixels (0..inputSize), before NMS.
 * `layers` are in the order of BLAZEFACE_ANCHOR_LAYERS.
 */
export function decodeBlazeFace(layers: readonly BlazeFaceLayerOutput[], threshold: number, inputSize = BLAZEFACE_INPUT_SIZE): Face[] {
  const faces: Face[] = [];
  BLAZEFACE_ANCHOR_LAYERS.forEach(({ grid, perCell }, layerIndex) => {
    const { scores, regressors } = layers[layerIndex];
    const anchors = layerAnchors(grid, perCell);
    if (scores.length !== anchors.length || regressors.length !== anchors.length * 16) {
      throw new VeilError(ErrorCode.ModelShape, `BlazeFace output layer ${layerIndex}: expected ${anchors.length} anchors, got ${scores.length} scores and ${regressors.length / 16} regressors`);
    }
    anchors.forEach((anchor, i) => {
      const score = sigmoid(scores[i]);
      if (score < threshold) return;
      const r = i * 16;
      const cx = anchor.x * inputSize + regressors[r];
      const cy = anchor.y * inputSize + regressors[r + 1];
      const w = regressors[r + 2];
      const h = regressors[r + 3];
      faces.push({ x: cx - w / 2, y: cy - h / 2, w, h, score });
    });
  });
  return faces;
}

/** BlazeFace's square boxes → WIDER-style boxes: width ×0.93, height ×1.25, centre moved up by 0.08·h. */
export function correctBlazeFaceBox(face: Face): Face {
  const cx = face.x + face.w / 2;
  const cy = face.y + face.h / 2 - 0.08 * face.h;
  const w = face.w * 0.93;
  const h = face.h * 1.25;
  return { x: cx - w / 2, y: cy - h / 2, w, h, score: face.score };
}
