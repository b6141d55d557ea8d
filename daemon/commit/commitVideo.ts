/**
 * Commits one video, with the same order of effects as an image (commitImage.ts), streamed instead of in memory:
 * the original's sha256 (read once), resume of what an interrupted run published, the audited review decision,
 * the original into the vault (sealed a block at a time, vault/storeStreamed.ts), every frame re-encoded with its
 * tracks redacted into a temp file next to it (video/redactVideo.ts: verified before it is used), fsync'd and
 * hashed; the audit event journaled, the output renamed over the original, the event audited, the state marked
 * committed. A kill during the encode leaves only the temp file, which the next commit removes before it resumes.
 */
import { chmod, open, rm, stat } from 'node:fs/promises';
import { ErrorCode, type ImageRecord, type Track, type VideoInfo } from '../protocol';
import { VeilError } from '../errors';
import { resolveInside } from '../dataset/paths';
import { storeOriginalFile, sha256OfFile } from '../vault/storeStreamed';
import { publish, tempPathFor } from '../storage/durable';
import { probeVideo } from '../video/probe';
import { redactVideo } from '../video/redactVideo';
import { boxesToRedact } from './select';
import { checkReviewedDecision, commitEvent, finish, finishedEarlier, type ImageCommitContext } from './commitSteps';

/** The review record of a video, with its probe and tracks (a record without them predates its detection as a video). */
function videoRecord(record: ImageRecord): ImageRecord & { video: VideoInfo; tracks: Track[] } {
  if (!record.video || !record.tracks) throw new VeilError(ErrorCode.Corrupt, 'has no video review state (run detection on it again)', record.file);
  return record as ImageRecord & { video: VideoInfo; tracks: Track[] };
}

/** The video must still be the one its tracks were drawn on: same picture size and frame count. */
function checkUnchanged(file: string, reviewed: VideoInfo, now: VideoInfo): void {
  if (reviewed.width !== now.width || reviewed.height !== now.height || reviewed.frames !== now.frames || reviewed.fps !== now.fps) {
    throw new VeilError(
      ErrorCode.Conflict,
      `is not the video its tracks were reviewed on (${reviewed.width}x${reviewed.height}, ${reviewed.frames} frames at ${reviewed.fps} fps; now ${now.width}x${now.height}, ${now.frames} at ${now.fps}): run detection again`,
      file,
    );
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function commitVideo(c: ImageCommitContext, file: string, signal?: AbortSignal): Promise<undefined> {
  const stored = c.recordOf(file);
  if (!stored) throw new VeilError(ErrorCode.Corrupt, 'has no review state any more', file);
  const path = resolveInside(c.root, file);
  const { sha256: sha } = await c.times.time('read', () => sha256OfFile(path, file));
  if (await finishedEarlier(c, stored, sha)) return undefined;
  const record = videoRecord(stored);
  checkReviewedDecision(c, record);
  const info = await probeVideo(path, undefined, signal);
  checkUnchanged(file, record.video, info);

  const vault = await c.times.time('encrypt', () => storeOriginalFile(c.root, path, file, sha, c.recipients));
  const tracks = boxesToRedact(record.tracks);
  const { mode, margin, doubtMargin, shape, keepAudio } = c.plan.options;
  const temp = tempPathFor(path);
  try {
    await redactVideo(path, temp, file, info, tracks, { mode, margin, doubtMargin, shape, keepAudio: keepAudio ?? false }, c.times, signal);
    await chmod(temp, (await stat(path)).mode & 0o777);
    await c.times.time('fsync', () => fsyncFile(temp));
    const output = await c.times.time('read', () => sha256OfFile(temp, file));
    const event = commitEvent(c, record, tracks.length, sha, output.sha256, vault);
    await c.journal.publishing(event);
    await c.times.time('fsync', () => publish(temp, path));
    await finish(c, record, event, true);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return undefined;
}
