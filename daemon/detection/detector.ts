/** The face detector contract the daemon uses, and the factory that builds one for a model. */
import type { Face, ModelInfo } from '../protocol';
import type { DisplayedImage } from '../image/decode';
import type { InferenceSession } from 'onnxruntime-node';
import { BlazeFaceDetector } from './blazeFaceDetector';
import { YuNetDetector } from './yuNetDetector';

export interface DetectRequest {
  /** Minimum score to keep a face; default: the detector's defaultThreshold. */
  threshold?: number;
  /** Slower, finds smaller faces. */
  thorough?: boolean;
}

export interface Detector {
  readonly model: ModelInfo;
  readonly defaultThreshold: number;
  /** Faces in displayed pixels, clipped to the image, best score first. */
  detect(image: DisplayedImage, options: DetectRequest): Promise<Face[]>;
  dispose(): Promise<void>;
}

/** A detector for `model` over a session opened on its hash-checked bytes (the detector owns the session). */
export function createDetector(model: ModelInfo, session: InferenceSession): Detector {
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
