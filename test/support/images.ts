/** Real images for tests, derived at run time from the committed public-domain fixtures. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES } from './paths';

export const ASTRONAUT = join(FIXTURES, 'astronaut.png');
export const NO_FACE = join(FIXTURES, 'coffee-no-face.png');
/** Where the astronaut's face is in astronaut.png (512x512), measured by eye, generous. */
export const ASTRONAUT_FACE = { x: 165, y: 55, w: 110, h: 140 };

export function tempDir(prefix = 'veil-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function place(source: string, dir: string, name: string): string {
  const target = join(dir, name);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  return target;
}

/** A dataset folder with `count` astronaut JPEGs (optionally resized) and one image without a face. */
export async function makeDataset(count: number, size = 512): Promise<string> {
  const dir = tempDir('veil-ds-');
  const jpeg = await sharp(ASTRONAUT).resize(size, size).jpeg({ quality: 85 }).toBuffer();
  const { writeFile } = await import('node:fs/promises');
  await Promise.all(Array.from({ length: count }, (_, i) => writeFile(join(dir, `img-${String(i).padStart(3, '0')}.jpg`), jpeg)));
  return dir;
}

/** Mean absolute difference per channel between two RGB buffers of `width` pixels per row, inside `rect`. */
/** Mean absolute difference per byte of two buffers of the same length (whole frames, whole images). */
export function meanDiff(a: Buffer | Uint8Array, b: Buffer | Uint8Array): number {
  assert.equal(a.length, b.length, 'the buffers differ in length');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

export function meanDiffIn(a: Buffer, b: Buffer, width: number, rect: { x: number; y: number; w: number; h: number }): number {
  let sum = 0;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) {
      const i = (y * width + x) * 3;
      sum += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
    }
  }
  return sum / (rect.w * rect.h * 3);
}
