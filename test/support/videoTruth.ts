/**
 * The ground-truth check of a committed synthetic clip: every frame of the video now at the clip's path decoded, and
 * each face the clip drew on that frame (its truth box) compared with the frame as drawn: a face counts as hidden when
 * nearly all of its box changed strongly. Shared by the daemon's video commit test and the workbench's video journey.
 */
import assert from 'node:assert/strict';
import type { Rect } from '../../daemon/protocol';
import { readFrames } from '../../daemon/video/frameReader';
import { probeVideo } from '../../daemon/video/probe';
import { renderFrame, SpriteCache, type SyntheticClip } from './syntheticClips';

/** A truth face counts as hidden when at least this share of its box differs strongly from the original frame. */
const HIDDEN_SHARE = 0.9;
/** Per-pixel difference (sum over channels) that counts as changed: a fill or a heavy re-encode error, never noise. */
const CHANGED = 60;

/** The share of `box`'s pixels that differ strongly between two RGB frames. */
function changedShare(a: Buffer, b: Buffer, width: number, height: number, box: Rect): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.w));
  const y1 = Math.min(height, Math.ceil(box.y + box.h));
  let changed = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 3;
      if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) >= CHANGED) changed++;
    }
  }
  const area = Math.max(1, (x1 - x0) * (y1 - y0));
  return changed / area;
}

/**
 * Asserts that the video at `clip.path` (committed in place) still has the clip's frames and hides every face of its
 * truth on every frame; returns how many face-frames it checked (all of the truth's).
 */
export async function assertEveryFaceHidden(clip: SyntheticClip): Promise<number> {
  const info = await probeVideo(clip.path);
  assert.equal(info.frames, clip.spec.frames, 'the committed video lost or gained frames');
  const sprites = new SpriteCache();
  let checked = 0;
  for await (const frame of readFrames(clip.path, info)) {
    const { rgb: original, faces } = await renderFrame(clip.spec, frame.index, sprites);
    for (const face of faces) {
      const share = changedShare(original, frame.rgb, info.width, info.height, face.box);
      assert.ok(share >= HIDDEN_SHARE, `frame ${frame.index}: face ${face.face} at ${JSON.stringify(face.box)} only ${(share * 100).toFixed(1)} % hidden`);
      checked++;
    }
  }
  assert.equal(checked, clip.truth.reduce((sum, faces) => sum + faces.length, 0), 'not every face-frame of the truth was read back');
  return checked;
}
