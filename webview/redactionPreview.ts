/**
 * Draws how the committed image will look: each box not rejected, grown by the margin, filled, pixelated
 * or blurred in the chosen shape. Pixelation and blur scale with the face, as the daemon's redaction does.
 * Drawn in screen space over the image, on a canvas the size of the stage.
 */
import type { Box, MaskShape, Rect } from '../daemon/protocol';
import { boxesToRedact } from './boxEdits';
import { expandByMargin, toScreenRect, type Size, type Viewport } from './geometry';
import { assertNever } from './imageList';
import type { RedactionSettings } from './protocol';

/** Blocks across the longer side of a pixelated face. */
const PIXELATE_BLOCKS = 8;
/** Blur radius as a fraction of the longer side of the face. */
const BLUR_FRACTION = 0.15;

export interface PreviewScene {
  image: HTMLImageElement;
  /** The image's displayed size (the space of the boxes). */
  imageSize: Size;
  boxes: readonly Box[];
  viewport: Viewport;
  settings: RedactionSettings;
}

export class RedactionPreview {
  private readonly context: CanvasRenderingContext2D;
  private readonly blocks = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.context = canvas.getContext('2d')!;
  }

  hide(): void {
    this.canvas.hidden = true;
  }

  draw(scene: PreviewScene, stage: Size): void {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.hidden = false;
    this.canvas.width = Math.round(stage.width * ratio);
    this.canvas.height = Math.round(stage.height * ratio);
    this.canvas.style.width = `${stage.width}px`;
    this.canvas.style.height = `${stage.height}px`;
    const context = this.context;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, stage.width, stage.height);
    const toSource = { x: scene.image.naturalWidth / scene.imageSize.width, y: scene.image.naturalHeight / scene.imageSize.height };
    for (const box of boxesToRedact(scene.boxes)) {
      const mask = expandByMargin(box, scene.settings.margin, scene.imageSize);
      if (mask.w <= 0 || mask.h <= 0) continue;
      const screen = toScreenRect(scene.viewport, mask);
      const source = { x: mask.x * toSource.x, y: mask.y * toSource.y, w: mask.w * toSource.x, h: mask.h * toSource.y };
      context.save();
      clipToShape(context, screen, scene.settings.shape);
      switch (scene.settings.mode) {
        case 'fill':
          context.fillStyle = '#000';
          context.fillRect(screen.x, screen.y, screen.w, screen.h);
          break;
        case 'pixelate':
          this.drawPixelated(scene.image, source, screen);
          break;
        case 'blur':
          this.drawBlurred(scene, mask, screen);
          break;
        default:
          assertNever(scene.settings.mode);
      }
      context.restore();
    }
  }

  /** Blurs a region larger than the mask, so the mask's edges are blurred image too, not transparency. */
  private drawBlurred(scene: PreviewScene, mask: Rect, screen: Rect): void {
    const radius = Math.max(screen.w, screen.h) * BLUR_FRACTION;
    const pad = (2 * radius) / scene.viewport.scale;
    const region = { x: mask.x - pad, y: mask.y - pad, w: mask.w + 2 * pad, h: mask.h + 2 * pad };
    const target = toScreenRect(scene.viewport, region);
    const toSource = { x: scene.image.naturalWidth / scene.imageSize.width, y: scene.image.naturalHeight / scene.imageSize.height };
    this.context.filter = `blur(${radius}px)`;
    this.context.drawImage(
      scene.image,
      region.x * toSource.x,
      region.y * toSource.y,
      region.w * toSource.x,
      region.h * toSource.y,
      target.x,
      target.y,
      target.w,
      target.h,
    );
  }

  private drawPixelated(image: HTMLImageElement, source: Rect, screen: Rect): void {
    const longer = Math.max(source.w, source.h);
    this.blocks.width = Math.max(1, Math.round((PIXELATE_BLOCKS * source.w) / longer));
    this.blocks.height = Math.max(1, Math.round((PIXELATE_BLOCKS * source.h) / longer));
    const blocks = this.blocks.getContext('2d')!;
    blocks.drawImage(image, source.x, source.y, source.w, source.h, 0, 0, this.blocks.width, this.blocks.height);
    this.context.imageSmoothingEnabled = false;
    this.context.drawImage(this.blocks, screen.x, screen.y, screen.w, screen.h);
  }
}

function clipToShape(context: CanvasRenderingContext2D, rect: Rect, shape: MaskShape): void {
  context.beginPath();
  if (shape === 'ellipse') context.ellipse(rect.x + rect.w / 2, rect.y + rect.h / 2, rect.w / 2, rect.h / 2, 0, 0, Math.PI * 2);
  else context.rect(rect.x, rect.y, rect.w, rect.h);
  context.clip();
}
