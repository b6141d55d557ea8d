/**
 * Ingest: bytes → pixels as displayed. Every consumer (detection, thumbnails, redaction) starts here,
 * so EXIF orientation, the pixel limit and the format checks are applied once and the same way.
 */
import sharp, { type FailOnOptions, type Metadata, type Sharp } from 'sharp';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { readRegularFile, statRegularFile } from '../storage/regularFile';
import { IMAGE_FILE } from './imageFileRule';

/** The formats Veil decodes and encodes again (sharp 0.35 does both for each); which file names they go by: formats.ts. */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'gif'] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];

/** Default decompression-bomb guard: 100 megapixels (configurable per call). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeLimits {
  maxPixels: number;
}

/** An image in displayed orientation, 3-channel sRGB, row-major interleaved RGB bytes. */
export interface DisplayedImage {
  rgb: Buffer;
  width: number;
  height: number;
  format: ImageFormat;
  /** EXIF orientation tag of the source (1 when absent). */
  orientation: number;
  /**
   * Why the whole image could not be decoded (libvips' words: "VipsJpeg: premature end of JPEG image"): the file is
   * truncated, and these pixels are what its data holds (the rest of a truncated JPEG is grey). Absent for a sound file.
   */
  damage?: string;
}

/**
 * Reads a whole image file, turning OS errors into coded errors that name the file. Only a regular file within
 * MAX_IMAGE_FILE_BYTES is read: a device, a FIFO or a socket is refused without being opened (storage/regularFile.ts).
 */
export async function readImageBytes(absolutePath: string, file: string): Promise<Buffer> {
  const bytes = await readRegularFile(absolutePath, file, IMAGE_FILE);
  if (bytes.length === 0) throw new VeilError(ErrorCode.BadImage, 'file is empty (0 bytes)', file);
  return bytes;
}

/** Format and size of an encoded image, with every refusal as a coded error. */
export async function probeImage(bytes: Buffer, file: string, limits: DecodeLimits) {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new VeilError(ErrorCode.BadImage, 'not a readable image (unknown or corrupt data)', file);
  }
  const format = checkFormatAndSize(meta, file, limits);
  return { format, width: meta.width ?? 0, height: meta.height ?? 0, orientation: meta.orientation ?? 1 };
}

/** What an image of several pages is, in words: an animated GIF or WebP has frames, a TIFF pages. */
function severalPages(format: ImageFormat, pages: number): string {
  return format === 'tiff' ? `multi-page TIFF (${pages} pages)` : `animated ${format.toUpperCase()} (${pages} frames)`;
}

function checkFormatAndSize(meta: Metadata, file: string, limits: DecodeLimits): ImageFormat {
  const format = meta.format as string | undefined;
  if (!format || !(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    throw new VeilError(ErrorCode.UnsupportedFormat, `unsupported image format "${format ?? 'unknown'}" (Veil reads ${SUPPORTED_FORMATS.join(', ')})`, file);
  }
  // sharp decodes the first page only: detection, review and commit would see frame 1, and a commit would drop the rest.
  const pages = meta.pages ?? 1;
  if (pages > 1) {
    throw new VeilError(ErrorCode.UnsupportedFormat, `${severalPages(format as ImageFormat, pages)}: images of several frames are not supported yet (only the first would be anonymized, the rest dropped)`, file);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > limits.maxPixels) {
    throw new VeilError(ErrorCode.TooLarge, `image is ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP), above the limit of ${(limits.maxPixels / 1e6).toFixed(1)} MP`, file);
  }
  return format as ImageFormat;
}

/** Size as displayed, from the file's header only (cheap enough for 10,000 images). */
export async function probeDisplayedSize(absolutePath: string, file: string, limits: DecodeLimits): Promise<{ width: number; height: number }> {
  // libvips opens the path itself: what it opens must be a regular image file (a FIFO would block its thread).
  await statRegularFile(absolutePath, file, IMAGE_FILE);
  let meta: Metadata;
  try {
    meta = await sharp(absolutePath).metadata();
  } catch {
    throw new VeilError(ErrorCode.BadImage, 'not a readable image (unknown or corrupt data)', file);
  }
  checkFormatAndSize(meta, file, limits);
  const turned = (meta.orientation ?? 1) >= 5;
  return turned ? { width: meta.height ?? 0, height: meta.width ?? 0 } : { width: meta.width ?? 0, height: meta.height ?? 0 };
}

/**
 * A sharp pipeline over the displayed pixels (orientation applied). Damaged data is decoded as far as it goes unless
 * `failOn` says otherwise: a JPEG cut short still shows the faces in its first rows (the rest is grey), and refusing
 * it would leave them as they are.
 */
export function displayedPipeline(bytes: Buffer, limits: DecodeLimits, failOn: FailOnOptions = 'none'): Sharp {
  return sharp(bytes, { limitInputPixels: limits.maxPixels, failOn }).autoOrient();
}

async function decodeRgb(bytes: Buffer, limits: DecodeLimits, failOn: FailOnOptions): Promise<{ rgb: Buffer; width: number; height: number }> {
  const { data, info } = await displayedPipeline(bytes, limits, failOn).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { rgb: data, width: info.width, height: info.height };
}

function firstLine(error: unknown): string {
  return (error as Error).message.split('\n')[0];
}

/**
 * Decodes an image to displayed-orientation RGB. A truncated file is decoded again as far as its data goes and
 * comes with `damage` set. (libvips' warnings cannot say it instead: sharp hands them to whichever pipeline of the
 * process finishes next, so with several images in flight they land on another image.)
 */
export async function decodeDisplayed(bytes: Buffer, file: string, limits: DecodeLimits): Promise<DisplayedImage> {
  const { format, orientation } = await probeImage(bytes, file, limits);
  try {
    return { ...(await decodeRgb(bytes, limits, 'truncated')), format, orientation };
  } catch (whole) {
    try {
      return { ...(await decodeRgb(bytes, limits, 'none')), format, orientation, damage: firstLine(whole) };
    } catch (error) {
      throw new VeilError(ErrorCode.BadImage, `cannot decode image (${firstLine(error)})`, file);
    }
  }
}
