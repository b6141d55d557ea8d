/** Where the benchmarks find ../shared (labelled faces, the scorer, YuNet), and detection over one labelled set. */
import { join, resolve } from 'node:path';
import type { Face } from '../../daemon/protocol';
import type { PredictedImage } from './faceEval';
import { decodeSetImage, groundTruthImages, type FaceSetName } from './faceSets';
import type { BenchDetector } from './modes';

export const REPO = resolve(__dirname, '..', '..');
export const SHARED = process.env.VEIL_SHARED_DIR ?? resolve(REPO, '..', 'shared');
export const FACES = join(SHARED, 'data', 'faces');
export const EVAL_TOOL = join(SHARED, 'tools', 'face-eval.mjs');
export const YUNET_FILE = join(SHARED, 'models', 'yunet_n_dynamic.onnx');

/** Every image of `set` through `detector` at `threshold`, as face-eval reads predictions. */
/** Every image of the set through the detector: faces from `threshold`, or (without one) at the mode's operating point. */
export async function detectSet(detector: BenchDetector, set: FaceSetName, threshold?: number): Promise<PredictedImage[]> {
  const predictions: PredictedImage[] = [];
  for (const { file } of await groundTruthImages(FACES, set)) {
    const image = await decodeSetImage(FACES, file);
    const faces: Face[] = await detector.detect(image, join(FACES, file), threshold);
    predictions.push({ file, width: image.width, height: image.height, faces });
  }
  return predictions;
}
