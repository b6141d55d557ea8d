/**
 * The frame counts the tracker and the review queue share, from the video's rate and the detector's stride (it
 * runs on every `stride`-th frame). One home, so that what the tracker simplifies and what the queue calls a gap
 * agree: the tracker never drops a keyframe from a span longer than `gapFrames`, so a longer span between two
 * keyframes is one the detector did not see the face in.
 */
export interface TrackTiming {
  /** Padding before the first and after the last detection: at least a stride (the face may have been there on the frames the detector skipped) and a quarter second. */
  padFrames: number;
  /**
   * Padding at the picture's border, where a face is entering or leaving: the detector misses a face half out of the
   * picture, and a slow one stays half visible for a while. A second, as long as a track outlives a miss.
   */
  edgePadFrames: number;
  /** A track not detected for more than this ends: about a second (a face turning away, passing behind someone) and at least three strides. */
  maxMissedFrames: number;
  /** A span between keyframes longer than this, without detections, is a gap for the review: half a second and at least two strides (one missed detection is noise, not a gap). */
  gapFrames: number;
  /** A track whose detections span fewer frames than this is short (half a second, at least two strides): often a false alarm. */
  shortFrames: number;
}

export function trackTiming(fps: number, stride: number): TrackTiming {
  const seconds = (s: number) => Math.ceil(s * fps);
  return {
    padFrames: Math.max(stride, seconds(0.25)),
    edgePadFrames: Math.max(3 * stride, seconds(1)),
    maxMissedFrames: Math.max(3 * stride, seconds(1)),
    gapFrames: Math.max(2 * stride, seconds(0.5)),
    shortFrames: Math.max(2 * stride, seconds(0.5)),
  };
}
