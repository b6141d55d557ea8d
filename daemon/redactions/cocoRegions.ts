/**
 * The redacted regions as COCO ignore regions (README "Redaction sidecar for training"): one annotation per painted
 * region, in a `redacted-face` category, with `iscrowd: 1` (pycocotools' COCOeval matches no detection against a crowd
 * region as a false positive) and `ignore: 1` (what Detectron-style loaders and many trainers skip), `bbox` the region,
 * `segmentation` exactly the painted pixels as an uncompressed RLE (column-major, as COCO counts them; a rectangle, or
 * the pixels `maskSpan` covers for an ellipse), `area` their count. Written as a file of its own, or added to an
 * existing COCO label file: its images, ids, categories and annotations kept as they are, new ids after the largest,
 * images matched to the dataset's files by `file_name` (annotations/datasetNames.ts, as an import matches them).
 */
import { ErrorCode, isRecord, type FileWarning, type MaskShape } from '../protocol';
import { VeilError } from '../errors';
import { maskSpan, type Region } from '../redact/geometry';
import type { DatasetNames } from '../annotations/datasetNames';
import type { SidecarImage } from './sidecar';

export const REDACTED_CATEGORY = 'redacted-face';

/** COCO's uncompressed run-length encoding: `size` [height, width], `counts` alternating runs of 0s and 1s, column-major, starting with 0s. */
export interface CocoRle {
  size: [number, number];
  counts: number[];
}

/** The pixels a region of `shape` covers, as COCO's RLE over the whole image, and how many they are. */
export function regionRle(region: Region, shape: MaskShape, width: number, height: number): { segmentation: CocoRle; area: number } {
  const spans = Array.from({ length: region.h }, (_, row) => maskSpan(shape, region, region.y + row));
  const counts: number[] = [];
  let at = 0;
  let area = 0;
  const cover = (start: number, end: number) => {
    if (counts.length > 0 && start === at) counts[counts.length - 1]! += end - start;
    else counts.push(start - at, end - start);
    at = end;
    area += end - start;
  };
  for (let x = region.x; x < region.x + region.w; x++) {
    let runStart = -1;
    for (let row = 0; row <= region.h; row++) {
      const inside = row < region.h && spans[row]![0] <= x && x < spans[row]![1];
      if (inside && runStart < 0) runStart = row;
      else if (!inside && runStart >= 0) {
        cover(x * height + region.y + runStart, x * height + region.y + row);
        runStart = -1;
      }
    }
  }
  if (at < width * height) counts.push(width * height - at);
  return { segmentation: { size: [height, width], counts }, area };
}

/** The ignore annotations of one committed image (ids from `firstId` on). */
function annotationsOf(image: SidecarImage, imageId: unknown, categoryId: number, firstId: number): Array<Record<string, unknown>> {
  return image.regions.map((region, index) => {
    const { segmentation, area } = regionRle(region, image.shape, image.width, image.height);
    return {
      id: firstId + index,
      image_id: imageId,
      category_id: categoryId,
      bbox: [region.x, region.y, region.w, region.h],
      area,
      iscrowd: 1,
      ignore: 1,
      segmentation,
      attributes: { mode: image.mode, shape: image.shape, auditSeq: image.auditSeq },
    };
  });
}

export interface CocoRegions {
  text: string;
  /** Images given ignore regions, and the regions. */
  images: number;
  regions: number;
  skipped: FileWarning[];
}

/** A COCO file of its own: every committed image (those without a region too: nothing of it is to be ignored). */
export function redactionsCoco(images: readonly SidecarImage[], exportedAt: string): CocoRegions {
  const annotations: Array<Record<string, unknown>> = [];
  for (const [index, image] of images.entries()) annotations.push(...annotationsOf(image, index + 1, 1, annotations.length + 1));
  const coco = {
    info: { description: 'Regions Veil redacted (displayed pixels: EXIF orientation applied); mask them out of losses and metrics', version: '1', date_created: exportedAt },
    licenses: [],
    images: images.map((image, index) => ({ id: index + 1, file_name: image.file, width: image.width, height: image.height })),
    annotations,
    categories: [{ id: 1, name: REDACTED_CATEGORY, supercategory: 'face' }],
  };
  return { text: JSON.stringify(coco) + '\n', images: images.filter((image) => image.regions.length > 0).length, regions: annotations.length, skipped: [] };
}

