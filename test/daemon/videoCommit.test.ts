/**
 * A video through the real daemon, as a person uses it: detect (YuNet) → tracks in the review state → every
 * proposed track accepted, the video marked reviewed → commit → no face visible in any frame by ground truth,
 * re-detection finds none, no metadata or audio left, the original opens from the vault with the stock `age`.
 * Then a commit killed (SIGKILL) while encoding, resumed by a new daemon; and bad videos in a batch.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord, Track } from '../../daemon/protocol';
import { ErrorCode } from '../../daemon/protocol';
import { isTempName } from '../../daemon/storage/durable';
import { addKey, auditEntries } from '../support/commitFixtures';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, tempDir } from '../support/images';
import { requireShared } from '../support/paths';
import { makeClip, type ClipSpec, type SyntheticClip } from '../support/syntheticClips';
import { allTags, inspectVideo } from '../support/videoInspect';
import { assertEveryFaceHidden } from '../support/videoTruth';

/** Two faces: one panning right the whole clip, one entering from the right at frame 12 and leaving at 40. */
const SPEC: ClipSpec = {
  width: 640,
  height: 360,
  fps: 25,
  frames: 50,
  faces: [
    { keys: [{ frame: 0, x: 20, y: 60, scale: 0.9 }, { frame: 49, x: 300, y: 90, scale: 0.9 }] },
    { keys: [{ frame: 12, x: 560, y: 120, scale: 0.8 }, { frame: 40, x: 400, y: 100, scale: 0.8 }], from: 12, to: 40 },
  ],
  audio: true,
  metadata: { title: 'patient 0042 consultation', location: '+52.3676+004.9041/', creation_time: '2026-01-02T03:04:05Z' },
};

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function openWithYunet(ctx: Mocha.Context): Promise<TestDaemon> {
  const yunet = requireShared(ctx, 'models', 'yunet_n_dynamic.onnx');
  const daemon = await startDaemon();
  await daemon.client.request('models/add', { file: yunet, decoder: 'yunet' });
  return daemon;
}

/** Accepts every proposed track, rejects every possible one, and marks the video reviewed. */
async function reviewAll(daemon: TestDaemon, root: string, file: string): Promise<Track[]> {
  const record: ImageRecord = await daemon.client.request('review/get', { root, file });
  const tracks = (record.tracks ?? []).map((track): Track => ({ ...track, state: track.state === 'possible' ? 'rejected' : 'accepted' }));
  await daemon.client.request('review/update', { root, file, boxes: [], tracks, status: 'reviewed', baseRevision: record.revision });
  return tracks;
}

