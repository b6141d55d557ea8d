/** Picks the detector implementation for a model's decoder (kept apart from detector.ts, which the implementations import). */
import type { InferenceSession } from 'onnxruntime-node';
import { ErrorCode, type ModelInfo } from '../protocol';
import { VeilError } from '../errors';
import type { Detector } from './detector';
import { decoderFor } from './modelSignature';
import { BlazeFaceDetector } from './blazeFaceDetector';
import { YuNetDetector } from './yuNetDetector';

/**
 * A detector for `model` over a session opened on its hash-checked bytes (the detector owns the session). A model
 * whose inputs and outputs are not those of its decoder (registered under the wrong one) is refused with
 * ErrorCode.ModelShape before any inference.
 */
export function createDetector(model: ModelInfo, session: InferenceSession): Detector {
  const found = decoderFor(session);
  if (found !== model.decoder) {
    void session.release().catch(() => undefined);
    const looks = found ? ` (it looks like ${found})` : '';
    throw new VeilError(ErrorCode.ModelShape, `model "${model.name}" (${model.path}) does not have the inputs and outputs of the ${model.decoder} decoder it is registered with${looks}`);
  }
  switch (model.decoder) {
    case 'blazeface':
      return new BlazeFaceDetector(model, session);
    case 'yunet':
      return new YuNetDetector(model, session);
    default: {
      const unknown: never = model.decoder;
      throw new Error(`no decoder "${String(unknown)}"`);
    }
  }
}
