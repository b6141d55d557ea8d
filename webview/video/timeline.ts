/**
 * The timeline under a video: a ruler of seconds, one lane per track (its span coloured by state as the boxes are,
 * lighter over its padding, its keyframes as ticks, its uncertain stretches hatched) and the playhead. A click or
 * drag on the ruler or a lane moves the playhead (a lane's also selects its track); a click on a lane's name selects.
 *
 * Lanes are rebuilt only when the tracks change; the playhead moves by one style change per frame, so playing and
 * scrubbing cost no layout of the lanes. A lane rebuilt while it flashes (a save confirmed meanwhile brings new tracks)
 * flashes on from where it was, and the flash ends after FLASH_MS whatever the motion setting. For tests, the root carries `data-frame` (the frame the playhead is on).
 */
import type { Track, UncertainStretch } from '../../daemon/protocol';
import { boxKind } from '../boxEdits';
import { FLASH_MS } from '../imageView';
import type { ReviewStore } from '../store';
import { clockText, timecodeOf } from './frameClock';
import { describeTrack, laneOrder, trackSpan } from './trackBoxes';
import { stretchesOf } from './uncertainQueue';

export interface TimelineElements {
  root: HTMLElement;
  /** The scrub area: ruler, lanes and playhead. */
  body: HTMLElement;
  ruler: HTMLCanvasElement;
  lanes: HTMLElement;
  playhead: HTMLElement;
  time: HTMLElement;
  playButton: HTMLElement;
}

export interface TimelineActions {
  seek(frame: number): void;
  select(trackId: string): void;
  togglePlay(): void;
}

/** Seconds between two ruler marks: the first of these leaving MIN_MARK_GAP px between marks. */
const MARK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const MIN_MARK_GAP = 64;

interface Lane {
  element: HTMLElement;
  keys: HTMLCanvasElement;
  track: Track;
}

