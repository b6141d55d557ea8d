/**
 * YuNet (libfacedetection.train, dynamic input) output decoding. Input: BGR float 0..255, NCHW, padded
 * bottom/right to a multiple of 32. Outputs per stride s ∈ {8, 16, 32}: cls, obj [cells], bbox [cells, 4].
 */
import { ErrorCode, type Face } from '../protocol';
import { VeilError } from '../errors';

export const YUNET_STRIDES = [8, 16, 32] as const;
export const YUNET_ALIGNMENT = 32;

/** The smallest multiple of 32 that holds `size` (YuNet's dynamic input must divide by its largest stride). */
export function paddedToAlignment(size: number): number {
  return Math.ceil(size / YUNET_ALIGNMENT) * YUNET_ALIGNMENT;
}

export interface YuNetStrideOutput {
  stride: number;
  cls: Float32Array;
  obj: Float32Array;
  bbox: Float32Array;
}

/** Faces scoring at least `threshold`, in input pixels, for an input of `inputWidth` (padded) columns. */
export function decodeYuNet(outputs: readonly YuNetStrideOutput[], inputWidth: number, inputHeight: number, threshold: number): Face[] {
  const faces: Face[] = [];
  for (const { stride, cls, obj, bbox } of outputs) {
    const cols = inputWidth / stride;
    const cells = cols * (inputHeight / stride);
    if (cls.length !== cells || obj.length !== cells || bbox.length !== cells * 4) {
      throw new VeilError(ErrorCode.ModelShape, `YuNet stride ${stride}: expected ${cells} cells for ${inputWidth}x${inputHeight}, got ${cls.length}`);
    }
    for (let i = 0; i < cells; i++) {
      const score = Math.sqrt(clamp01(cls[i]) * clamp01(obj[i]));
      if (score < threshold) continue;
      const col = i % cols;
      const row = (i - col) / cols;
      const cx = (col + bbox[i * 4]) * stride;
      const cy = (row + bbox[i * 4 + 1]) * stride;
      const w = Math.exp(bbox[i * 4 + 2]) * stride;
      const h = Math.exp(bbox[i * 4 + 3]) * stride;
      faces.push({ x: cx - w / 2, y: cy - h / 2, w, h, score });
    }
  }
  return faces;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
