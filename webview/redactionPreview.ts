/**
 * Draws how the committed image will look: each box not rejected, grown by its margin (marginFor), filled, pixelated
 * or blurred in the chosen shape, with the strengths the daemon's redaction uses (pixelateCell and blurSigma
 * of the contract: they follow the face box, not the margin). Drawn in screen space over the image, on a canvas
 * the size of the stage.
 */
import { blurSigma, marginFor, pixelateCell, type Box, type MaskShape, type Rect } from '../daemon/protocol';
import { boxesToRedact } from './boxEdits';
import { expandByMargin, toScreenRect, type Size, type Viewport } from './geometry';
import { assertNever } from './imageList';
import type { RedactionSettings } from './protocol';

export interface PreviewScene {
  /** The pixels: an image, or a video at its frame on screen (redrawn at every frame while it plays). */
  image: HTMLImageElement | HTMLVideoElement;
  /** The image's displayed size (the space of the boxes). */
  imageSize: Size;
  boxes: readonly Box[];
  viewport: Viewport;
  settings: RedactionSettings;
}

export class RedactionPreview {
  private readonly context: CanvasRenderingContext2D;
  private readonly cells = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.context = canvas.getContext('2d')!;
  }

  hide(): void {
    this.canvas.hidden = true;
  }

  draw(scene: PreviewScene, stage: Size): void {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.hidden = false;
    // Resized only when the stage is (a new backing store per frame would cost a video's every frame).
    const width = Math.round(stage.width * ratio);
    const height = Math.round(stage.height * ratio);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.canvas.style.width = `${stage.width}px`;
      this.canvas.style.height = `${stage.height}px`;
    }
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.context.clearRect(0, 0, stage.width, stage.height);
    for (const box of boxesToRedact(scene.boxes)) {
      const mask = expandByMargin(box, marginFor(box, scene.settings), scene.imageSize);
      if (mask.w <= 0 || mask.h <= 0) continue;
      const screen = toScreenRect(scene.viewport, mask);
      const faceSize = Math.max(box.w, box.h);
      this.context.save();
      clipToShape(this.context, screen, scene.settings.shape);
      switch (scene.settings.mode) {
        case 'fill':
          this.context.fillStyle = '#000';
          this.context.fillRect(screen.x, screen.y, screen.w, screen.h);
          break;
        case 'pixelate':
          this.drawPixelated(scene, mask, screen, pixelateCell(faceSize));
          break;
        case 'blur':
          this.drawBlurred(scene, mask, blurSigma(faceSize));
          break;
        default:
          assertNever(scene.settings.mode);
      }
      this.context.restore();
    }
  }

  private drawPixelated(scene: PreviewScene, mask: Rect, screen: Rect, cell: number): void {
    this.cells.width = Math.max(1, Math.ceil(mask.w / cell));
    this.cells.height = Math.max(1, Math.ceil(mask.h / cell));
    const source = sourceRect(scene, mask);
    this.cells.getContext('2d')!.drawImage(scene.image, source.x, source.y, source.w, source.h, 0, 0, this.cells.width, this.cells.height);
    this.context.imageSmoothingEnabled = false;
    this.context.drawImage(this.cells, screen.x, screen.y, screen.w, screen.h);
  }

  /** Blurs a region larger than the mask, so the mask's edges are blurred image too, not transparency. */
  private drawBlurred(scene: PreviewScene, mask: Rect, sigma: number): void {
    const region = { x: mask.x - 2 * sigma, y: mask.y - 2 * sigma, w: mask.w + 4 * sigma, h: mask.h + 4 * sigma };
    const source = sourceRect(scene, region);
    const target = toScreenRect(scene.viewport, region);
    this.context.filter = `blur(${sigma * scene.viewport.scale}px)`;
    this.context.drawImage(scene.image, source.x, source.y, source.w, source.h, target.x, target.y, target.w, target.h);
  }
}

/** A rectangle in displayed pixels, in the pixels of the loaded image (the same unless it is scaled). */
function sourceRect(scene: PreviewScene, rect: Rect): Rect {
  const media = scene.image;
  const [naturalWidth, naturalHeight] = media instanceof HTMLVideoElement ? [media.videoWidth, media.videoHeight] : [media.naturalWidth, media.naturalHeight];
  const sx = naturalWidth / scene.imageSize.width;
  const sy = naturalHeight / scene.imageSize.height;
  return { x: rect.x * sx, y: rect.y * sy, w: rect.w * sx, h: rect.h * sy };
}

function clipToShape(context: CanvasRenderingContext2D, rect: Rect, shape: MaskShape): void {
  context.beginPath();
  if (shape === 'ellipse') context.ellipse(rect.x + rect.w / 2, rect.y + rect.h / 2, rect.w / 2, rect.h / 2, 0, 0, Math.PI * 2);
  else context.rect(rect.x, rect.y, rect.w, rect.h);
  context.clip();
}
