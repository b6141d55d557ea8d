/**
 * A large dataset as the Veil view meets it: image files under 20 folders with a review state of three proposals
 * each, partly reviewed and committed, whose audit log explains that state (a daemon opened it once, as after
 * `veil detect`). By default the files are empty: the view and `dataset/open` take an image's size from its review
 * record and never decode it, so 10,000 of them cost no disk worth speaking of. Given a small real image, every file is
 * a hard link to it and the records take its size (bench/largeDataset.ts: 100,000 images that any reader can decode).
 */
import { linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box, ImageRecord, ImageStatus } from '../../../daemon/protocol';
import { openReconciled, startDaemon } from '../../support/daemon';

/** An encoded image every file of the dataset shares, with its displayed size. */
export interface SharedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

/** Empty files, recorded as 4000 x 3000. */
const NOMINAL = { width: 4000, height: 3000 };

/** Three boxes placed as on a 4000 x 3000 image, scaled to the image's width. */
function boxes(i: number, state: Box['state'], width: number): Box[] {
  const s = width / NOMINAL.width;
  return [0, 1, 2].map((j) => ({ id: `m-${i}-${j}`, x: (100 + j * 120) * s, y: 80 * s, w: 96 * s, h: 120 * s, score: 0.6 + j / 10, source: 'model', state, edited: false }));
}

const fileOf = (i: number) => `camera-${String(i % 20).padStart(2, '0')}/img-${String(i).padStart(6, '0')}.jpg`;

/** One image in ten reviewed, one in 25 of the others committed, the rest unreviewed. */
function statusOf(i: number): ImageStatus {
  if (i % 10 === 0) return 'reviewed';
  return i % 25 === 0 ? 'committed' : 'unreviewed';
}

/** Writes the dataset under `root`; returns how many images have each status. */
export async function fabricateLargeDataset(root: string, images: number, shared?: SharedImage): Promise<Record<ImageStatus, number>> {
  const counts: Record<ImageStatus, number> = { unreviewed: 0, reviewed: 0, committed: 0 };
  const records: Record<string, ImageRecord> = {};
  const { width, height } = shared ?? NOMINAL;
  for (let i = 0; i < images; i++) {
    const file = fileOf(i);
    const path = join(root, file);
    // A folder's first file is written, the others are hard links to it (one inode holds at most 65,000 on ext4).
    if (i < 20) mkdirSync(join(path, '..'), { recursive: true });
    if (i >= 20 && shared) linkSync(join(root, fileOf(i % 20)), path);
    else writeFileSync(path, shared?.bytes ?? '');
    const status = statusOf(i);
    counts[status]++;
    const detection = { model: 'yunet', threshold: 0.5, thorough: false, at: '2026-11-29T12:00:00.000Z' };
    records[file] = { file, width, height, boxes: boxes(i, status === 'unreviewed' ? 'proposed' : 'accepted', width), status, detection, revision: 0 };
  }
  mkdirSync(join(root, '.veil'), { recursive: true });
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: 0, images: records }));
  const daemon = await startDaemon();
  try {
    await openReconciled(daemon.client, root);
  } finally {
    await daemon.client.close();
  }
  return counts;
}
