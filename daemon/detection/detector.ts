/** The face detector contract the daemon uses (the factory that builds one for a model is createDetector.ts). */
import type { Face, ModelInfo } from '../protocol';
import type { DisplayedImage } from '../image/decode';

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
