/**
 * The stage: the current image at full quality (a video: its playable copy at the playhead, drawn at the video's
 * displayed size, the space of its track boxes), transformed by the viewport, with its boxes drawn over it in screen
 * space (so outlines and handles keep their size at any zoom), the box being drawn, and the redaction preview.
 *
 * For tests and the benchmark, the stage carries `data-file` (image shown) and `data-ready="true"` once
 * that image is decoded and its boxes are drawn, and `data-record="true"` once the panel holds its record (boxes).
 */
import type { Box, Rect } from '../daemon/protocol';
import { boxKind, describeBox } from './boxEdits';
import { fitViewport, HANDLES, PIXELATED_ABOVE, toScreenRect, type Size, type Viewport } from './geometry';
import type { DisplayCopies } from './displayCopies';
import { ImageCache } from './imageCache';
import { RedactionPreview } from './redactionPreview';
import type { ReviewStore } from './store';
import type { WebviewEntry } from './protocol';
import type { VideoPlayer } from './video/videoPlayer';
import type { VideoProxies } from './video/videoProxies';

/**
 * A box smaller than this on screen (px) has its handles outside it: handles on its edges would cover the face a
 * reviewer is judging.
 */
const SMALL_BOX = 40;
/** How long refused boxes (a video's lanes) flash: the `veil-flash` and `veil-flash-lane` animations in styles.css. */
export const FLASH_MS = 1200;

