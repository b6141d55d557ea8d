/**
 * A large dataset as the Veil view meets it: image files under 20 folders with a review state of three proposals
 * each, partly reviewed and committed, whose audit log explains that state (a daemon opened it once, as after
 * `veil detect`). The files are empty: the view and `dataset/open` take an image's size from its review record and
 * never decode it, so 10,000 of them cost no disk worth speaking of.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box, ImageRecord, ImageStatus } from '../../../daemon/protocol';
import { startDaemon } from '../../support/daemon';

function boxes(i: number, state: Box['state']): Box[] {
  return [0, 1, 2].map((j) => ({ id: `m-${i}-${j}`, x: 100 + j * 120, y: 80, w: 96, h: 120, score: 0.6 + j / 10, source: 'model', state, edited: false }));
}

/** One image in ten reviewed, one in 25 of the others committed, the rest unreviewed. */
function statusOf(i: number): ImageStatus {
  if (i % 10 === 0) return 'reviewed';
  return i % 25 === 0 ? 'committed' : 'unreviewed';
}

/** Writes the dataset under `root`; returns how many images have each status. */
export async function fabricateLargeDataset(root: string, images: number): Promise<Record<ImageStatus, number>> {
  const counts: Record<ImageStatus, number> = { unreviewed: 0, reviewed: 0, committed: 0 };
  const records: Record<string, ImageRecord> = {};
  for (let i = 0; i < images; i++) {
    const file = `camera-${String(i % 20).padStart(2, '0')}/img-${String(i).padStart(6, '0')}.jpg`;
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
    const status = statusOf(i);
    counts[status]++;
    const detection = { model: 'yunet', threshold: 0.5, thorough: false, at: '2026-11-29T12:00:00.000Z' };
    records[file] = { file, width: 4000, height: 3000, boxes: boxes(i, status === 'unreviewed' ? 'proposed' : 'accepted'), status, detection, revision: 0 };
  }
  mkdirSync(join(root, '.veil'), { recursive: true });
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: 0, images: records }));
  const daemon = await startDaemon();
  try {
    await daemon.client.request('dataset/open', { root });
  } finally {
    await daemon.client.close();
  }
  return counts;
}
