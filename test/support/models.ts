/** Model registries and decoded images for detection and model tests (real ONNX Runtime, real sharp). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDisplayed, DEFAULT_MAX_PIXELS, type DisplayedImage } from '../../daemon/image/decode';
import { ModelRegistry } from '../../daemon/models/registry';
import type { Rect } from '../../daemon/protocol';
import type { Detector } from '../../daemon/detection/detector';
import { REPO_ROOT, requireShared } from './paths';
import { tempDir } from './images';

export const MANIFEST = join(REPO_ROOT, 'models', 'manifest.json');

/** The astronaut's face in astronaut.png as labelled by hand in ../shared/data/faces/selfpics.json. */
export const ASTRONAUT_FACE_LABEL: Rect = { x: 179, y: 59, w: 91, h: 120 };

/** A registry over the shipped manifest with a fresh, empty Veil home. */
export function freshRegistry(home = tempDir('veil-home-')): ModelRegistry {
  return new ModelRegistry({ home, manifestPath: MANIFEST });
}

/** YuNet from ../shared added to `registry` and loaded: the calling suite skips without ../shared (fails under CI). */
export async function loadSharedYunet(ctx: Mocha.Context, registry: ModelRegistry): Promise<Detector> {
  await registry.add({ file: requireShared(ctx, 'models', 'yunet_n_dynamic.onnx'), decoder: 'yunet' });
  return registry.load('yunet');
}

/** Decodes encoded image bytes (or a file) the way the daemon does: displayed orientation, RGB. */
export async function decodeForDetection(source: string | Buffer): Promise<DisplayedImage> {
  const bytes = typeof source === 'string' ? await readFile(source) : source;
  return decodeDisplayed(bytes, typeof source === 'string' ? source : 'image', { maxPixels: DEFAULT_MAX_PIXELS });
}