function notMergeable(name: string, why: string): VeilError {
  return new VeilError(ErrorCode.InvalidParams, `cannot take the redacted regions: ${why}`, name);
}

/** The largest numeric `id` of `items` (0 when none is a number). */
function largestId(items: readonly unknown[]): number {
  return items.reduce<number>((largest, item) => (isRecord(item) && typeof item.id === 'number' && Number.isFinite(item.id) ? Math.max(largest, item.id) : largest), 0);
}

/** Sizes named in a refusal before the rest are counted. */
const NAMED_MISMATCHES = 5;

/**
 * `data` (the COCO label file `name`) with the regions of `committed` images added to the images it lists: a label image
 * the dataset does not hold, or one not committed, is kept as it is and named in `skipped`. Refused whole when the file is
 * no COCO file, already holds a `redacted-face` category, or states another size than a committed image's.
 */
export function mergeRedactions(name: string, data: unknown, committed: ReadonlyMap<string, SidecarImage>, names: DatasetNames): CocoRegions {
  if (!isRecord(data)) throw notMergeable(name, 'it is not a COCO object with "images", "annotations" and "categories"');
  for (const key of ['images', 'annotations', 'categories'] as const) if (!Array.isArray(data[key])) throw notMergeable(name, `its "${key}" is not an array`);
  const [labelImages, labelAnnotations, categories] = [data.images, data.annotations, data.categories] as unknown[][];
  if (categories.some((category) => isRecord(category) && category.name === REDACTED_CATEGORY)) {
    throw notMergeable(name, `it holds a "${REDACTED_CATEGORY}" category already (merged before?): merge into the label file without it`);
  }
  const categoryId = largestId(categories) + 1;
  const firstAnnotationId = largestId(labelAnnotations) + 1;
  const added: Array<Record<string, unknown>> = [];
  const skipped: FileWarning[] = [];
  const mismatches: string[] = [];
  let images = 0;
  for (const [index, image] of labelImages.entries()) {
    if (!isRecord(image) || typeof image.file_name !== 'string' || (typeof image.id !== 'number' && typeof image.id !== 'string')) throw notMergeable(name, `images[${index}] has no id and file_name`);
    const matched = names.match({ name: image.file_name, naming: 'path' });
    if ('problem' in matched) {
      skipped.push({ file: image.file_name, message: `kept as it is: ${matched.problem}` });
      continue;
    }
    const redacted = committed.get(matched.file);
    if (!redacted) {
      skipped.push({ file: image.file_name, message: 'kept as it is: not committed (no region of it is redacted)' });
      continue;
    }
    if ((image.width !== undefined || image.height !== undefined) && (image.width !== redacted.width || image.height !== redacted.height)) {
      mismatches.push(`${image.file_name} is ${String(image.width)}x${String(image.height)}, committed ${redacted.width}x${redacted.height}`);
      continue;
    }
    const annotations = annotationsOf(redacted, image.id, categoryId, firstAnnotationId + added.length);
    if (annotations.length > 0) images++;
    added.push(...annotations);
  }
  if (mismatches.length > 0) {
    const more = mismatches.length > NAMED_MISMATCHES ? `, and ${mismatches.length - NAMED_MISMATCHES} more` : '';
    throw notMergeable(name, `its sizes are not the committed images' displayed sizes (${mismatches.slice(0, NAMED_MISMATCHES).join('; ')}${more})`);
  }
  const merged = { ...data, annotations: [...labelAnnotations, ...added], categories: [...categories, { id: categoryId, name: REDACTED_CATEGORY, supercategory: 'face' }] };
  return { text: JSON.stringify(merged) + '\n', images, regions: added.length, skipped };
}
