/**
 * Frames ↔ times of a video played at a constant rate: frame n is shown from n / fps to (n + 1) / fps seconds.
 * Seeks aim at the middle of a frame, so that neither a timestamp rounded by the container's time base nor the
 * decoder's own rounding lands on the frame before.
 */

/**
 * Added (in frames) before rounding a time down to its frame. A timestamp of frame n in an MP4 or WebM time base
 * (1/12800 s for 25 fps, 1 ms in WebM) can read a hair under n / fps: 1 ms is 0.03 frame at 30 fps, well under 0.05.
 */
const FRAME_EPSILON = 0.05;

export function clampFrame(frame: number, frames: number): number {
  return Math.min(Math.max(0, frames - 1), Math.max(0, Math.round(frame)));
}

/** The frame shown at `seconds` (a presented frame's timestamp or the element's current time). */
export function frameAtTime(seconds: number, fps: number, frames: number): number {
  return clampFrame(Math.floor(seconds * fps + FRAME_EPSILON), frames);
}

/** The time to seek to for frame n: the middle of its interval. */
export function seekTimeOf(frame: number, fps: number): number {
  return (frame + 0.5) / fps;
}

/** `m:ss` (or `h:mm:ss`) of a duration in seconds, for lists and the timeline's ruler. */
export function clockText(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** When frame n starts, as a person reads it: `m:ss.cc` (hundredths of a second). */
export function timecodeOf(frame: number, fps: number): string {
  const hundredths = Math.floor((frame / fps) * 100 + 1e-6);
  return `${clockText(Math.floor(hundredths / 100))}.${String(hundredths % 100).padStart(2, '0')}`;
}