describe('video through the daemon: detect, review tracks, commit, verify', function () {
  this.timeout(600_000);
  let daemon: TestDaemon | undefined;
  afterEach(async () => {
    await daemon?.client.close();
    daemon = undefined;
  });

  it('leaves no face visible in any frame by ground truth, re-detection finds none, no metadata or audio survives, and the vault holds the original', async function () {
    daemon = await openWithYunet(this);
    const root = tempDir('veil-video-');
    const clip: SyntheticClip = await makeClip(SPEC, root);
    const file = 'clip.mp4';
    const originalSha = sha256(clip.path);
    const key = await addKey(root);

    const detected = await daemon.client.request('dataset/detect', { root, model: 'yunet' });
    assert.deepEqual(detected.failures, []);
    const row = detected.images.find((image) => image.file === file);
    assert.ok(row && row.tracks !== undefined && row.tracks >= 2, `expected at least the two faces as tracks: ${JSON.stringify(row)}`);
    const record: ImageRecord = await daemon.client.request('review/get', { root, file });
    assert.equal(record.video?.frames, SPEC.frames);
    assert.equal(record.video?.hasAudio, true);
    assert.deepEqual(record.boxes, []);
    const line = auditEntries(root).find((entry) => entry.type === 'detect-image' && entry.file === file);
    assert.ok(line && typeof line.tracks === 'object', 'the detect-image entry counts the tracks');

    await reviewAll(daemon, root, file);
    const committed = await daemon.client.request('dataset/commit', { root });
    assert.deepEqual(committed.committed, [file], JSON.stringify(committed.leftAsIs));

    // Every frame, every face of the truth: hidden.
    const faceFrames = await assertEveryFaceHidden(clip);
    assert.ok(faceFrames >= 70, `the clip holds ${faceFrames} face-frames`);

    // Nothing of the container's or streams' metadata, no audio, no rotation.
    const inspected = await inspectVideo(clip.path);
    assert.deepEqual(inspected.streams.map((stream) => stream.codec_type), ['video']);
    const tags = allTags(inspected).join('\n');
    for (const secret of ['patient', '52.3676', '2026-01-02', 'creation_time', 'location', 'encoder']) assert.ok(!tags.includes(secret), `"${secret}" survived: ${tags}`);

    const verified = await daemon.client.request('dataset/verify', { root, redetect: true, identity: key.identityFile });
    assert.deepEqual(verified.findings, []);

    // The stock age CLI opens the original from the vault.
    const commit = auditEntries(root).find((entry) => entry.type === 'commit-image' && entry.file === file)!;
    assert.equal(commit.originalSha256, originalSha);
    assert.equal(typeof commit.tracks, 'object');
    const opened = execFileSync('age', ['-d', '-i', key.identityFile, join(root, '.veil', 'vault', `${originalSha}.age`)], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(createHash('sha256').update(opened).digest('hex'), originalSha);
  });

  it('keeps the audio only when asked, still without its tags', async function () {
    daemon = await openWithYunet(this);
    const root = tempDir('veil-video-audio-');
    const clip = await makeClip({ ...SPEC, frames: 20, faces: [SPEC.faces[0]!] }, root);
    await addKey(root);
    await daemon.client.request('dataset/detect', { root, model: 'yunet' });
    await reviewAll(daemon, root, 'clip.mp4');
    const committed = await daemon.client.request('dataset/commit', { root, keepAudio: true });
    assert.deepEqual(committed.committed, ['clip.mp4']);
    const inspected = await inspectVideo(clip.path);
    assert.deepEqual(inspected.streams.map((stream) => stream.codec_type).sort(), ['audio', 'video']);
    assert.ok(!allTags(inspected).join('\n').includes('patient'));
  });

  it('resumes a commit killed (SIGKILL) while encoding: one output, one audit entry, no temp file left, verify clean', async function () {
    daemon = await openWithYunet(this);
    const root = tempDir('veil-video-kill-');
    const clip = await makeClip({ ...SPEC, frames: 250, audio: false, metadata: undefined }, root);
    const originalSha = sha256(clip.path);
    await addKey(root);
    await daemon.client.request('dataset/detect', { root, model: 'yunet', videoStride: 5 });
    await reviewAll(daemon, root, 'clip.mp4');
    const home = daemon.home;

    // Kill the daemon once the encoder has written part of the output (its temp file next to the video).
    const committing = daemon.client.request('dataset/commit', { root }).catch((error: unknown) => error);
    const deadline = Date.now() + 120_000;
    const tempOutput = () => readdirSync(root).find((name) => isTempName(name) && statSync(join(root, name)).size > 0);
    while (!tempOutput() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(tempOutput(), 'the encoder never started writing');
    daemon.client.kill('SIGKILL');
    await committing;
    assert.equal(sha256(clip.path), originalSha, 'the original is untouched until the output is complete');

    daemon = await startDaemon({ VEIL_HOME: home });
    const resumed = await daemon.client.request('dataset/commit', { root });
    assert.deepEqual(resumed.committed, ['clip.mp4'], JSON.stringify(resumed));
    assert.deepEqual(readdirSync(root).filter(isTempName), [], 'temp files left');
    assert.notEqual(sha256(clip.path), originalSha);
    assert.equal(auditEntries(root).filter((entry) => entry.type === 'commit-image' && entry.file === 'clip.mp4').length, 1);
    const verified = await daemon.client.request('dataset/verify', { root });
    assert.deepEqual(verified.findings, []);
  });

  it('reports a truncated video and a corrupt one by name and cause; the batch goes on', async function () {
    daemon = await openWithYunet(this);
    const root = tempDir('veil-video-bad-');
    const clip = await makeClip({ ...SPEC, frames: 30, audio: false, metadata: undefined, name: 'whole' }, root);
    copyFileSync(clip.path, join(root, 'truncated.mp4'));
    truncateSync(join(root, 'truncated.mp4'), Math.floor(statSync(clip.path).size / 3));
    writeFileSync(join(root, 'corrupt.mp4'), Buffer.from('this is not a video, only a name that says so'));
    copyFileSync(ASTRONAUT, join(root, 'photo.png'));

    const detected = await daemon.client.request('dataset/detect', { root, model: 'yunet' });
    const failed = new Map(detected.failures.map((failure) => [failure.file, failure]));
    assert.deepEqual([...failed.keys()].sort(), ['corrupt.mp4', 'truncated.mp4'], JSON.stringify(detected.failures));
    for (const failure of failed.values()) {
      assert.ok([ErrorCode.VideoUnreadable, ErrorCode.VideoUnsupported].includes(failure.code), `${failure.file}: ${failure.code} ${failure.message}`);
      assert.ok(!failure.message.includes(failure.file), `the cause names the file again: ${failure.message}`);
      assert.ok(failure.message.length > 10);
    }
    assert.deepEqual(detected.images.map((image) => image.file).sort(), ['photo.png', 'whole.mp4']);
  });
});
