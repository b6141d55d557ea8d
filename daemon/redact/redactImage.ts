/**
 * One image, from original bytes to verified anonymized bytes: decode the displayed pixels, paint the
 * regions, encode in the same format without metadata, decode the result and refuse it (VerifyFailed)
 * unless every region visibly changed.
 */
import { ErrorCode, type MaskShape, type Rect, type RedactionMode } from '../protocol';
import { VeilError } from '../errors';
import { decodeDisplayed, type DecodeLimits, type ImageFormat } from '../image/decode';
import { PhaseTimes } from '../commit/phaseTimes';
import { encodeAs } from './encode';
import { redactionRegion } from './geometry';
import { renderRedacted } from './render';
import { unchangedRegions } from './verifyRegions';

export interface Redaction {
  mode: RedactionMode;
  margin: number;
  shape: MaskShape;
}

export interface RedactedImage {
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
}

export async function redactImage(original: Buffer, file: string, boxes: readonly Rect[], redaction: Redaction, limits: DecodeLimits, times = new PhaseTimes()): Promise<RedactedImage> {
  const source = await times.time('decode', () => decodeDisplayed(original, file, limits));
  const regions = boxes.map((box) => redactionRegion(box, redaction.margin, source.width, source.height));
  const rgb = await times.time('render', () => renderRedacted(source, regions, redaction));
  const bytes = await times.time('encode', () => encodeAs(rgb, source.width, source.height, source.format));
  await times.time('verify', async () => {
    const written = await decodeDisplayed(bytes, file, limits);
    if (written.width !== source.width || written.height !== source.height) {
      throw new VeilError(ErrorCode.VerifyFailed, `output is ${written.width}x${written.height}, expected ${source.width}x${source.height}; not published`, file);
    }
    const unchanged = unchangedRegions(source.rgb, written.rgb, source.width, source.height, regions, redaction.shape);
    if (unchanged.length > 0) {
      const where = unchanged.map(({ region: r, change }) => `${r.w}x${r.h} at ${r.x},${r.y} (change ${change.toFixed(1)})`).join('; ');
      throw new VeilError(ErrorCode.VerifyFailed, `redaction did not change ${unchanged.length} region(s): ${where}; not published (try --mode fill)`, file);
    }
  });
  return { bytes, format: source.format, width: source.width, height: source.height };
}
