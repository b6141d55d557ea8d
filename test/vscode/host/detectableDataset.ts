/**
 * A dataset of real photos for a detection long enough to cancel: `count` 1280×720 scenes made from samples/ (the
 * portrait, the group collage, the face-free photo), in folders of 50 (`camera-0/shot-000.jpg` …), so that the
 * daemon's order (by path) is the shots' numeric order. `veil detect` (YuNet) spent 35 s of CPU on 300 of them on the
 * 2-core development machine (0.12 s an image; 1600×900 scenes took 60 s, too long for a test that detects twice).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from '../../support/paths';

const SCENE = { width: 1280, height: 720 };
const SOURCES = ['astronaut.jpg', join('group', 'collage.jpg'), 'no-face.jpg'];
const PER_FOLDER = 50;

/** The image's path in the dataset: shot i of the dataset. */
export function shotFile(i: number): string {
  return `camera-${Math.floor(i / PER_FOLDER)}/shot-${String(i).padStart(3, '0')}.jpg`;
}

export async function writeDetectableDataset(root: string, count: number): Promise<string[]> {
  // Each source is decoded and encoded once: the dataset holds copies of three JPEGs.
  const scenes = await Promise.all(
    SOURCES.map((source) =>
      sharp(join(REPO_ROOT, 'samples', source))
        .resize({ ...SCENE, fit: 'contain', background: '#6a7a8a' })
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
  const files = Array.from({ length: count }, (_, i) => shotFile(i));
  files.forEach((file, i) => {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), scenes[i % scenes.length]!);
  });
  return files;
}