export class ImageView {
  private readonly cache = new ImageCache();
  private readonly preview: RedactionPreview;
  private readonly boxElements = new Map<string, HTMLElement>();
  private image: HTMLImageElement;
  private shownFile: string | null = null;
  private loading = 0;
  /** Boxes flashing to draw the eye (proposals still undecided when marking reviewed was refused). */
  private flashing = new Set<string>();
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: ReviewStore,
    private readonly stage: HTMLElement,
    private readonly overlay: HTMLElement,
    private readonly draft: HTMLElement,
    private readonly message: HTMLElement,
    previewCanvas: HTMLCanvasElement,
    private readonly sources: DisplayCopies,
    private readonly video: { player: VideoPlayer; proxies: VideoProxies },
  ) {
    this.image = stage.querySelector('img')!;
    this.preview = new RedactionPreview(previewCanvas);
    new ResizeObserver(() => this.render()).observe(stage);
  }

  stageSize(): Size {
    return { width: this.stage.clientWidth, height: this.stage.clientHeight };
  }

  /** The viewport in use: the saved one, or the image fitted to the stage. */
  viewport(): Viewport {
    const entry = this.store.currentEntry();
    if (this.store.ui.viewport) return this.store.ui.viewport;
    return entry ? fitViewport(entry, this.stageSize()) : { scale: 1, x: 0, y: 0 };
  }

  /** Shows the current image (from the cache when it is there) and preloads its neighbours in the list. */
  async showCurrent(): Promise<void> {
    const entry = this.store.currentEntry();
    const token = ++this.loading;
    this.stage.dataset.ready = 'false';
    this.stage.dataset.file = entry?.file ?? '';
    const isVideo = this.store.currentVideo() !== undefined;
    if (entry?.file !== this.shownFile) {
      // Until the new image is decoded, show neither the old image nor any boxes (a cached image is
      // decoded already: it replaces the old one before the next paint).
      this.image.hidden = true;
      this.video.player.element.hidden = true;
      this.video.player.close();
      this.shownFile = null;
      this.showMessage(entry ? (isVideo ? 'Preparing the video for playback…' : 'Loading…') : 'No images in this dataset.');
      this.render();
    }
    if (!entry) return;
    try {
      if (isVideo) await this.showVideo(entry, token);
      else {
        const image = await this.cache.load(await this.sources.uriOf(entry));
        if (token !== this.loading) return;
        this.swapImage(image, entry);
      }
      if (token !== this.loading) return;
      this.showMessage(null);
    } catch (error) {
      if (token !== this.loading) return;
      this.image.hidden = true;
      this.video.player.element.hidden = true;
      const cause = error instanceof Error && error.message ? `: ${error.message}` : '.';
      this.showMessage(`Could not load ${entry.file}${cause}`);
    }
    this.render();
    this.stage.dataset.ready = 'true';
    this.preloadNeighbours(entry.file);
  }

  private swapImage(image: HTMLImageElement, entry: WebviewEntry): void {
    if (image !== this.image) {
      image.className = this.image.className;
      image.id = this.image.id;
      image.alt = '';
      image.draggable = false;
      this.image.replaceWith(image);
      this.image = image;
    }
    this.image.hidden = false;
    this.image.style.width = `${entry.width}px`;
    this.image.style.height = `${entry.height}px`;
    this.shownFile = entry.file;
  }

  /**
   * Loads the video's playable copy at the store's frame: its first, or the one it was on when the panel was hidden
   * (unless another image was asked for meanwhile).
   */
  private async showVideo(entry: WebviewEntry, token: number): Promise<void> {
    const proxy = await this.video.proxies.proxyOf(entry.file);
    if (token !== this.loading) return;
    const { player } = this.video;
    await player.open(proxy.uri, proxy, this.store.frame);
    if (token !== this.loading) return;
    player.element.style.width = `${entry.width}px`;
    player.element.style.height = `${entry.height}px`;
    player.element.hidden = false;
    this.shownFile = entry.file;
  }

  /** How far the playable copy of the video being opened is made (a share of its frames). */
  showPreparing(file: string, share: number): void {
    if (file !== this.store.ui.file || this.shownFile === file) return;
    this.showMessage(`Preparing the video for playback… ${Math.floor(share * 100)} %`);
  }

  /** The element showing the current image's pixels: the <img>, or a video's <video>. */
  private media(): HTMLImageElement | HTMLVideoElement {
    return this.video.player.element.hidden ? this.image : this.video.player.element;
  }

  private preloadNeighbours(file: string): void {
    const list = this.store.list;
    const index = list.indexOf(file);
    for (const neighbour of [list[index + 1], list[index - 1]]) {
      const entry = neighbour === undefined ? undefined : this.store.entry(neighbour);
      // Display copies are made on demand only, not ahead.
      if (entry?.imageUri) this.cache.load(entry.imageUri).catch(() => undefined);
    }
  }

  private showMessage(text: string | null): void {
    this.message.hidden = text === null;
    this.message.textContent = text ?? '';
  }

  /** Redraws the image transform, the boxes and the preview for the current state. */
  render(): void {
    const entry = this.store.currentEntry();
    const shown = entry && this.shownFile === entry.file ? entry : undefined;
    const viewport = this.viewport();
    const media = this.media();
    if (shown) media.style.transform = `translate(${viewport.x}px, ${viewport.y}px) scale(${viewport.scale})`;
    media.classList.toggle('is-pixelated', viewport.scale > PIXELATED_ABOVE);
    // Until its record comes (`record/request`), an image shows no boxes and takes no edit; tests wait for both.
    this.stage.dataset.record = String(entry !== undefined && this.store.hasRecord(entry.file));
    this.renderBoxes(shown ? this.store.shownBoxes() : [], viewport);
    this.renderPreview(shown, viewport);
  }

  private renderBoxes(boxes: readonly Box[], viewport: Viewport): void {
    this.overlay.classList.toggle('is-previewing', this.store.ui.preview);
    this.overlay.classList.toggle('is-hidden', this.store.ui.boxesHidden);
    const seen = new Set<string>();
    boxes.forEach((box, index) => {
      seen.add(box.id);
      const element = this.boxElements.get(box.id) ?? this.createBoxElement(box.id);
      const selected = box.id === this.store.ui.selectedId;
      const screen = toScreenRect(viewport, box);
      const small = Math.min(screen.w, screen.h) < SMALL_BOX;
      element.className = `box box--${boxKind(box)}${selected ? ' is-selected' : ''}${small ? ' is-small' : ''}${this.flashing.has(box.id) ? ' is-flashing' : ''}`;
      element.dataset.kind = boxKind(box);
      element.setAttribute('aria-label', describeBox(box, index, boxes.length));
      element.setAttribute('aria-pressed', String(selected));
      element.querySelector('.box__label')!.textContent = box.score === null ? 'manual' : box.score.toFixed(2);
      placeElement(element, screen);
    });
    for (const [id, element] of this.boxElements) {
      if (seen.has(id)) continue;
      element.remove();
      this.boxElements.delete(id);
    }
  }

  private createBoxElement(id: string): HTMLElement {
    const element = document.createElement('div');
    element.dataset.id = id;
    element.setAttribute('role', 'button');
    const label = document.createElement('span');
    label.className = 'box__label';
    label.setAttribute('aria-hidden', 'true');
    element.append(label);
    for (const handle of HANDLES) {
      const grip = document.createElement('span');
      grip.className = `box__handle box__handle--${handle}`;
      grip.dataset.handle = handle;
      grip.setAttribute('aria-hidden', 'true');
      element.append(grip);
    }
    this.overlay.append(element);
    this.boxElements.set(id, element);
    return element;
  }

  private renderPreview(entry: WebviewEntry | undefined, viewport: Viewport): void {
    if (!entry || !this.store.ui.preview) {
      this.preview.hide();
      return;
    }
    const settings = { ...this.store.settings, mode: this.store.previewedMode };
    this.preview.draw({ image: this.media(), imageSize: entry, boxes: this.store.currentBoxes(), viewport, settings }, this.stageSize());
  }

  /** Flashes these boxes for a moment (again from the start when they are flashing already). */
  flash(ids: readonly string[]): void {
    clearTimeout(this.flashTimer);
    this.flashing = new Set();
    this.render();
    // A style read between removing and adding the class restarts the animation.
    void this.overlay.offsetWidth;
    this.flashing = new Set(ids);
    this.render();
    this.flashTimer = setTimeout(() => {
      this.flashing = new Set();
      this.render();
    }, FLASH_MS);
  }

  /** Shows (or hides, with null) the outline of a box being drawn or moved, in image pixels. */
  showDraft(rect: Rect | null): void {
    this.draft.hidden = rect === null;
    if (rect) placeElement(this.draft, toScreenRect(this.viewport(), rect));
  }

  /** The box element under a pointer event's target, with the handle grabbed if any. */
  static hitTarget(target: EventTarget | null): { boxId: string; handle: string | null } | null {
    if (!(target instanceof Element)) return null;
    const boxElement = target.closest<HTMLElement>('.box[data-id]');
    if (!boxElement) return null;
    const handle = target instanceof HTMLElement && target.dataset.handle ? target.dataset.handle : null;
    return { boxId: boxElement.dataset.id!, handle };
  }
}

function placeElement(element: HTMLElement, rect: Rect): void {
  element.style.left = `${rect.x}px`;
  element.style.top = `${rect.y}px`;
  element.style.width = `${rect.w}px`;
  element.style.height = `${rect.h}px`;
}
