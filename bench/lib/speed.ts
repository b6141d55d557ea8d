/** Speed and memory measurements: ms per image at a given size, and RSS over a long batch. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DisplayedImage } from '../../daemon/image/decode';
import type { BenchDetector } from './modes';

export interface SizedImage {
  image: DisplayedImage;
  /** The same pixels as a PNG file, for detectors that read files (the Haar peer). */
  path: string;
}

/** Resizes images (aspect kept) to about `megapixels` each, in memory, plus PNG copies in a temp folder. */
export async function resizedToMegapixels(images: DisplayedImage[], megapixels: number): Promise<{ sized: SizedImage[]; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-bench-speed-'));
  const sized = await Promise.all(
    images.map(async (source, index) => {
      const scale = Math.sqrt((megapixels * 1e6) / (source.width * source.height));
      const width = Math.round(source.width * scale);
      const height = Math.round(source.height * scale);
      const raw = { raw: { width: source.width, height: source.height, channels: 3 as const } };
      const { data, info } = await sharp(source.rgb, raw).resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      const path = join(dir, `${index}.png`);
      await writeFile(path, await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer());
      return { image: { ...source, rgb: data, width: info.width, height: info.height }, path };
    }),
  );
  return { sized, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Median ms per detect call over `rounds` passes on every image, after one warm-up pass. The median, not
 * the mean: the machine is shared, and bursts from other processes would otherwise dominate.
 */
export async function msPerImage(detector: BenchDetector, images: SizedImage[], rounds: number): Promise<number> {
  for (const { image, path } of images) await detector.detect(image, path, detector.defaultThreshold);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const { image, path } of images) {
      const start = process.hrtime.bigint();
      await detector.detect(image, path, detector.defaultThreshold);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

export function peakRssMiB(): number {
  // maxRSS is in KiB on Linux.
  return process.resourceUsage().maxRSS / 1024;
}
