/** The labelled face sets in ../shared/data/faces and their images, decoded as the daemon decodes them. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDisplayed, DEFAULT_MAX_PIXELS, readImageBytes, type DisplayedImage } from '../../daemon/image/decode';
import type { Rect } from '../../daemon/protocol';

export const FACE_SETS = ['wider-dev', 'widerfull', 'selfpics'] as const;
export type FaceSetName = (typeof FACE_SETS)[number];

export interface GroundTruthImage {
  file: string;
  width: number;
  height: number;
  /** The labelled faces, in displayed pixels (each also carries WIDER's flags, unused here). */
  faces: Rect[];
}

export function groundTruthPath(facesDir: string, set: FaceSetName): string {
  return join(facesDir, `${set}.json`);
}

export async function groundTruthImages(facesDir: string, set: FaceSetName): Promise<GroundTruthImage[]> {
  const parsed = JSON.parse(await readFile(groundTruthPath(facesDir, set), 'utf8')) as { images: GroundTruthImage[] };
  return parsed.images;
}

/** Decodes one set image (`file` is relative to the faces folder, as in the ground truth). */
export async function decodeSetImage(facesDir: string, file: string): Promise<DisplayedImage> {
  const bytes = await readImageBytes(join(facesDir, file), file);
  return decodeDisplayed(bytes, file, { maxPixels: DEFAULT_MAX_PIXELS });
}
