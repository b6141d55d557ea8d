/**
 * Plays a video's playable copy in the stage's <video> element and says which frame it shows: the frame of each
 * frame presented (requestVideoFrameCallback's media time where the browser has it, the element's time otherwise),
 * so the boxes drawn over it are those of the frame on screen, while playing too.
 *
 * Seeks are coalesced: while one is under way, a newer target waits for it and replaces any older one waiting (a
 * fast scrub shows a frame at every step it can decode, instead of restarting the decode at every mouse move and
 * showing none).
 *
 * For tests and the benchmark, the element carries `data-seeking="true"` while a seek is under way.
 */
import { clampFrame, frameAtTime, seekTimeOf } from './frameClock';

export interface PlayerListener {
  /** A frame is on screen (after a seek, or while playing). */
  frame(frame: number): void;
  /** Playback started or stopped. */
  playing(playing: boolean): void;
}

interface Timing {
  fps: number;
  frames: number;
}

/** requestVideoFrameCallback (Chromium 83+, VS Code's Electron): the presented frame's timestamp, frame-exact. */
function hasFrameCallbacks(video: HTMLVideoElement): boolean {
  return 'requestVideoFrameCallback' in video;
}

export class VideoPlayer {
  private timing: Timing | null = null;
  private uri: string | null = null;
  /** The load of `uri`: asked for again (a dataset reloaded while the video is shown), the same copy is not reloaded. */
  private opening: Promise<void> | null = null;
  /** The frame on screen, and the frame a seek is taking the playhead to (the same when none is under way). */
  private shown = 0;
  private target = 0;
  private seekUnderWay = false;
  private seekWaiting = false;
  /** A seek paused playback: the pause that follows must not take the playhead back to the frame on screen. */
  private pausedBySeek = false;
  private frameCallback = 0;
  private animationFrame = 0;

  constructor(
    readonly element: HTMLVideoElement,
    private readonly listener: PlayerListener,
  ) {
    element.muted = true;
    element.preload = 'auto';
    element.addEventListener('seeked', () => this.onSeeked());
    element.addEventListener('play', () => this.onPlayingChange(true));
    element.addEventListener('pause', () => this.onPlayingChange(false));
  }

  get frames(): number {
    return this.timing?.frames ?? 0;
  }

  get fps(): number {
    return this.timing?.fps ?? 0;
  }

  get playing(): boolean {
    return this.timing !== null && !this.element.paused;
  }

  /** The frame the playhead is at or going to: steps count from it, so quick presses each step once. */
  get playheadFrame(): number {
    return this.seekUnderWay ? this.target : this.shown;
  }

  /**
   * Loads `uri` and shows frame `from` (resolves once a frame can be shown); the same copy, loaded or loading, is kept
   * as it is, at its playhead.
   */
  open(uri: string, timing: Timing, from = 0): Promise<void> {
    if (uri === this.uri && this.opening) return this.opening;
    this.close();
    this.uri = uri;
    this.timing = timing;
    // A copy that failed to load is tried again the next time it is shown.
    this.opening = this.load(uri, from).catch((error: unknown) => {
      if (this.uri === uri) this.close();
      throw error;
    });
    return this.opening;
  }

  private async load(uri: string, from: number): Promise<void> {
    const video = this.element;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        video.removeEventListener('loadeddata', done);
        video.removeEventListener('error', failed);
        resolve();
      };
      const failed = () => {
        video.removeEventListener('loadeddata', done);
        video.removeEventListener('error', failed);
        reject(new Error(video.error?.message || 'the playable copy of the video could not be decoded'));
      };
      video.addEventListener('loadeddata', done);
      video.addEventListener('error', failed);
      video.src = uri;
    });
    if (this.uri !== uri) return;
    this.shown = -1;
    this.watchFrames();
    this.seek(from);
  }

  /** Stops and unloads the video (another image is shown). */
  close(): void {
    const video = this.element;
    if (hasFrameCallbacks(video) && this.frameCallback) video.cancelVideoFrameCallback(this.frameCallback);
    cancelAnimationFrame(this.animationFrame);
    this.frameCallback = this.animationFrame = 0;
    this.timing = null;
    this.uri = null;
    this.opening = null;
    this.seekUnderWay = this.seekWaiting = this.pausedBySeek = false;
    delete video.dataset.seeking;
    if (video.getAttribute('src') !== null) {
      video.pause();
      video.removeAttribute('src');
      video.load();
    }
  }

  play(): void {
    if (!this.timing) return;
    // At the last frame, play starts again from the first (as every player does).
    if (this.shown >= this.timing.frames - 1) this.element.currentTime = 0;
    void this.element.play().catch(() => undefined);
  }

  pause(): void {
    this.element.pause();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Shows frame `frame` (clamped to the video), pausing playback. */
  seek(frame: number): void {
    if (!this.timing) return;
    if (this.playing) {
      this.pausedBySeek = true;
      this.pause();
    }
    this.target = clampFrame(frame, this.timing.frames);
    if (this.seekUnderWay) {
      this.seekWaiting = true;
      return;
    }
    this.startSeek();
  }

  private startSeek(): void {
    const { fps, frames } = this.timing!;
    if (frameAtTime(this.element.currentTime, fps, frames) === this.target && this.shown === this.target) return;
    this.seekUnderWay = true;
    this.element.dataset.seeking = 'true';
    this.element.currentTime = seekTimeOf(this.target, fps);
  }

  private onSeeked(): void {
    if (!this.timing || !this.seekUnderWay) return;
    // The sought frame is decoded and painted with the next frame: the boxes are drawn with it. (A frame callback
    // may not come: seeking within the frame already presented presents no new one.)
    const reached = frameAtTime(this.element.currentTime, this.timing.fps, this.timing.frames);
    this.seekUnderWay = false;
    this.report(reached);
    if (this.seekWaiting) {
      this.seekWaiting = false;
      this.startSeek();
    }
    if (!this.seekUnderWay) delete this.element.dataset.seeking;
  }

  private onPlayingChange(playing: boolean): void {
    if (!this.timing) return;
    if (!playing && this.pausedBySeek) this.pausedBySeek = false;
    else if (!playing && !this.seekUnderWay) {
      // Paused between two frames: the playhead goes to the middle of the frame on screen, so that its time and
      // the picture agree (a step counts from the frame seen).
      this.target = this.shown;
      this.startSeek();
    }
    if (playing && !hasFrameCallbacks(this.element)) this.pollWhilePlaying();
    this.listener.playing(playing);
  }

  private watchFrames(): void {
    const video = this.element;
    if (!hasFrameCallbacks(video)) return;
    const onFrame: VideoFrameRequestCallback = (_now, metadata) => {
      if (!this.timing) return;
      this.frameCallback = video.requestVideoFrameCallback(onFrame);
      this.report(frameAtTime(metadata.mediaTime, this.timing.fps, this.timing.frames));
    };
    this.frameCallback = video.requestVideoFrameCallback(onFrame);
  }

  /** Without frame callbacks: the element's time once per animation frame while playing. */
  private pollWhilePlaying(): void {
    const poll = () => {
      if (!this.timing || this.element.paused) return;
      this.report(frameAtTime(this.element.currentTime, this.timing.fps, this.timing.frames));
      this.animationFrame = requestAnimationFrame(poll);
    };
    this.animationFrame = requestAnimationFrame(poll);
  }

  private report(frame: number): void {
    if (frame === this.shown) return;
    this.shown = frame;
    if (!this.seekUnderWay && !this.seekWaiting) this.target = frame;
    this.listener.frame(frame);
  }
}
