/**
 * BlazeFace over a scale pyramid of 256 tiles (small faces), every tile also shown mirrored (test-time flip, see
 * fusion.ts), levels merged by weighted NMS, boxes corrected to WIDER style. The views are fused per level by how
 * much a level's scores can be trusted: the finest level (most tiles, most texture, up-scaled up to 2x) averages
 * them, so a texture one view takes for a face is halved; a coarser level keeps a face either view sees. Measured
 * over the three shared sets, single-view candidates scoring 0.45-0.55 are faces 45-65 % of the time at the finest
 * level and about 90 % at coarser ones (wider-dev and widerfull alike); averaging every level lost a 99 px frontal
 * face of widerfull (0.52 and 0.39) and 10 points of its coverage of faces >= 32 px.
 * Thorough adds a second pyramid half an octave above the first (faces between two levels' sweet spots).
 * A video frame (DetectRequest.video) is shown in one view, up to VIDEO_MAX_SCALE, and with the tracks' predicted
 * boxes only the tiles around them at the tile levels (README "Video pipeline": the numbers of each lever).
 */
import type { InferenceSession } from 'onnxruntime-node';
import { ErrorCode, type Face, type ModelInfo } from '../protocol';
import { VeilError } from '../errors';
import { operatingThreshold, type DetectRequest, type Detector } from './detector';
import { BLAZEFACE_ANCHOR_LAYERS, BLAZEFACE_INPUT_SIZE, correctBlazeFaceBox, decodeBlazeFace, type BlazeFaceLayerOutput } from './blazeface';
import { averageViews, unmirror } from './fusion';
import { clipAllToImage, unscale } from './geometry';
import { weightedNms } from './nms';
import { fillNhwcSignedTile, resizeRgb, type RgbImage } from './pixels';
import { HALF_OCTAVE, MIN_FACE_BELOW_FINEST, pyramidLevels, levelAround, levelKeeps, type PyramidLevel, type Tile } from './pyramid';
import { ScratchBuffers } from './scratch';
import { runFloat } from './session';

/** How far up the pyramid goes, in level pixels per image pixel: up to native resolution by default. */
export const NATIVE_RESOLUTION = 1;
/** Only the whole image letterboxed into one tile (the model as MediaPipe runs it; for comparison). */
export const WHOLE_IMAGE_ONLY = 0;

const MERGE_IOU = 0.3;
/**
 * Each view keeps candidates from this score (or the threshold, when lower): a face one view scores 0.8 and the
 * other 0.25 averages above 0.5, so the second view's weak vote must not be dropped before averaging.
 */
export const BLAZEFACE_VIEW_FLOOR = 0.2;

/** Faces of a video frame smaller than this (px, longer side) are not looked for: too small to be reviewed or recognised. */
export const VIDEO_MIN_FACE = 24;
/**
 * A video frame's pyramid stops at the first level where a VIDEO_MIN_FACE face reaches the MIN_FACE_BELOW_FINEST
 * model pixels BlazeFace localises (0.8 at 720p: 22 tiles instead of 88).
 */
export const VIDEO_MAX_SCALE = MIN_FACE_BELOW_FINEST / VIDEO_MIN_FACE;

export interface BlazeFaceOptions {
  /** Top of the pyramid in level pixels per image pixel (NATIVE_RESOLUTION, or WHOLE_IMAGE_ONLY). */
  maxScale?: number;
  /** Show every tile mirrored too, fused per level as above (default true; false only to measure the lever). */
  mirroredView?: boolean;
  /** The same two for a video frame (defaults VIDEO_MAX_SCALE and false; set only to measure the levers). */
  videoMaxScale?: number;
  videoMirroredView?: boolean;
}

export class BlazeFaceDetector implements Detector {
  readonly defaultThreshold = 0.5;
  readonly thoroughThreshold = 0.5;
  /** No lower bar for large faces: from 0.4 its precision fell to 0.77 on wider-dev and 0.55 on selfpics (README "Coverage"). */
  readonly thoroughLargeFaceThreshold = 0.5;
  private readonly scratch = new ScratchBuffers();
  private readonly maxScale: number;
  private readonly views: readonly boolean[];
  private readonly videoMaxScale: number;
  private readonly videoViews: readonly boolean[];

