/**
 * Encodes redacted pixels in the input's format with no metadata at all: the pipeline starts from raw
 * pixels, so there is no EXIF, XMP, IPTC, ICC profile or GPS to carry over (and none is ever added:
 * never keepMetadata/withMetadata here).
 */
import sharp from 'sharp';
import type { ImageFormat } from '../image/decode';

const QUALITY = 90;

export function encodeAs(rgb: Buffer, width: number, height: number, format: ImageFormat): Promise<Buffer> {
  const pipeline = sharp(rgb, { raw: { width, height, channels: 3 } });
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: QUALITY }).toBuffer();
    case 'png':
      return pipeline.png().toBuffer();
    case 'webp':
      return pipeline.webp({ quality: QUALITY }).toBuffer();
    case 'tiff':
      return pipeline.tiff({ compression: 'lzw' }).toBuffer();
    case 'gif':
      // Re-quantized to a palette: on astronaut.png as GIF the redacted face still changes by 117 (fill), 31
      // (pixelate), 68 (blur) per channel, against 0.3 of re-encoding noise elsewhere (the verify gate needs 4).
      return pipeline.gif().toBuffer();
    default: {
      const unknown: never = format;
      throw new Error(`no encoder for "${String(unknown)}"`);
    }
  }
}
