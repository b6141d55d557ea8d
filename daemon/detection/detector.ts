/** The face detector contract the daemon uses (the factory that builds one for a model is createDetector.ts). */
import type { Face, ModelInfo } from '../protocol';
import type { RgbImage } from './pixels';

export interface DetectRequest {
  /** Minimum score to keep a face; default: the detector's operating threshold for the mode (operatingThreshold). */
  threshold?: number;
  /** Slower, finds smaller faces. */
  thorough?: boolean;
}

export interface Detector {
  readonly model: ModelInfo;
  /** The operating threshold of the default mode: the one home of this number (proposals, verify, benchmarks). */
  readonly defaultThreshold: number;
  /** The operating threshold of `thorough`, whose averaged views make a score more trustworthy (see yuNetDetector.ts). */
  readonly thoroughThreshold: number;
  /** Faces in displayed pixels, clipped to the image, best score first. */
  detect(image: RgbImage, options: DetectRequest): Promise<Face[]>;
  dispose(): Promise<void>;
}

/** The threshold a request runs at: its own, else the detector's for the mode. */
export function operatingThreshold(detector: Pick<Detector, 'defaultThreshold' | 'thoroughThreshold'>, request: DetectRequest): number {
  return request.threshold ?? (request.thorough ? detector.thoroughThreshold : detector.defaultThreshold);
}
