/**
 * Small datasets of distinct images that each show a face, made at run time from astronaut.png with real sharp: the
 * shard test's dataset and the shard benchmark's. Each image is a different crop, brightness and mirror of the
 * astronaut (so no two files are the same bytes), PNG or JPEG by turn; the face stays inside every crop.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { ASTRONAUT } from './images';

/** The crop taken from the 512 px astronaut: it keeps the face (x 165–275, y 55–195) whatever the offset below. */
const CROP = 440;

/** The bytes of the `index`-th image: a `size` px square, PNG when `index` is even, JPEG (q85) when odd. */
export async function faceImage(index: number, size: number): Promise<Buffer> {
  const image = sharp(ASTRONAUT)
    .extract({ left: 8 * (index % 9), top: 4 * (index % 7), width: CROP, height: CROP })
    .resize(size, size)
    .modulate({ brightness: 0.85 + 0.03 * (index % 11) });
  const mirrored = index % 4 === 1 || index % 4 === 2 ? image.flop() : image;
  return index % 2 === 0 ? mirrored.png().toBuffer() : mirrored.jpeg({ quality: 85 }).toBuffer();
}

/** The extension `faceImage(index)` is written with. */
export function faceImageExtension(index: number): 'png' | 'jpg' {
  return index % 2 === 0 ? 'png' : 'jpg';
}

/** Writes `names[i]` (dataset-relative, forward slashes, folders made) as `faceImage(i, size)`; returns the names. */
export async function writeFaceImages(root: string, names: readonly string[], size: number): Promise<readonly string[]> {
  for (const [index, name] of names.entries()) {
    const target = join(root, ...name.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await faceImage(index, size));
  }
  return names;
}
