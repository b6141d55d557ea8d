/** The face detector contract the daemon uses (the factory that builds one for a model is createDetector.ts). */
import type { Face, ModelInfo, Rect } from '../protocol';
import type { RgbImage } from './pixels';

export interface DetectRequest {
  /** Minimum score to keep a face; default: the detector's operating threshold for the mode (operatingThreshold). */
  threshold?: number;
  /** Slower, finds smaller faces. */
  thorough?: boolean;
  /** The image is a frame of a video (detectVideo.ts): a detector may trade views and tiles for speed (see VideoFrameRequest). */
  video?: VideoFrameRequest;
}

/**
 * A video frame's request. The tracker averages a face over the frames it is seen on, what a still image's extra views
 * buy, and predicts where each tracked face is: a detector may look only there at its fine scales. A detector without
 * a cheaper video path ignores it (YuNet: one pass over the frame is already its cheapest).
 */
export interface VideoFrameRequest {
  /** Where the live tracks predict faces at this frame; absent: the whole frame at every scale (a full pass). */
  around?: readonly Rect[];
}

export interface Detector {
  readonly model: ModelInfo;
  /** The operating threshold of the default mode: the one home of this number (proposals, verify, benchmarks). */
  readonly defaultThreshold: number;
  /** The operating threshold of `thorough`, whose averaged views make a score more trustworthy (see yuNetDetector.ts). */
  readonly thoroughThreshold: number;
  /** `thorough`'s threshold for faces of LARGE_FACE_SIDE px and more (see OperatingPoint); its thoroughThreshold when it has none. */
  readonly thoroughLargeFaceThreshold: number;
  /** Faces in displayed pixels, clipped to the image, best score first. */
  detect(image: RgbImage, options: DetectRequest): Promise<Face[]>;
  dispose(): Promise<void>;
}

/** The threshold a request runs at: its own, else the detector's for the mode. */
export function operatingThreshold(detector: Pick<Detector, 'defaultThreshold' | 'thoroughThreshold'>, request: DetectRequest): number {
  return request.threshold ?? (request.thorough ? detector.thoroughThreshold : detector.defaultThreshold);
}

/** Faces whose box's longer side reaches this many pixels are large enough to be recognised: a miss there costs most. */
export const LARGE_FACE_SIDE = 32;

/**
 * From which score a mode proposes a face: `threshold`, and `largeFaceThreshold` for faces of LARGE_FACE_SIDE px and
 * more. A missed face that size is one a person recognises, while a false box that size is one the review dismisses
 * with a key: with YuNet --thorough, proposing those from 0.25 instead of 0.45 covers 97.3 % of wider-dev's faces of
 * 32 px and more instead of 95.6 % and 95.8 % of widerfull's instead of 83.3 %, for 13 more boxes on 100 images
 * (precision 0.786 -> 0.775; README "Coverage"). A threshold the user sets applies to every size.
 */
export interface OperatingPoint {
  threshold: number;
  largeFaceThreshold: number;
}

export function operatingPoint(detector: Pick<Detector, 'defaultThreshold' | 'thoroughThreshold' | 'thoroughLargeFaceThreshold'>, request: DetectRequest): OperatingPoint {
  if (request.threshold !== undefined) return { threshold: request.threshold, largeFaceThreshold: request.threshold };
  if (request.thorough) return { threshold: detector.thoroughThreshold, largeFaceThreshold: detector.thoroughLargeFaceThreshold };
  return { threshold: detector.defaultThreshold, largeFaceThreshold: detector.defaultThreshold };
}

/** The lowest score the point proposes from (what a detector must be asked down to). */
export function lowestThreshold(point: OperatingPoint): number {
  return Math.min(point.threshold, point.largeFaceThreshold);
}

/** Whether the point proposes this face. */
export function reachesOperatingPoint(face: Rect & { score: number }, point: OperatingPoint): boolean {
  return face.score >= (Math.max(face.w, face.h) >= LARGE_FACE_SIDE ? point.largeFaceThreshold : point.threshold);
}
