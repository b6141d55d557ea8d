/**
 * Real images for the webview tests and benchmark: the public-domain fixtures, and images derived from
 * them with sharp (other sizes, aspects, formats, an EXIF-rotated JPEG), written to a temp folder.
 */
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box, ImageRecord } from '../../daemon/protocol';
import { reviewRow } from '../../daemon/review/rows';
import { DatasetLoad, type DatasetLoadParams, type MessageOf, type WebviewEntry } from '../../webview/protocol';
import { ASTRONAUT, ASTRONAUT_FACE, NO_FACE, tempDir } from './images';

export interface TestImage {
  file: string;
  /** Displayed size (EXIF orientation applied). */
  width: number;
  height: number;
  path: string;
}

/** Box factory with readable defaults: a model proposal. */
export function box(id: string, rect: { x: number; y: number; w: number; h: number }, extra: Partial<Box> = {}): Box {
  return { id, ...rect, score: 0.9, source: 'model', state: 'proposed', edited: false, ...extra };
}

export class ImageFolder {
  readonly dir = tempDir('veil-webview-');
  readonly images = new Map<string, TestImage>();

  /** Serves `/images/<file>`. */
  resolve = (urlPath: string): string | undefined =>
    urlPath.startsWith('/images/') ? this.images.get(urlPath.slice('/images/'.length))?.path : undefined;

