/** YuNet at native resolution; thorough adds a x2 up-scaled pass for faces under 32 px. */
import type { InferenceSession } from 'onnxruntime-node';
import type { Face, ModelInfo } from '../protocol';
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
const UPSCALE = 2;
/** The up-scaled pass only contributes faces smaller than this (image px); the native pass sees bigger ones well. */
const UPSCALED_MAX_FACE = 32;

export class YuNetDetector implements Detector {
  readonly defaultThreshold = 0.5;
  private readonly scratch = new ScratchBuffers();

  constructor(
    readonly model: ModelInfo,
    private readonly session: InferenceSession,
  ) {}

  async detect(image: DisplayedImage, options: DetectRequest): Promise<Face[]> {
    const threshold = options.threshold ?? this.defaultThreshold;
    const native = await this.pass(image, 1, threshold);
    if (!options.thorough) return clipAllToImage(native, image.width, image.height);
    const small = (await this.pass(image, UPSCALE, threshold)).filter((face) => face.h < UPSCALED_MAX_FACE);
    return clipAllToImage(hardNms([...native, ...small], MERGE_NMS_IOU), image.width, image.height);
  }

  /** Faces from one inference on the image scaled by `scale`, in image pixels. */
  private async pass(image: DisplayedImage, scale: number, threshold: number): Promise<Face[]> {
    const pixels = await resizeRgb(image, Math.round(image.width * scale), Math.round(image.height * scale));
    const width = paddedToAlignment(pixels.width);
    const height = paddedToAlignment(pixels.height);
    const input = fillNchwBgrPadded(this.scratch.borrow(3 * width * height), pixels, width, height);
    const outputs = await runFloat(this.session, input, [1, 3, height, width]).finally(() => this.scratch.giveBack(input));
    const strides = YUNET_STRIDES.map((stride) => ({ stride, cls: outputs[`cls_${stride}`], obj: outputs[`obj_${stride}`], bbox: outputs[`bbox_${stride}`] }));
    const faces = hardNms(decodeYuNet(strides, width, height, threshold), PASS_NMS_IOU);
    return faces.map((face) => unscale(face, pixels.width / image.width, pixels.height / image.height));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
