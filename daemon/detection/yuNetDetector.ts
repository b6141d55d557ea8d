/**
 * YuNet at native resolution. Thorough adds a x2 up-scaled pass for faces under 32 px. Two guards for large
 * photos: one pass never exceeds MAX_PASS_PIXELS (memory), and images wider than OVERVIEW_ABOVE_SIDE get an
 * overview pass at 640 px for faces too big for YuNet's receptive field at full resolution.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { ErrorCode, type Face, type ModelInfo } from '../protocol';
import { VeilError } from '../errors';
import type { DisplayedImage } from '../image/decode';
import type { DetectRequest, Detector } from './detector';
import { clipAllToImage, unscale } from './geometry';
import { hardNms } from './nms';
import { fillNchwBgrPadded, resizeRgb } from './pixels';
import { ScratchBuffers } from './scratch';
import { runFloat } from './session';
import { decodeYuNet, paddedToAlignment, YUNET_STRIDES } from './yunet';

const PASS_NMS_IOU = 0.3;
const MERGE_NMS_IOU = 0.4;
/** Measured ~45 MiB of peak memory per megapixel of input (917 MiB at 16.7 MP): larger images are scaled down. */
const MAX_PASS_PIXELS = 16e6;
const UPSCALE = 2;
/** The up-scaled pass only contributes faces smaller than this (image px); the native pass sees bigger ones well. */
const UPSCALED_MAX_FACE = 32;
/**
 * Faces beyond ~320 px outgrow YuNet's receptive field (a 960 px face came out as a 550 x 600 box on its lower half),
 * so images with a long side above 1280 px also run at 640 px, which contributes the faces of 320 px and more.
 */
const OVERVIEW_ABOVE_SIDE = 1280;
const OVERVIEW_SIDE = 640;
const LARGE_FACE = 320;

export class YuNetDetector implements Detector {
  readonly defaultThreshold = 0.5;
  private readonly scratch = new ScratchBuffers();

  constructor(
    readonly model: ModelInfo,
    private readonly session: InferenceSession,
  ) {}

  async detect(image: DisplayedImage, options: DetectRequest): Promise<Face[]> {
    const threshold = options.threshold ?? this.defaultThreshold;
    const pixels = image.width * image.height;
    const mainScale = Math.min(1, Math.sqrt(MAX_PASS_PIXELS / pixels));
    const main = await this.pass(image, mainScale, threshold);
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
      extra.push(...(await this.pass(image, upscale, threshold)).filter((face) => face.h < UPSCALED_MAX_FACE));
    }
    const faces = extra.length > 0 ? hardNms([...main, ...extra], MERGE_NMS_IOU) : main;
    return clipAllToImage(faces, image.width, image.height);
  }

  /** Faces from one inference on the image scaled by `scale`, in image pixels. */
  private async pass(image: DisplayedImage, scale: number, threshold: number): Promise<Face[]> {
    const pixels = await resizeRgb(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
    const width = paddedToAlignment(pixels.width);
    const height = paddedToAlignment(pixels.height);
    const input = fillNchwBgrPadded(this.scratch.borrow(3 * width * height), pixels, width, height);
    const outputs = await runFloat(this.session, input, [1, 3, height, width]).finally(() => this.scratch.giveBack(input));
    const strides = YUNET_STRIDES.map((stride) => {
      const [cls, obj, bbox] = [outputs[`cls_${stride}`], outputs[`obj_${stride}`], outputs[`bbox_${stride}`]];
      if (!cls || !obj || !bbox) throw new VeilError(ErrorCode.ModelShape, `YuNet model has no cls_${stride}, obj_${stride} and bbox_${stride} outputs`);
      return { stride, cls, obj, bbox };
    });
    const faces = hardNms(decodeYuNet(strides, width, height, threshold), PASS_NMS_IOU);
    return faces.map((face) => unscale(face, pixels.width / image.width, pixels.height / image.height));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
