/**
 * One image, from original bytes to verified anonymized bytes: decode the displayed pixels, paint the
 * regions, encode in the same format without metadata, decode the result and refuse it (VerifyFailed)
 * unless every region visibly changed.
 */
import { ErrorCode, type MarginBasis, type MarginRule, type MaskShape, type Rect, type RedactionMode } from '../protocol';
import { VeilError } from '../errors';
import { decodeDisplayed, displayedPipeline, probeImage, type DecodeLimits, type ImageFormat } from '../image/decode';
import { PhaseTimes } from '../core/phaseTimes';
import { encodeAs } from './encode';
import { copyRegion, faceRegion } from './geometry';
import { renderRedacted } from './render';
import { unchangedRegions, verifyShrink, type Rendered } from './verifyRegions';

export interface Redaction extends MarginRule {
  mode: RedactionMode;
  shape: MaskShape;
}

export interface RedactedImage {
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  /** The original was damaged or truncated, anonymized from what could be decoded (see DisplayedImage). */
  damage?: string;
}

/** Decodes the output (at a reduced scale when that still shows every region well) and refuses it unless every region changed. */
async function verifyOutput(bytes: Buffer, file: string, image: Rendered, format: ImageFormat, mode: RedactionMode, limits: DecodeLimits): Promise<void> {
  const { width, height } = await probeImage(bytes, file, limits);
  if (width !== image.width || height !== image.height) {
    throw new VeilError(ErrorCode.VerifyFailed, `output is ${width}x${height}, expected ${image.width}x${image.height}; not published`, file);
  }
  const k = verifyShrink(format, mode, image.regions);
  const rgb =
    k === 1
      ? (await decodeDisplayed(bytes, file, limits)).rgb
      : await displayedPipeline(bytes, limits).resize(Math.ceil(width / k), Math.ceil(height / k), { fit: 'fill' }).raw().toBuffer();
  const unchanged = unchangedRegions(image, { rgb, width: Math.ceil(width / k), k });
  if (unchanged.length > 0) {
    const where = unchanged.map(({ region: r, change }) => `${r.w}x${r.h} at ${r.x},${r.y} (change ${change.toFixed(1)})`).join('; ');
    throw new VeilError(ErrorCode.VerifyFailed, `redaction did not change ${unchanged.length} region(s): ${where}; not published (try --mode fill)`, file);
  }
}

export async function redactImage(original: Buffer, file: string, boxes: readonly (Rect & MarginBasis)[], redaction: Redaction, limits: DecodeLimits, times = new PhaseTimes()): Promise<RedactedImage> {
  const source = await times.time('decode', () => decodeDisplayed(original, file, limits));
  const regions = boxes.map((box) => faceRegion(box, redaction, source.width, source.height));
  const before = regions.map((region) => copyRegion(source.rgb, source.width, region));
  await times.time('render', () => renderRedacted(source, regions, redaction));
  const bytes = await times.time('encode', () => encodeAs(source.rgb, source.width, source.height, source.format));
  await times.time('verify', () => verifyOutput(bytes, file, { rgb: source.rgb, width: source.width, height: source.height, regions, before, shape: redaction.shape }, source.format, redaction.mode, limits));
  return { bytes, format: source.format, width: source.width, height: source.height, ...(source.damage ? { damage: source.damage } : {}) };
}
