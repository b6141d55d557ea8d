/**
 * Tracking with the real detector on generated clips (YuNet from ../shared over real ffmpeg frames): identities
 * kept through a crossing and a short occlusion, every face-frame covered after padding and interpolation, also
 * for a face entering the picture (covered before the detector is sure of it).
 */
import assert from 'node:assert/strict';
import type { Detector } from '../../daemon/detection/detector';
import { ModelRegistry } from '../../daemon/models/registry';
import { detectionFloor } from '../../daemon/review/possibleFaces';
import { detectVideoTracks } from '../../daemon/video/detectVideo';
import { probeVideo } from '../../daemon/video/probe';
import { tempDir } from '../support/images';
import { MANIFEST } from '../support/models';
import { requireShared } from '../support/paths';
import { clipScene, makeClip, type ClipSpec } from '../support/syntheticClips';
import { frameRecall, identitySwitches } from '../support/videoTrackerScenes';

const HD = { width: 1280, height: 720, fps: 25 };

describe('video tracking with YuNet on generated clips', function () {
  this.timeout(300_000);
  let detector: Detector;
  before(async function () {
    const registry = new ModelRegistry({ home: tempDir('veil-home-'), manifestPath: MANIFEST });
    await registry.add({ file: requireShared(this, 'models', 'yunet_n_dynamic.onnx'), decoder: 'yunet' });
    detector = await registry.load('yunet');
  });
  after(() => detector?.dispose());

  async function track(spec: ClipSpec, stride: number) {
    const clip = await makeClip(spec, tempDir('veil-track-'));
    const info = await probeVideo(clip.path);
    const threshold = detector.defaultThreshold;
    const { tracks } = await detectVideoTracks(clip.path, info, { detector, threshold, floor: detectionFloor(threshold), thorough: false, stride });
    return { scene: clipScene(clip), tracks: tracks.filter((t) => t.state === 'proposed') };
  }

  it('keeps two crossing faces apart (one hides the other for 4 frames) and covers every face-frame, on every frame and every second', async () => {
    const frames = 100;
    const spec: ClipSpec = {
      ...HD,
      frames,
      faces: [
        { keys: [{ frame: 0, x: 80, y: 200, scale: 0.9 }, { frame: frames - 1, x: 1000, y: 260, scale: 0.9 }] },
        { keys: [{ frame: 0, x: 1000, y: 240, scale: 0.8 }, { frame: frames - 1, x: 100, y: 220, scale: 0.8 }] },
      ],
    };
    for (const stride of [1, 2]) {
      const { scene, tracks } = await track(spec, stride);
      assert.equal(tracks.length, 2, `stride ${stride}: ${tracks.map((t) => `${t.id} ${t.keyframes[0]!.frame}-${t.keyframes.at(-1)!.frame}`).join(', ')}`);
      assert.equal(identitySwitches(scene, tracks), 0, `stride ${stride}`);
      const recall = frameRecall(scene, tracks);
      assert.deepEqual(recall.missed, [], `stride ${stride}`);
    }
  });

  it('bridges a face hidden by a bar for 10 frames with one track', async () => {
    const frames = 80;
    const { scene, tracks } = await track({ ...HD, frames, faces: [{ keys: [{ frame: 0, x: 100, y: 200, scale: 0.7 }, { frame: frames - 1, x: 900, y: 300, scale: 0.7 }] }], occlusions: [{ face: 0, from: 30, to: 40 }] }, 2);
    assert.equal(tracks.length, 1);
    assert.deepEqual(frameRecall(scene, tracks).missed, []);
  });

  it('covers a face entering from the left edge before the detector finds it (padding)', async () => {
    const frames = 60;
    const { scene, tracks } = await track({ ...HD, frames, faces: [{ keys: [{ frame: 0, x: -150, y: 250, scale: 0.8 }, { frame: frames - 1, x: 500, y: 250, scale: 0.8 }] }] }, 2);
    assert.ok(tracks.length >= 1);
    const firstDetection = Math.min(...tracks.map((t) => t.keyframes[0]!.frame));
    assert.ok(firstDetection > 0, 'the face is detected only once enough of it is in the picture');
    assert.deepEqual(frameRecall(scene, tracks).missed, []);
  });
});
