/**
 * Files that hold a face but are awkward for Veil, all made from astronaut.png with real sharp: a JPEG cut short,
 * a single-frame GIF, images of several frames (animated WebP and GIF, a multi-page TIFF) and a file named as a video.
 */
import sharp from 'sharp';
import { ASTRONAUT } from './images';

/** The astronaut as a JPEG (q90) cut to `fraction` of its bytes: the face (top third) is whole, the bottom is missing. */
export async function truncatedJpeg(fraction = 0.6): Promise<Buffer> {
  const jpeg = await sharp(ASTRONAUT).jpeg({ quality: 90 }).toBuffer();
  return jpeg.subarray(0, Math.round(jpeg.length * fraction));
}

export function stillGif(): Promise<Buffer> {
  return sharp(ASTRONAUT).gif().toBuffer();
}

/**
 * `frames` frames of the astronaut at 128 px, stacked as pages of one image (sharp's `pageHeight`). Each frame is a
 * little brighter than the one before: GIF and WebP encoders merge identical frames.
 */
export async function severalFrames(format: 'webp' | 'gif' | 'tiff', frames = 3): Promise<Buffer> {
  const side = 128;
  const pages = await Promise.all(
    Array.from({ length: frames }, (_, i) => sharp(ASTRONAUT).resize(side, side).modulate({ brightness: 1 + i * 0.15 }).removeAlpha().raw().toBuffer()),
  );
  const stacked = sharp(Buffer.concat(pages), { raw: { width: side, height: side * frames, channels: 3, pageHeight: side } });
  return stacked.toFormat(format).toBuffer();
}

/** Bytes that start like an MP4 (an ISO media `ftyp` box): a file named as a video. */
export const FAKE_MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(64)]);