  constructor(
    readonly model: ModelInfo,
    private readonly session: InferenceSession,
    options: BlazeFaceOptions = {},
  ) {
    this.maxScale = options.maxScale ?? NATIVE_RESOLUTION;
    this.views = options.mirroredView === false ? [false] : [false, true];
    this.videoMaxScale = options.videoMaxScale ?? VIDEO_MAX_SCALE;
    this.videoViews = options.videoMirroredView === true ? [false, true] : [false];
  }

  async detect(image: RgbImage, options: DetectRequest): Promise<Face[]> {
    const threshold = operatingThreshold(this, options);
    const video = options.video !== undefined;
    const shown = video ? this.videoViews : this.views;
    const floor = shown.length > 1 ? Math.min(threshold, BLAZEFACE_VIEW_FLOOR) : threshold;
    const starts = options.thorough ? [1, HALF_OCTAVE] : [1];
    const pyramid = starts.flatMap((start) => pyramidLevels(image.width, image.height, video ? this.videoMaxScale : this.maxScale, start));
    const around = options.video?.around;
    const levels = around ? pyramid.map((level) => levelAround(level, around)).filter((level) => level.tiles.length > 0) : pyramid;
    const candidates: Face[] = [];
    for (const level of levels) {
      const views = await this.detectLevel(image, level, shown, level.isFinest ? floor : threshold);
      const fused = level.isFinest ? averageViews(views, MERGE_IOU) : weightedNms(views.flat(), MERGE_IOU);
      candidates.push(...fused.filter((face) => face.score >= threshold));
    }
    const faces = weightedNms(candidates, MERGE_IOU).map(correctBlazeFaceBox);
    return clipAllToImage(faces, image.width, image.height);
  }

  /**
   * One level's faces per view (merged within the view), in image pixels. Tiles run one after another: ONNX Runtime
   * for Node runs an inference on the calling thread, so concurrent runs do not overlap (measured: two in flight took
   * as long as one after the other); the intra-op threads are what spreads one inference over the cores.
   */
  private async detectLevel(image: RgbImage, level: PyramidLevel, shown: readonly boolean[], floor: number): Promise<Face[][]> {
    const pixels = await resizeRgb(image, level.width, level.height);
    const views: Face[][] = [];
    for (const mirrored of shown) {
      const faces: Face[] = [];
      for (const tile of level.tiles) {
        const found = await this.detectInTile(pixels, tile, mirrored, floor);
        faces.push(...found.filter((face) => levelKeeps(face, tile, level)).map((face) => unscale(face, level.scaleX, level.scaleY, tile.left, tile.top)));
      }
      views.push(weightedNms(faces, MERGE_IOU));
    }
    return views;
  }

  /** Raw faces in tile pixels (a mirrored view's boxes are mirrored back). */
  private async detectInTile(pixels: RgbImage, tile: Tile, mirrored: boolean, floor: number): Promise<Face[]> {
    const size = BLAZEFACE_INPUT_SIZE;
    const input = fillNhwcSignedTile(this.scratch.borrow(size * size * 3), pixels, tile.left, tile.top, size, mirrored);
    const layers = await this.infer(input).finally(() => this.scratch.giveBack(input));
    const faces = decodeBlazeFace(layers, floor);
    const columns = Math.min(size, pixels.width - tile.left);
    return mirrored ? faces.map((face) => unmirror(face, columns)) : faces;
  }

  /** One inference; output layers recognised by their anchor count, not by the exporter's names. */
  private async infer(input: Float32Array): Promise<BlazeFaceLayerOutput[]> {
    const size = BLAZEFACE_INPUT_SIZE;
    const outputs = Object.values(await runFloat(this.session, input, [1, size, size, 3]));
    return BLAZEFACE_ANCHOR_LAYERS.map(({ grid, perCell }) => {
      const anchors = grid * grid * perCell;
      const scores = outputs.find((o) => o.length === anchors);
      const regressors = outputs.find((o) => o.length === anchors * 16);
      if (!scores || !regressors) throw new VeilError(ErrorCode.ModelShape, `BlazeFace model has no output layer with ${anchors} anchors`);
      return { scores, regressors };
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