  async add(file: string, image: ReturnType<typeof sharp>): Promise<TestImage> {
    const path = join(this.dir, file.replace(/\//g, '_'));
    await writeFile(path, await image.toBuffer());
    const meta = await sharp(path).metadata();
    const displayed = meta.autoOrient ?? { width: meta.width!, height: meta.height! };
    const added = { file, width: displayed.width, height: displayed.height, path };
    this.images.set(file, added);
    return added;
  }

  entry(file: string, origin: string): WebviewEntry {
    const image = this.images.get(file);
    if (!image) throw new Error(`no test image ${file}`);
    return { file, imageUri: `${origin}/images/${encodeURIComponent(file)}?v=1`, version: '1', width: image.width, height: image.height };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The scale of the astronaut in the derived images, to place its face. */
function scaled(rect: { x: number; y: number; w: number; h: number }, factor: number) {
  return { x: Math.round(rect.x * factor), y: Math.round(rect.y * factor), w: Math.round(rect.w * factor), h: Math.round(rect.h * factor) };
}

/** A dataset as a test holds it: what `dataset/load` carries, with the records the webview asks for (`record/request`) in place of their rows. */
export type ReviewFixture = Omit<DatasetLoadParams, 'rows'> & { records: ImageRecord[] };

/** The `dataset/load` the extension sends for the fixture: its records' rows. */
export function datasetLoad({ records, ...dataset }: ReviewFixture): MessageOf<typeof DatasetLoad> {
  return DatasetLoad.create({ ...dataset, rows: records.map(reviewRow) });
}

/**
 * Six images, in name order:
 * - a-astronaut.png  512×512, one proposed face (0.93) and one low-score proposal (0.41)
 * - b-wide.jpg       1600×900 (the astronaut letterboxed), one accepted face, reviewed
 * - c-tall.jpg       600×1000, one manual box
 * - d-rotated.jpg    stored 400×200 with EXIF orientation 6: displayed 200×400; one proposed face (0.75)
 * - e-coffee.png     no face, no boxes
 * - f-small.png      96×64, one rejected proposal
 */
export async function standardDataset(folder: ImageFolder, origin: string): Promise<ReviewFixture> {
  await Promise.all([
    folder.add('a-astronaut.png', sharp(ASTRONAUT).png()),
    folder.add('b-wide.jpg', sharp(ASTRONAUT).resize(900, 900).extend({ left: 350, right: 350, background: '#203040' }).jpeg({ quality: 88 })),
    folder.add('c-tall.jpg', sharp(ASTRONAUT).resize(600, 600).extend({ top: 200, bottom: 200, background: '#404040' }).jpeg({ quality: 88 })),
    folder.add('d-rotated.jpg', sharp(ASTRONAUT).resize(400, 200, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 })),
    folder.add('e-coffee.png', sharp(NO_FACE).png()),
    folder.add('f-small.png', sharp(ASTRONAUT).resize(96, 64, { fit: 'fill' }).png()),
  ]);
  const records: ImageRecord[] = [
    {
      file: 'a-astronaut.png',
      width: 512,
      height: 512,
      status: 'unreviewed',
      boxes: [box('a1', ASTRONAUT_FACE, { score: 0.93 }), box('a2', { x: 380, y: 300, w: 60, h: 60 }, { score: 0.41 })],
    },
    {
      file: 'b-wide.jpg',
      width: 1600,
      height: 900,
      status: 'reviewed',
      boxes: [box('b1', { ...scaled(ASTRONAUT_FACE, 900 / 512), x: 350 + Math.round(ASTRONAUT_FACE.x * (900 / 512)) }, { score: 0.97, state: 'accepted' })],
    },
    {
      file: 'c-tall.jpg',
      width: 600,
      height: 1000,
      status: 'unreviewed',
      boxes: [box('c1', { x: 190, y: 260, w: 140, h: 160 }, { score: null, source: 'manual', state: 'accepted' })],
    },
    { file: 'd-rotated.jpg', width: 200, height: 400, status: 'unreviewed', boxes: [box('d1', { x: 40, y: 60, w: 80, h: 90 }, { score: 0.75 })] },
    { file: 'f-small.png', width: 96, height: 64, status: 'unreviewed', boxes: [box('f1', { x: 30, y: 8, w: 24, h: 24 }, { score: 0.52, state: 'rejected' })] },
  ];
  return {
    root: folder.dir,
    entries: [...folder.images.keys()].sort().map((file) => folder.entry(file, origin)),
    records,
    settings: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect' },
  };
}

/**
 * A crowd shot: `columns` × `rows` astronauts side by side, each `cell` px square, with a box over every face: the
 * first rejected by a person, every third accepted, the rest proposed. At a 32 px cell the faces are 7×9 px: the
 * small crowd image that used to sit at 100 %; at 128 px the photo is busy behind every outline.
 */
export async function crowd(folder: ImageFolder, origin: string, file: string, cell: number, columns = 6, rows = 4): Promise<{ entry: WebviewEntry; record: ImageRecord }> {
  const tile = await sharp(ASTRONAUT).resize(cell, cell).png().toBuffer();
  const tiles = Array.from({ length: columns * rows }, (_, index) => ({ input: tile, left: (index % columns) * cell, top: Math.floor(index / columns) * cell }));
  const canvas = sharp({ create: { width: columns * cell, height: rows * cell, channels: 3, background: '#000' } }).composite(tiles);
  await folder.add(file, canvas.png());
  const face = scaled(ASTRONAUT_FACE, cell / 512);
  const boxes = tiles.map(({ left, top }, index) =>
    box(`crowd-${index}`, { ...face, x: face.x + left, y: face.y + top }, { score: 0.5 + (index % 5) / 10, state: index === 0 ? 'rejected' : index % 3 === 0 ? 'accepted' : 'proposed' }),
  );
  return { entry: folder.entry(file, origin), record: { file, width: columns * cell, height: rows * cell, status: 'unreviewed', boxes } };
}

/** The dataset with these images added. */
export function withImages(dataset: ReviewFixture, ...added: Array<{ entry: WebviewEntry; record: ImageRecord }>): ReviewFixture {
  return { ...dataset, entries: [...dataset.entries, ...added.map(({ entry }) => entry)], records: [...dataset.records, ...added.map(({ record }) => record)] };
}

/** The dataset with a possible face (scored under the threshold, 0.31) added to d-rotated.jpg as `d-possible`, after its proposal. */
export function withPossibleFace(dataset: ReviewFixture): ReviewFixture {
  const possible = box('d-possible', { x: 110, y: 250, w: 60, h: 70 }, { score: 0.31, state: 'possible' });
  return { ...dataset, records: dataset.records.map((record) => (record.file === 'd-rotated.jpg' ? { ...record, boxes: [...record.boxes, possible] } : record)) };
}

/** Committed images (read-only in the review), the astronaut at 160×120, one per file name. */
export async function committedImages(folder: ImageFolder, origin: string, files: string[]): Promise<Array<{ entry: WebviewEntry; record: ImageRecord }>> {
  const added = [];
  for (const file of files) {
    await folder.add(file, sharp(ASTRONAUT).resize(160, 120).jpeg());
    added.push({ entry: folder.entry(file, origin), record: { file, width: 160, height: 120, status: 'committed' as const, boxes: [] } });
  }
  return added;
}
