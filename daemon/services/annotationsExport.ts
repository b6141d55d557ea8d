/**
 * `annotations/export`: the dataset's face boxes written in a label format (README "Annotations in and out"). It only
 * reads the review state; every image with a record is written, with the boxes in the states asked for (an image with
 * none of them is written too: "no face" is a label as well). Images never detected (their faces are unknown) and videos
 * (no format here holds a track) are skipped, each named with why.
 */
import { join } from 'node:path';
import { ANNOTATION_OUTPUTS, ANNOTATIONS_FOLDER, DEFAULT_EXPORT_STATES, type AnnotationsExportParams, type AnnotationsExportResult, type FileWarning } from '../protocol';
import { scanDataset } from '../dataset/scan';
import { realWriteTarget } from '../dataset/paths';
import { CODECS } from '../annotations/formats';
import { checkOutput, writeExport } from '../annotations/annotationFiles';
import type { ExportImage } from '../annotations/model';
import type { OpenDatasets } from './datasets';

export async function exportAnnotations(params: AnnotationsExportParams, datasets: OpenDatasets): Promise<AnnotationsExportResult> {
  const { root, scope, store, scanned: entries } = await datasets.openScanned(params.root, scanDataset);
  const codec = CODECS[params.format];
  const out = realWriteTarget(params.out ?? join(root, scope, ANNOTATIONS_FOLDER, ANNOTATION_OUTPUTS[params.format].defaultName));
  checkOutput(root, out);
  const states = new Set(params.states ?? DEFAULT_EXPORT_STATES);
  const images: ExportImage[] = [];
  const skipped: FileWarning[] = [];
  for (const { file } of entries) {
    const record = store.get(file);
    if (!record) skipped.push({ file, message: 'never detected nor imported: its faces are unknown (run veil detect first)' });
    else if (record.video) skipped.push({ file, message: `a video: ${params.format} holds no face tracks` });
    else {
      const reviewer = record.status === 'unreviewed' ? null : (record.reviewer ?? null);
      const boxes = record.boxes.filter((box) => states.has(box.state)).map(({ x, y, w, h, score, source, state, edited }) => ({ x, y, w, h, score, source, state, edited, reviewer }));
      images.push({ file, width: record.width, height: record.height, boxes });
    }
  }
  const exportedAt = new Date().toISOString();
  await writeExport(out, params.format, codec.write(images, exportedAt), exportedAt);
  return { root, format: params.format, out, images: images.length, boxes: images.reduce((sum, image) => sum + image.boxes.length, 0), skipped, lost: codec.lost };
}
