/**
 * The generated 720p clips the video recall benches and tests run on (bench/videoPipeline.ts,
 * bench/videoDetectLevers.ts, test/daemon/videoEmbeddedDetector.test.ts): each exercises one thing a detector or a
 * tracker gets wrong. 100 frames at 25 fps; the astronaut's face (test/support/syntheticClips.ts) at scale 1 is
 * 91 × 120 px.
 */
import type { ClipSpec } from './syntheticClips';

const HD = { width: 1280, height: 720, fps: 25 };
const FRAMES = 100;

export interface NamedClip {
  name: string;
  spec: ClipSpec;
}

/** Two faces crossing (one hidden 4 frames), a face behind a bar for 10 frames, a scene cut with the face jumping. */
export const RECALL_CLIPS: readonly NamedClip[] = [
  {
    name: 'crossing',
    spec: {
      ...HD,
      frames: FRAMES,
      faces: [
        { keys: [{ frame: 0, x: 80, y: 200, scale: 0.9 }, { frame: FRAMES - 1, x: 1000, y: 260, scale: 0.9 }] },
        { keys: [{ frame: 0, x: 1000, y: 240, scale: 0.8 }, { frame: FRAMES - 1, x: 100, y: 220, scale: 0.8 }] },
      ],
    },
  },
  {
    name: 'occlusion',
    spec: { ...HD, frames: FRAMES, faces: [{ keys: [{ frame: 0, x: 100, y: 200, scale: 0.7 }, { frame: FRAMES - 1, x: 900, y: 300, scale: 0.7 }] }], occlusions: [{ face: 0, from: 40, to: 50 }] },
  },
  {
    name: 'scene cut',
    spec: {
      ...HD,
      frames: FRAMES,
      cuts: [50],
      faces: [{ keys: [{ frame: 0, x: 100, y: 200, scale: 0.7 }, { frame: 49, x: 400, y: 250, scale: 0.7 }, { frame: 50, x: 900, y: 100, scale: 0.5 }, { frame: FRAMES - 1, x: 700, y: 300, scale: 0.6 }] }],
    },
  },
];

/** A face of `scale` panning across the picture, and one appearing mid-picture at frame 30 (no track predicts it). */
function smallFaces(scale: number): ClipSpec {
  return {
    ...HD,
    frames: FRAMES,
    faces: [
      { keys: [{ frame: 0, x: 200, y: 150, scale }, { frame: FRAMES - 1, x: 1000, y: 400, scale }] },
      { keys: [{ frame: 0, x: 600, y: 500, scale }], from: 31 },
    ],
  };
}

/** Faces of 27 × 36 px (above the embedded detector's video floor, VIDEO_MIN_FACE) and of 16 × 22 px (below it). */
export const SMALL_FACE_CLIPS: readonly NamedClip[] = [
  { name: 'small faces', spec: smallFaces(0.3) },
  { name: 'tiny faces', spec: smallFaces(0.18) },
];
