/** The detectors the benchmark compares: each model and mode, plus the Debian `facedetect` (OpenCV Haar) peer. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Face, ModelInfo } from '../../daemon/protocol';
import type { DisplayedImage } from '../../daemon/image/decode';
import { BlazeFaceDetector, WHOLE_IMAGE_ONLY } from '../../daemon/detection/blazeFaceDetector';
import { operatingPoint, type Detector, type OperatingPoint } from '../../daemon/detection/detector';
import { openSession } from '../../daemon/detection/session';
import type { ModelRegistry } from '../../daemon/models/registry';

const run = promisify(execFile);
export const FACEDETECT = '/usr/bin/facedetect';

/** One way of finding faces: pixels (and the file they came from) in, displayed-pixel faces out. */
export interface BenchDetector {
  readonly name: string;
  /** The threshold the product runs this mode at (operatingPoint in daemon/detection/detector.ts)… */
  readonly defaultThreshold: number;
  /** …and its whole operating point (a lower bar for large faces in YuNet --thorough). */
  readonly point: OperatingPoint;
  /** Faces scoring at least `threshold`; without one, the faces the product proposes (at the operating point). */
  detect(image: DisplayedImage, path: string, threshold?: number): Promise<Face[]>;
  dispose(): Promise<void>;
}

export const MODE_NAMES = ['blazeface-whole', 'blazeface-pyramid', 'blazeface-thorough', 'yunet', 'yunet-thorough', 'facedetect'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

/** Wraps a daemon Detector in a mode (thorough or not). */
export function neural(name: string, detector: Detector, thorough: boolean): BenchDetector {
  return {
    name,
    defaultThreshold: operatingPoint(detector, { thorough }).threshold,
    point: operatingPoint(detector, { thorough }),
    detect: (image, _path, threshold) => detector.detect(image, { ...(threshold === undefined ? {} : { threshold }), thorough }),
    dispose: () => detector.dispose(),
  };
}

/** BlazeFace on the whole image only, one view (as MediaPipe runs it; the registry's detector uses the pyramid). */
async function blazeFaceWholeImage(model: ModelInfo): Promise<Detector> {
  const session = await openSession(await readFile(model.path));
  return new BlazeFaceDetector(model, session, { maxScale: WHOLE_IMAGE_ONLY, mirroredView: false });
}

/** The Haar cascade peer: one process per image, `x y w h` per line, no scores. */
const facedetectPeer: BenchDetector = {
  name: 'facedetect',
  defaultThreshold: 0,
  point: { threshold: 0, largeFaceThreshold: 0 },
  async detect(_image, path) {
    const { stdout } = await run(FACEDETECT, [path]);
    return stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter((parts) => parts.length === 4 && parts.every(Number.isFinite))
      .map(([x, y, w, h]) => ({ x, y, w, h, score: 1 }));
  },
  dispose: async () => undefined,
};

export async function createBenchDetector(mode: ModeName, registry: ModelRegistry): Promise<BenchDetector> {
  switch (mode) {
    case 'blazeface-whole':
      return neural(mode, await blazeFaceWholeImage(await registry.info('blazeface')), false);
    case 'blazeface-pyramid':
    case 'blazeface-thorough':
      return neural(mode, await registry.load('blazeface'), mode === 'blazeface-thorough');
    case 'yunet':
    case 'yunet-thorough':
      return neural(mode, await registry.load('yunet'), mode === 'yunet-thorough');
    case 'facedetect':
      return facedetectPeer;
    default: {
      const unknown: never = mode;
      throw new Error(`unknown mode ${String(unknown)}`);
    }
  }
}
