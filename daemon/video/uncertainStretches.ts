/**
 * The review's queue for a video: the stretches of its undecided tracks a person should look at, most uncertain
 * first. Undecided: proposed or possible (a track a person accepted or rejected was looked at). The order is that of
 * UNCERTAIN_REASONS (what a miss costs: a possible track is not redacted, a gap is covered by a guessed box, a low
 * score or a short track is redacted anyway), then the longer stretch first (more frames at stake), then by time.
 */
import { UNCERTAIN_REASONS, type Track, type UncertainReason, type UncertainStretch, type VideoInfo } from '../protocol';
import { trackFirstFrame, trackLastFrame } from './trackGeometry';
import { trackTiming } from './trackTiming';

export interface UncertaintyOptions {
  /** The detection's operating threshold: detections below it are low-score. */
  threshold: number;
  /** The stride the detector ran with (spans of a couple of strides are not gaps). */
  stride: number;
}

export function uncertainStretches(tracks: readonly Track[], info: Pick<VideoInfo, 'fps' | 'frames'>, options: UncertaintyOptions): UncertainStretch[] {
  const timing = trackTiming(info.fps, options.stride);
  const stretches = tracks
    .filter((track) => track.state === 'proposed' || track.state === 'possible')
    .flatMap((track): UncertainStretch[] => {
      const whole = (reason: UncertainReason): UncertainStretch => ({ trackId: track.id, from: trackFirstFrame(track), to: Math.min(trackLastFrame(track), info.frames - 1), reason });
      if (track.state === 'possible') return [whole('possible')];
      const keys = track.keyframes;
      const found: UncertainStretch[] = [];
      const seen = keys[keys.length - 1]!.frame - keys[0]!.frame;
      if (track.source === 'model' && seen < timing.shortFrames) found.push(whole('short'));
      keys.forEach((key, index) => {
        const next = keys[index + 1];
        // A person's two keyframes far apart are their choice; a span ending at a detection is the tracker's guess.
        if (next && next.frame - key.frame > timing.gapFrames && (key.score !== null || next.score !== null)) {
          found.push({ trackId: track.id, from: key.frame + 1, to: next.frame - 1, reason: 'gap' });
        }
      });
      for (const run of lowScoreRuns(track, options.threshold)) found.push({ trackId: track.id, ...run, reason: 'lowScore' });
      return found;
    });
  const rank = (stretch: UncertainStretch) => UNCERTAIN_REASONS.indexOf(stretch.reason);
  return stretches.sort((a, b) => rank(a) - rank(b) || b.to - b.from - (a.to - a.from) || a.from - b.from || a.trackId.localeCompare(b.trackId));
}

/** Runs of consecutive keyframes detected below the threshold (the tracker keeps both ends of each run). */
function lowScoreRuns(track: Track, threshold: number): Array<{ from: number; to: number }> {
  const runs: Array<{ from: number; to: number }> = [];
  let start: number | undefined;
  track.keyframes.forEach((key, index) => {
    const low = key.score !== null && key.score < threshold;
    if (low && start === undefined) start = key.frame;
    const next = track.keyframes[index + 1];
    const nextLow = next !== undefined && next.score !== null && next.score < threshold;
    if (low && !nextLow) {
      runs.push({ from: start!, to: key.frame });
      start = undefined;
    }
  });
  return runs;
}
