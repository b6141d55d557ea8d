/**
 * The redaction sidecar of a committed video (README "Redaction sidecar for training"): each redacted track with its
 * frame range, padding, keyframes and margin, from which the documented rule (`trackBoxAt`, grown by the margin,
 * clamped) gives on every frame exactly the regions the commit painted; the output holds the fill there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord, Track } from '../../daemon/protocol';
import { committedMarginRule, type CommitImageEvent } from '../../daemon/audit/events';
import { boxesToRedact } from '../../daemon/commit/select';
import { faceRegion, redactionRegion, type Region } from '../../daemon/redact/geometry';
import type { RedactionSidecar, SidecarTrack } from '../../daemon/redactions/sidecar';
import { readFrames } from '../../daemon/video/frameReader';
import { probeVideo } from '../../daemon/video/probe';
import { boxesAtFrame } from '../../daemon/video/redactVideo';
import { trackBoxAt } from '../../daemon/video/trackGeometry';
import { addKey, auditEntries } from '../support/commitFixtures';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { meanDiffIn, tempDir } from '../support/images';
import { makeClip } from '../support/syntheticClips';

/** A consumer's reading of the sidecar: the region of `track` on `frame` (README), or null where it covers none. */
function regionAt(track: SidecarTrack, frame: number, width: number, height: number): Region | null {
  if (frame < track.firstFrame || frame > track.lastFrame) return null;
  const box = trackBoxAt({ keyframes: track.keyframes.map((key) => ({ ...key, score: null })), padBefore: track.padBefore, padAfter: track.padAfter }, frame);
  if (!box) return null;
  const { faceSize: _faceSize, ...region } = redactionRegion(box, track.margin, width, height);
  return region;
}

describe('redaction sidecar of a video: its tracks, and the regions they give on every frame', function () {
  this.timeout(300_000);
  let daemon: TestDaemon | undefined;
  after(async () => {
    await daemon?.client.close();
  });

  it('lists each redacted track, whose documented rule gives exactly the regions the commit painted on every frame', async () => {
    daemon = await startDaemon();
    const root = tempDir('veil-sidecar-video-');
    const clip = await makeClip({ width: 480, height: 270, fps: 25, frames: 30, faces: [{ keys: [{ frame: 0, x: 30, y: 20, scale: 1 }, { frame: 29, x: 260, y: 40, scale: 1 }] }] }, root);
    const file = 'clip.mp4';
    await addKey(root);
    await daemon.client.request('dataset/detect', { root });
    const record: ImageRecord = await daemon.client.request('review/get', { root, file });
    const tracks = (record.tracks ?? []).map((track): Track => ({ ...track, state: track.state === 'possible' ? 'rejected' : 'accepted' }));
    assert.ok(tracks.length >= 1, 'the face is tracked');
    await daemon.client.request('review/update', { root, file, boxes: [], tracks, status: 'reviewed', baseRevision: record.revision });
    const committed = await daemon.client.request('dataset/commit', { root });
    assert.deepEqual(committed.committed, [file], JSON.stringify(committed.leftAsIs));

    const sidecar = JSON.parse(readFileSync(join(root, '.veil', 'redactions.json'), 'utf8')) as RedactionSidecar;
    const [video] = sidecar.files;
    assert.ok(video && video.kind === 'video', JSON.stringify(sidecar));
    const entry = auditEntries(root).find((line) => line.type === 'commit-image') as unknown as CommitImageEvent & { seq: number };
    assert.deepEqual([video.file, video.width, video.height, video.frames, video.fps, video.auditSeq, video.outputSha256], [file, 480, 270, 30, 25, entry.seq, entry.outputSha256]);
    // The tracks as the review state holds them (what the commit painted).
    const stored: ImageRecord = await daemon.client.request('review/get', { root, file });
    const redacted = boxesToRedact(stored.tracks ?? []);
    assert.ok(redacted.length >= 1);
    assert.deepEqual(video.tracks.map((track) => track.id), redacted.map((track) => track.id));
    for (const [index, track] of video.tracks.entries()) {
      assert.deepEqual(track.keyframes, redacted[index]!.keyframes.map(({ frame, x, y, w, h }) => ({ frame, x, y, w, h })));
      assert.deepEqual([track.padBefore, track.padAfter], [redacted[index]!.padBefore, redacted[index]!.padAfter]);
      assert.ok(track.firstFrame >= 0 && track.lastFrame <= 29 && track.firstFrame <= track.lastFrame);
    }

    // Frame by frame: the consumer's rule on the sidecar = the commit's own regions (boxesAtFrame, faceRegion, the entry's margin rule).
    const rule = committedMarginRule(entry);
    let covered = 0;
    for (let frame = 0; frame < video.frames; frame++) {
      const painted: Region[] = boxesAtFrame(redacted, frame, video.frames - 1).map((box) => {
        const { faceSize: _faceSize, ...region } = faceRegion(box, rule, video.width, video.height);
        return region;
      });
      const stated: Region[] = video.tracks.flatMap((track) => regionAt(track, frame, video.width, video.height) ?? []);
      assert.deepEqual(stated, painted, `frame ${frame}`);
      covered += stated.length;
    }
    assert.ok(covered >= 30, `${covered} track-frames`);

    // And the output holds the fill there (lossy H.264: close to black, far from the original).
    const middle = Math.floor((video.tracks[0]!.firstFrame + video.tracks[0]!.lastFrame) / 2);
    const region = regionAt(video.tracks[0]!, middle, video.width, video.height)!;
    const info = await probeVideo(clip.path);
    for await (const frame of readFrames(clip.path, info, { from: middle, to: middle + 1 })) {
      const black = Buffer.alloc(frame.rgb.length);
      assert.ok(meanDiffIn(frame.rgb, black, info.width, region) < 12, `frame ${middle}: region ${JSON.stringify(region)} is filled`);
    }
  });
});