export class Timeline {
  private lanes: Lane[] = [];
  private shownTracks: readonly Track[] | null = null;
  private frames = 1;
  private fps = 1;
  /** Tracks whose lanes flash, and when the flash began. */
  private flashing: { ids: ReadonlySet<string>; since: number } | null = null;
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly elements: TimelineElements,
    private readonly store: ReviewStore,
    private readonly actions: TimelineActions,
  ) {
    this.installScrubbing();
    elements.playButton.addEventListener('click', () => actions.togglePlay());
    new ResizeObserver(() => this.redrawCanvases()).observe(elements.body);
    // A theme change recolours the canvases (the lanes' spans are CSS and follow by themselves).
    const themeWatch = new MutationObserver(() => this.redrawCanvases());
    themeWatch.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  }

  /** Shows the timeline of the current video, or hides it (an image). */
  update(): void {
    const video = this.store.currentVideo();
    this.elements.root.hidden = !video;
    if (!video) {
      this.shownTracks = null;
      return;
    }
    this.frames = Math.max(1, video.frames);
    this.fps = video.fps;
    const tracks = this.store.currentTracks();
    if (tracks !== this.shownTracks) {
      this.shownTracks = tracks;
      this.buildLanes(tracks, stretchesOf(this.store.record(this.store.ui.file!)));
    }
    this.showSelection();
    this.updatePlayhead();
  }

  /** Moves the playhead to the store's frame (once per frame while playing). */
  updatePlayhead(): void {
    const frame = this.store.frame;
    this.elements.playhead.style.left = `${((frame + 0.5) / this.frames) * 100}%`;
    this.elements.root.dataset.frame = String(frame);
    // Frames are numbered from 0 everywhere (track descriptions, refusals, the queue, verify's reports).
    this.elements.time.textContent = `${timecodeOf(frame, this.fps)} / ${timecodeOf(this.frames, this.fps)} · frame ${frame} / ${this.frames - 1}`;
  }

  /** Playing or paused: the play button's icon and label. */
  showPlaying(playing: boolean): void {
    const button = this.elements.playButton;
    button.setAttribute('aria-pressed', String(playing));
    button.querySelector('.codicon')?.classList.replace(playing ? 'codicon-play' : 'codicon-debug-pause', playing ? 'codicon-debug-pause' : 'codicon-play');
  }

  /** Flashes these lanes (tracks still undecided when marking reviewed was refused). */
  flash(ids: readonly string[]): void {
    clearTimeout(this.flashTimer);
    this.flashing = null;
    for (const lane of this.lanes) this.showFlash(lane);
    // A style read between removing and adding the class restarts the animation.
    void this.elements.lanes.offsetWidth;
    this.flashing = { ids: new Set(ids), since: performance.now() };
    for (const lane of this.lanes) this.showFlash(lane);
    this.flashTimer = setTimeout(() => {
      this.flashing = null;
      for (const lane of this.lanes) this.showFlash(lane);
    }, FLASH_MS);
  }

  /** A lane flashes while its track's flash lasts, its animation as far along as the flash is. */
  private showFlash(lane: Lane): void {
    const flashing = this.flashing?.ids.has(lane.track.id) === true;
    lane.element.classList.toggle('is-flashing', flashing);
    lane.element.style.animationDelay = flashing ? `${-(performance.now() - this.flashing!.since)}ms` : '';
  }

  private buildLanes(tracks: readonly Track[], stretches: readonly UncertainStretch[]): void {
    const ordered = laneOrder(tracks);
    this.lanes = ordered.map((track, index) => this.createLane(track, index, ordered.length, stretches.filter((stretch) => stretch.trackId === track.id)));
    for (const lane of this.lanes) this.showFlash(lane);
    this.elements.lanes.replaceChildren(...this.lanes.map((lane) => lane.element));
    this.elements.lanes.setAttribute('aria-label', `Tracks (${ordered.length})`);
    this.redrawCanvases();
  }

  private createLane(track: Track, index: number, count: number, stretches: readonly UncertainStretch[]): Lane {
    const element = document.createElement('div');
    const kind = boxKind(track);
    element.className = `timeline__lane timeline__lane--${kind}`;
    element.dataset.trackId = track.id;
    element.dataset.kind = kind;
    element.setAttribute('role', 'option');
    const label = child(element, 'timeline__label');
    label.textContent = `${index + 1} ${kind}${track.score === null ? '' : ` ${track.score.toFixed(2)}`}`;
    const area = child(element, 'timeline__area');
    const { first, last } = trackSpan(track, this.frames);
    const firstKey = track.keyframes[0]!.frame;
    const lastKey = Math.min(last, track.keyframes[track.keyframes.length - 1]!.frame);
    // The padding (a face covered before the detector was sure, and after) lighter than the frames between keyframes.
    if (firstKey > first) this.place(child(area, 'timeline__span timeline__span--pad'), first, firstKey - 1);
    this.place(child(area, 'timeline__span'), firstKey, lastKey);
    if (last > lastKey) this.place(child(area, 'timeline__span timeline__span--pad'), lastKey + 1, last);
    for (const stretch of stretches) {
      const mark = child(area, 'timeline__uncertain');
      mark.dataset.reason = stretch.reason;
      mark.title = `${stretch.reason}: frames ${stretch.from}–${stretch.to}`;
      this.place(mark, stretch.from, stretch.to);
    }
    const keys = document.createElement('canvas');
    keys.className = 'timeline__keys';
    keys.setAttribute('aria-hidden', 'true');
    area.append(keys);
    const uncertain = stretches.length > 0 ? `, ${stretches.length} uncertain stretch${stretches.length === 1 ? '' : 'es'}` : '';
    element.setAttribute('aria-label', `${describeTrack(track, index, count, this.frames)}, ${track.keyframes.length} keyframes${uncertain}`);
    return { element, keys, track };
  }

  /** Frames `from`..`to` (inclusive) of the video, as a share of the lane's width. */
  private place(element: HTMLElement, from: number, to: number): void {
    element.style.left = `${(from / this.frames) * 100}%`;
    element.style.width = `${(Math.max(1, to - from + 1) / this.frames) * 100}%`;
  }

  private showSelection(): void {
    const selected = this.store.ui.selectedId;
    for (const lane of this.lanes) {
      const isSelected = lane.track.id === selected;
      if (lane.element.classList.contains('is-selected') === isSelected) continue;
      lane.element.classList.toggle('is-selected', isSelected);
      lane.element.setAttribute('aria-selected', String(isSelected));
      if (isSelected) lane.element.scrollIntoView({ block: 'nearest' });
    }
  }

  private redrawCanvases(): void {
    if (this.elements.root.hidden) return;
    const lanes = this.elements.lanes;
    this.elements.root.style.setProperty('--timeline-gutter', `${lanes.offsetWidth - lanes.clientWidth}px`);
    this.drawRuler();
    for (const lane of this.lanes) drawKeyframes(lane.keys, lane.track, this.frames);
  }

  private drawRuler(): void {
    const canvas = this.elements.ruler;
    const context = sizeCanvas(canvas);
    if (!context) return;
    const { width, height } = canvas.getBoundingClientRect();
    const style = getComputedStyle(canvas);
    context.strokeStyle = context.fillStyle = style.color;
    context.font = `10px ${style.fontFamily}`;
    context.textBaseline = 'top';
    const seconds = this.frames / this.fps;
    const step = MARK_STEPS.find((candidate) => (candidate / seconds) * width >= MIN_MARK_GAP) ?? MARK_STEPS[MARK_STEPS.length - 1]!;
    context.beginPath();
    for (let mark = 0; mark <= seconds; mark += step) {
      const x = Math.round((mark / seconds) * width) + 0.5;
      context.moveTo(x, height - 6);
      context.lineTo(x, height);
      context.fillText(clockText(mark), x + 3, 1);
    }
    context.stroke();
  }

  /** Pointer on the ruler or a lane's area: the playhead follows (and a lane's track is selected); on a name: select. */
  private installScrubbing(): void {
    const body = this.elements.body;
    let scrubbing = false;
    const frameAt = (event: PointerEvent) => {
      const area = this.elements.ruler.getBoundingClientRect();
      const share = (event.clientX - area.left) / Math.max(1, area.width);
      return Math.min(this.frames - 1, Math.max(0, Math.floor(share * this.frames)));
    };
    body.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      const target = event.target instanceof Element ? event.target : null;
      const lane = target?.closest<HTMLElement>('.timeline__lane');
      if (lane) this.actions.select(lane.dataset.trackId!);
      if (target?.closest('.timeline__label')) return;
      event.preventDefault();
      scrubbing = true;
      body.setPointerCapture(event.pointerId);
      this.actions.seek(frameAt(event));
    });
    body.addEventListener('pointermove', (event) => {
      if (scrubbing) this.actions.seek(frameAt(event));
    });
    const stop = () => (scrubbing = false);
    body.addEventListener('pointerup', stop);
    body.addEventListener('pointercancel', stop);
    body.addEventListener('lostpointercapture', stop);
  }
}

/** A canvas sized to its box at the screen's pixel ratio, cleared, drawing in CSS pixels; null while it has no size. */
function sizeCanvas(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const { width, height } = canvas.getBoundingClientRect();
  if (width === 0 || height === 0) return null;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d')!;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return context;
}

/** A tick per keyframe (one per pixel column at most: a track with a keyframe every frame is a dense bar). */
function drawKeyframes(canvas: HTMLCanvasElement, track: Track, frames: number): void {
  const context = sizeCanvas(canvas);
  if (!context) return;
  const { width, height } = canvas.getBoundingClientRect();
  context.fillStyle = getComputedStyle(canvas).color;
  let lastColumn = -1;
  for (const key of track.keyframes) {
    const column = Math.floor(((key.frame + 0.5) / frames) * width);
    if (column === lastColumn) continue;
    lastColumn = column;
    context.fillRect(column - 1, 0, 2, height);
  }
}

function child(parent: HTMLElement, className: string): HTMLElement {
  const element = document.createElement('div');
  element.className = className;
  parent.append(element);
  return element;
}
