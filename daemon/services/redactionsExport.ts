/**
 * `redactions/export`: the regions every committed image had redacted, as COCO ignore regions (redactions/cocoRegions.ts),
 * in a file of their own or added to an existing COCO label file. Derived afresh from the audit log and the review state
 * (redactions/sidecar.ts: what `.veil/redactions.json` says, even when that file is stale); only reads the dataset.
 */
import { join } from 'node:path';
import { ANNOTATIONS_FOLDER, ErrorCode, REDACTIONS_COCO_NAME, mergedLabelsPath, type FileWarning, type RedactionsExportParams, type RedactionsExportResult } from '../protocol';
import { VeilError } from '../errors';
import { inScope } from '../dataset/locate';
import { realWriteTarget } from '../dataset/paths';
import { scanDataset } from '../dataset/scan';
import { checkOutput, readAnnotationInput, writeExport } from '../annotations/annotationFiles';
import { parseJsonInput } from '../annotations/codec';
import { DatasetNames } from '../annotations/datasetNames';
import { auditedFiles } from '../audit/committed';
import { describeRedactions, type SidecarImage } from '../redactions/sidecar';
import { mergeRedactions, redactionsCoco, type CocoRegions } from '../redactions/cocoRegions';
import type { OpenDatasets } from './datasets';

function defaultOut(root: string, scope: string, merge: string | undefined): string {
  return merge === undefined ? join(root, scope, ANNOTATIONS_FOLDER, REDACTIONS_COCO_NAME) : mergedLabelsPath(merge);
}

async function mergedInto(merge: string, root: string, scope: string, images: readonly SidecarImage[]): Promise<CocoRegions> {
  const { input } = await readAnnotationInput(merge);
  if (input.kind !== 'file') throw new VeilError(ErrorCode.InvalidParams, 'is a folder: --merge takes one COCO label file', merge);
  const { name, data } = parseJsonInput(input, 'COCO');
  const names = new DatasetNames((await scanDataset(root)).map((entry) => entry.file), scope);
  return mergeRedactions(name, data, new Map(images.map((image) => [image.file, image])), names);
}

export async function exportRedactions(params: RedactionsExportParams, datasets: OpenDatasets): Promise<RedactionsExportResult> {
  const { root, scope, store } = await datasets.open(params.root);
  const out = realWriteTarget(params.out ?? defaultOut(root, scope, params.merge));
  checkOutput(root, out);
  await store.refresh();
  const sidecar = describeRedactions(await auditedFiles(root), (file) => store.get(file));
  const images: SidecarImage[] = [];
  const skipped: FileWarning[] = [];
  for (const file of sidecar.files.filter((entry) => inScope(entry.file, scope))) {
    if (file.kind === 'image') images.push(file);
    else skipped.push({ file: file.file, message: `a video: COCO holds no frames of it (${file.tracks.length} track(s) in .veil/redactions.json)` });
  }
  for (const file of sidecar.undescribed.filter((entry) => inScope(entry.file, scope))) skipped.push({ file: file.file, message: file.reason });
  const exportedAt = new Date().toISOString();
  const coco = params.merge === undefined ? redactionsCoco(images, exportedAt) : await mergedInto(params.merge, root, scope, images);
  await writeExport(out, 'coco', coco.text, exportedAt);
  return { root, out, images: coco.images, regions: coco.regions, skipped: [...skipped, ...coco.skipped] };
}
