/**
 * YuNet at native resolution. Thorough shows the native pass mirrored too and averages the two views (test-time
 * flip, fusion.ts), and adds a x2 up-scaled pass for faces under 32 px. Two guards for large photos: one pass never
 * exceeds MAX_PASS_PIXELS (memory), and images wider than OVERVIEW_ABOVE_SIDE get an overview pass at 640 px for
 * faces too big for YuNet's receptive field at full resolution.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { ErrorCode, type Face, type ModelInfo } from '../protocol';
import { VeilError } from '../errors';
import { lowestThreshold, operatingPoint, reachesOperatingPoint, type DetectRequest, type Detector } from './detector';
import { averageViews, unmirror } from './fusion';
import { clipAllToImage, unscale } from './geometry';
import { hardNms } from './nms';
import { fillNchwBgrPadded, resizeRgb, type ResizeKernel, type RgbImage } from './pixels';
import { ScratchBuffers } from './scratch';
import { runFloat } from './session';
import { decodeYuNet, paddedToAlignment, YUNET_STRIDES } from './yunet';

const PASS_NMS_IOU = 0.3;
const MERGE_NMS_IOU = 0.4;
/** Measured ~45 MiB of peak memory per megapixel of input (917 MiB at 16.7 MP): larger images are scaled down. */
const MAX_PASS_PIXELS = 16e6;
const UPSCALE = 2;
/**
 * The x2 copy is interpolated bilinearly: lanczos3 took 85-95 ms of CPU to double a 0.7 MP image against 44-48 ms
 * (libvips, 2 cores), which pays for thorough's mirrored native pass; it cost 0.7 AP on wider-dev (84.7 → 84.0).
 */
const UPSCALE_KERNEL: ResizeKernel = 'linear';
/** The up-scaled pass only contributes faces smaller than this (image px); the native pass sees bigger ones well. */
const UPSCALED_MAX_FACE = 32;
/**
 * Faces beyond ~320 px outgrow YuNet's receptive field (a 960 px face came out as a 550 x 600 box on its lower half),
 * so images with a long side above 1280 px also run at 640 px, which contributes the faces of 320 px and more.
 */
const OVERVIEW_ABOVE_SIDE = 1280;
const OVERVIEW_SIDE = 640;
const LARGE_FACE = 320;
/** The mirrored view's weak vote still counts in the average (a face at 0.8 and 0.15 averages 0.475). */
export const YUNET_VIEW_FLOOR = 0.1;

export interface YuNetOptions {
  /** Thorough also runs the native pass mirrored and averages the views (default true; false only to measure the lever). */
  mirroredView?: boolean;
  /** How thorough's x2 copy is interpolated (default UPSCALE_KERNEL; another only to measure the lever). */
  upscaleKernel?: ResizeKernel;
}

export class YuNetDetector implements Detector {
  readonly defaultThreshold = 0.5;
  /**
   * Thorough's native faces are two views averaged: at 0.5 its precision on wider-dev rose from 0.81 to 0.82 and
   * coverage stayed put, so the mode spends that as recall at 0.45 (precision 0.79 on wider-dev and widerfull, 0.89
   * on selfpics; faces >= 32 px covered 93.8 % on wider-dev, 92.0 before). Chosen on wider-dev, checked on the others.
   */
  readonly thoroughThreshold = 0.45;
  /**
   * Thorough proposes faces of 32 px and more from 0.25 (OperatingPoint in detector.ts): of 0.35, 0.25 and 0.15, the
   * lowest that keeps precision at or above 0.75 on all three shared sets (0.15: widerfull 0.746, selfpics 0.64).
   */
  readonly thoroughLargeFaceThreshold = 0.25;
  private readonly scratch = new ScratchBuffers();
  private readonly mirroredView: boolean;
  private readonly upscaleKernel: ResizeKernel;

  constructor(
    readonly model: ModelInfo,
    private readonly session: InferenceSession,
    options: YuNetOptions = {},
  ) {
    this.mirroredView = options.mirroredView ?? true;
    this.upscaleKernel = options.upscaleKernel ?? UPSCALE_KERNEL;
  }

  async detect(image: RgbImage, options: DetectRequest): Promise<Face[]> {
    const point = operatingPoint(this, options);
    const threshold = lowestThreshold(point);
    const pixels = image.width * image.height;
    const mainScale = Math.min(1, Math.sqrt(MAX_PASS_PIXELS / pixels));
    const main = options.thorough && this.mirroredView ? await this.averagedPass(image, mainScale, threshold) : await this.pass(image, mainScale, threshold);
    const longSide = Math.max(image.width, image.height);
    const extra: Face[] = [];
    if (longSide > OVERVIEW_ABOVE_SIDE) {
      const large = LARGE_FACE / mainScale;
      const overview = await this.pass(image, OVERVIEW_SIDE / longSide, threshold);
      extra.push(...overview.filter((face) => face.h >= large));
      main.splice(0, main.length, ...main.filter((face) => face.h < large));
    }
    const upscale = Math.min(UPSCALE, Math.sqrt(MAX_PASS_PIXELS / pixels));
    if (options.thorough && upscale > 1) {
      extra.push(...(await this.pass(image, upscale, threshold, false, this.upscaleKernel)).filter((face) => face.h < UPSCALED_MAX_FACE));
    }
    const faces = extra.length > 0 ? hardNms([...main, ...extra], MERGE_NMS_IOU) : main;
    return clipAllToImage(faces, image.width, image.height).filter((face) => reachesOperatingPoint(face, point));
  }

  /** The plain and the mirrored view of one pass, averaged (fusion.ts), faces scoring at least `threshold`. */
  private async averagedPass(image: RgbImage, scale: number, threshold: number): Promise<Face[]> {
    const floor = Math.min(threshold, YUNET_VIEW_FLOOR);
    const views = [await this.pass(image, scale, floor), await this.pass(image, scale, floor, true)];
    return averageViews(views, MERGE_NMS_IOU).filter((face) => face.score >= threshold);
  }

  /** Faces from one inference on the image scaled by `scale` (mirrored: shown reversed left to right), in image pixels. */
  private async pass(image: RgbImage, scale: number, threshold: number, mirrored = false, kernel: ResizeKernel = 'lanczos3'): Promise<Face[]> {
    const pixels = await resizeRgb(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), kernel);
    const width = paddedToAlignment(pixels.width);
    const height = paddedToAlignment(pixels.height);
    const input = fillNchwBgrPadded(this.scratch.borrow(3 * width * height), pixels, width, height, mirrored);
    const outputs = await runFloat(this.session, input, [1, 3, height, width]).finally(() => this.scratch.giveBack(input));
    const strides = YUNET_STRIDES.map((stride) => {
      const [cls, obj, bbox] = [outputs[`cls_${stride}`], outputs[`obj_${stride}`], outputs[`bbox_${stride}`]];
      if (!cls || !obj || !bbox) throw new VeilError(ErrorCode.ModelShape, `YuNet model has no cls_${stride}, obj_${stride} and bbox_${stride} outputs`);
      return { stride, cls, obj, bbox };
    });
    const faces = hardNms(decodeYuNet(strides, width, height, threshold), PASS_NMS_IOU);
    return faces.map((face) => unscale(mirrored ? unmirror(face, pixels.width) : face, pixels.width / image.width, pixels.height / image.height));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
