/** Reading and writing one image's review state: what a person accepted, rejected, moved or drew. */
import { ErrorCode, type FileFailure, type SizedEntry, type DatasetOpenResult, type DatasetSummary, type ImageRecord, type ReviewGetParams, type ReviewUpdateParams } from '../protocol';
import { errorCodeOf, VeilError } from '../errors';
import { probeDisplayedSize, type DecodeLimits } from '../image/decode';
import type { Actor } from '../rpc/context';
import { appendAudit } from '../audit/log';
import { countBoxes } from '../audit/events';
import { resolveInside, toDatasetPath } from '../dataset/paths';
import { scanDataset } from '../dataset/scan';
import type { OpenDatasets } from './datasets';

export function summarize(records: ImageRecord[], images: number): DatasetSummary {
  const summary: DatasetSummary = { images, reviewed: 0, committed: 0, boxes: 0, accepted: 0, proposed: 0 };
  for (const record of records) {
    if (record.status === 'reviewed') summary.reviewed++;
    if (record.status === 'committed') summary.committed++;
    summary.boxes += record.boxes.length;
    summary.accepted += record.boxes.filter((box) => box.state === 'accepted').length;
    summary.proposed += record.boxes.filter((box) => box.state === 'proposed').length;
  }
  return summary;
}

const PROBE_CONCURRENCY = 8;

export async function openDataset(rootParam: string, datasets: OpenDatasets, limits: DecodeLimits): Promise<DatasetOpenResult> {
  const { root, store } = await datasets.open(rootParam);
  const scanned = await scanDataset(root);
  const files: SizedEntry[] = [];
  const failures: FileFailure[] = [];
  await forEachLimited(scanned, PROBE_CONCURRENCY, async (entry) => {
    const record = store.get(entry.file);
    try {
      const size = record ?? (await probeDisplayedSize(resolveInside(root, entry.file), entry.file, limits));
      files.push({ ...entry, width: size.width, height: size.height });
    } catch (error) {
      failures.push({ file: entry.file, code: errorCodeOf(error), message: VeilError.is(error) ? error.message : String(error) });
    }
  });
  files.sort((a, b) => a.file.localeCompare(b.file));
  const present = new Set(files.map((entry) => entry.file));
  const records = store.records().filter((record) => present.has(record.file));
  return { root, files, records, summary: summarize(records, files.length), failures };
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function locate(params: ReviewGetParams, datasets: OpenDatasets) {
  const { root, store } = await datasets.open(params.root);
  const file = toDatasetPath(root, resolveInside(root, params.file));
  return { root, store, file };
}

/** One audit line per decision (status or box counts changed); moving a box is not a decision. */
async function auditIfDecisionChanged(root: string, actor: Actor, before: ImageRecord, after: ImageRecord): Promise<void> {
  const counts = countBoxes(after.boxes);
  if (before.status === after.status && JSON.stringify(countBoxes(before.boxes)) === JSON.stringify(counts)) return;
  await appendAudit(root, { type: 'review-change', actor, file: after.file, status: after.status, boxes: counts });
}

export async function getReview(params: ReviewGetParams, datasets: OpenDatasets): Promise<ImageRecord> {
  const { store, file } = await locate(params, datasets);
  const record = store.get(file);
  if (!record) throw new VeilError(ErrorCode.BadPath, 'has no review state yet (run detection first)', file);
  return record;
}

export async function updateReview(params: ReviewUpdateParams, actor: Actor, datasets: OpenDatasets): Promise<{ before: ImageRecord; after: ImageRecord }> {
  const { root, store, file } = await locate(params, datasets);
  const before = store.get(file);
  if (!before) throw new VeilError(ErrorCode.BadPath, 'has no review state yet (run detection first)', file);
  if (before.status === 'committed') throw new VeilError(ErrorCode.InvalidParams, 'is committed (anonymized); its boxes can no longer change', file);
  for (const box of params.boxes) {
    if (box.x < 0 || box.y < 0 || box.x + box.w > before.width + 0.5 || box.y + box.h > before.height + 0.5) {
      throw new VeilError(ErrorCode.InvalidParams, `box ${box.id} lies outside the ${before.width}x${before.height} image`, file);
    }
  }
  const status = params.status ?? before.status;
  const undecided = params.boxes.some((box) => box.state === 'proposed');
  if (status === 'reviewed' && undecided) {
    throw new VeilError(ErrorCode.InvalidParams, 'cannot be marked reviewed while a proposed box is neither accepted nor rejected', file);
  }
  const after: ImageRecord = {
    ...before,
    boxes: params.boxes,
    status,
    ...(status === 'reviewed' && before.status !== 'reviewed' ? { reviewer: actor.reviewer, reviewedAt: new Date().toISOString() } : {}),
  };
  await store.put(after);
  await auditIfDecisionChanged(root, actor, before, after);
  return { before, after };
}
