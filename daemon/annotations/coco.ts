/**
 * COCO object detection JSON (one file): `images` with their displayed size, one `annotations` entry per box with
 * `bbox` [x, y, w, h] in pixels (JSON numbers: exact), one category "face". Veil's attributes go in each annotation's
 * `attributes` (as CVAT writes them), and a score also in `score` (as detection results carry it). COCO has no video.
 */
import { ErrorCode, isFiniteNumber, isRecord } from '../protocol';
import { VeilError } from '../errors';
import { parseJsonInput, veilAttributes, veilAttributesOf, type AnnotationCodec, type AnnotationInput } from './codec';
import { FACE_LABEL, type ReadAnnotations, type ReadEntry } from './model';

const CATEGORY_ID = 1;

function write(images: Parameters<AnnotationCodec['write']>[0], exportedAt: string): string {
  let annotationId = 0;
  const annotations = images.flatMap((image, index) =>
    image.boxes.map((box) => ({
      id: ++annotationId,
      image_id: index + 1,
      category_id: CATEGORY_ID,
      bbox: [box.x, box.y, box.w, box.h],
      area: box.w * box.h,
      iscrowd: 0,
      ...(box.score === null ? {} : { score: box.score }),
      attributes: veilAttributesOf(box),
    })),
  );
  const coco = {
    info: { description: 'Face boxes exported by Veil (displayed pixels: EXIF orientation applied)', version: '1', date_created: exportedAt },
    licenses: [],
    images: images.map((image, index) => ({ id: index + 1, file_name: image.file, width: image.width, height: image.height })),
    annotations,
    categories: [{ id: CATEGORY_ID, name: FACE_LABEL, supercategory: 'person' }],
  };
  return JSON.stringify(coco) + '\n';
}

function notCoco(name: string, why: string): VeilError {
  return new VeilError(ErrorCode.InvalidParams, `is not a COCO file: ${why}`, name);
}

function read(input: AnnotationInput): ReadAnnotations {
  const { name, data } = parseJsonInput(input, 'COCO');
  if (!isRecord(data)) throw notCoco(name, 'expected an object with "images", "annotations" and "categories"');
  for (const key of ['images', 'annotations', 'categories']) if (!Array.isArray(data[key])) throw notCoco(name, `"${key}" is not an array`);
  const categories = new Map<unknown, string>();
  (data.categories as unknown[]).forEach((category, index) => {
    if (!isRecord(category) || typeof category.name !== 'string' || (typeof category.id !== 'number' && typeof category.id !== 'string')) throw notCoco(name, `categories[${index}] has no id and name`);
    categories.set(category.id, category.name);
  });
  const entries: ReadEntry[] = [];
  const byId = new Map<unknown, ReadEntry>();
  (data.images as unknown[]).forEach((image, index) => {
    const fileName = isRecord(image) ? image.file_name : undefined;
    const entry: ReadEntry = { name: typeof fileName === 'string' && fileName !== '' ? fileName : `images[${index}]`, naming: 'path', units: 'pixels', boxes: [], problems: [] };
    if (!isRecord(image) || (typeof image.id !== 'number' && typeof image.id !== 'string')) entry.problems.push('has no id');
    else if (byId.has(image.id)) entry.problems.push(`has the id ${JSON.stringify(image.id)} of another image of the file`);
    else byId.set(image.id, entry);
    if (typeof fileName !== 'string' || fileName === '') entry.problems.push('has no file_name');
    if (isRecord(image) && (image.width !== undefined || image.height !== undefined)) {
      if (isFiniteNumber(image.width) && isFiniteNumber(image.height) && image.width > 0 && image.height > 0) entry.size = { width: image.width, height: image.height };
      else entry.problems.push('width/height are not positive numbers');
    }
    entries.push(entry);
  });
  const annotations = data.annotations as unknown[];
  for (const [index, annotation] of annotations.entries()) {
    const where = `annotations[${index}]`;
    const entry = isRecord(annotation) ? byId.get(annotation.image_id) : undefined;
    if (!isRecord(annotation) || !entry) {
      const why = isRecord(annotation) ? `names image id ${JSON.stringify(annotation.image_id)}, which the file does not list` : 'is not an object';
      entries.push({ name: where, naming: 'path', units: 'pixels', boxes: [], problems: [why] });
      continue;
    }
    const label = categories.get(annotation.category_id);
    const bbox = annotation.bbox;
    if (label === undefined) entry.problems.push(`${where} names category ${JSON.stringify(annotation.category_id)}, which the file does not list`);
    else if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFiniteNumber)) entry.problems.push(`${where} has no bbox of four numbers`);
    else {
      const [x, y, w, h] = bbox as number[];
      entry.boxes.push({ label, x, y, w, h, ...veilAttributes(annotation.attributes, annotation.score) });
    }
  }
  return { entries, labels: [...new Set(categories.values())] };
}

export const coco: AnnotationCodec = {
  lost: [],
  write,
  read,
};
