/**
 * The synthetic test clips (test/support/syntheticClips.ts) tell the truth: a face's box follows its path, is cut at
 * the frame's edge and gone once the face has left, a hidden face is flagged and covered, two faces keep their
 * identities, and a cut changes the background. (That the decoded clip shows the face at its box: videoFrames.test.ts.)
 */
import assert from 'node:assert/strict';
import { renderFrame, SpriteCache, FACE_CROP, FACE_IN_CROP, type ClipSpec } from '../support/syntheticClips';

const SPEC: ClipSpec = {
  width: 320,
  height: 240,
  fps: 25,
  frames: 40,
  faces: [
    // Leaves by the right edge: in full at frame 0, cut from frame 20, gone by frame 39.
    { keys: [{ frame: 0, x: 0, y: 20, scale: 0.5 }, { frame: 39, x: 340, y: 20, scale: 0.5 }] },
    // Crosses the first face the other way, hidden behind a bar for frames 10–14.
    { keys: [{ frame: 0, x: 240, y: 40, scale: 0.5 }, { frame: 39, x: 0, y: 40, scale: 0.5 }] },
  ],
  occlusions: [{ face: 1, from: 10, to: 15 }],
  cuts: [30],
};

describe('synthetic test clips', () => {
  const sprites = new SpriteCache();

  it('puts each face box where its path says, scaled with the sprite, and keeps the faces apart by identity', async () => {
    const { faces } = await renderFrame(SPEC, 0, sprites);
    assert.deepEqual(faces.map((f) => f.face), [0, 1]);
    const scale = Math.round(FACE_CROP.w * 0.5) / FACE_CROP.w;
    assert.deepEqual(faces[0]!.box, { x: FACE_IN_CROP.x * scale, y: 20 + FACE_IN_CROP.y * scale, w: FACE_IN_CROP.w * scale, h: FACE_IN_CROP.h * scale });
  });

  it('cuts a box at the frame edge, and lists no box once the face has left', async () => {
    const leaving = (await renderFrame(SPEC, 33, sprites)).faces.find((f) => f.face === 0)!;
    assert.equal(leaving.box.x + leaving.box.w, 320);
    assert.ok(leaving.box.w < FACE_IN_CROP.w * 0.5);
    assert.equal((await renderFrame(SPEC, 39, sprites)).faces.some((f) => f.face === 0), false);
  });

  it('flags a face hidden by a bar and covers its box', async () => {
    const { rgb, faces } = await renderFrame(SPEC, 12, sprites);
    const hidden = faces.find((f) => f.face === 1)!;
    assert.equal(hidden.occluded, true);
    const x = Math.round(hidden.box.x + hidden.box.w / 2);
    const y = Math.round(hidden.box.y + hidden.box.h / 2);
    assert.deepEqual([...rgb.subarray((y * 320 + x) * 3, (y * 320 + x) * 3 + 3)], [40, 40, 48]);
    assert.equal((await renderFrame(SPEC, 15, sprites)).faces.find((f) => f.face === 1)!.occluded, false);
  });

  it('changes the background at a cut', async () => {
    const corner = async (frame: number) => [...(await renderFrame(SPEC, frame, sprites)).rgb.subarray((239 * 320 + 319) * 3, (239 * 320 + 319) * 3 + 3)];
    assert.deepEqual(await corner(28), await corner(29));
    assert.notDeepEqual(await corner(29), await corner(30));
  });
});
