/**
 * Label Studio JSON tasks (one file): one task per image, `data.image` its dataset path (point a local-files storage at
 * the dataset, or rewrite them). Boxes still to decide (proposed, possible) are the task's `predictions`, decided ones
 * (accepted, rejected) its `annotations`: what Label Studio shows as pre-annotations and as labels. Each box is a
 * `rectanglelabels` result in percent of `original_width`/`original_height` (JSON numbers: exact but for float
 * rounding, ~1e-13 of the side), with Veil's attributes in its `meta.veil`. On import, a result of a prediction is a
 * box still to decide: a trusted import keeps it proposed unless its `meta.veil.state` says otherwise.
 */
import { isFiniteNumber, isRecord } from '../protocol';
import { parseJsonInput, veilAttributes, veilAttributesOf, type AnnotationCodec, type AnnotationInput } from './codec';
import { FACE_LABEL, type ExportBox, type ExportImage, type ReadAnnotations, type ReadEntry } from './model';
import { decodeURIComponentSafe } from './datasetNames';

const UNDECIDED = new Set(['proposed', 'possible']);

function resultOf(box: ExportBox, image: ExportImage, index: number): Record<string, unknown> {
  return {
    id: `veil${index}`,
    type: 'rectanglelabels',
    from_name: 'label',
    to_name: 'image',
    original_width: image.width,
    original_height: image.height,
    image_rotation: 0,
    value: { x: (box.x / image.width) * 100, y: (box.y / image.height) * 100, width: (box.w / image.width) * 100, height: (box.h / image.height) * 100, rotation: 0, rectanglelabels: [FACE_LABEL] },
    ...(box.score === null ? {} : { score: box.score }),
    meta: { veil: veilAttributesOf(box) },
  };
}

function write(images: readonly ExportImage[]): string {
  const tasks = images.map((image) => {
    const results = image.boxes.map((box, index) => ({ box, result: resultOf(box, image, index) }));
    const decided = results.filter(({ box }) => !UNDECIDED.has(box.state)).map(({ result }) => result);
    const undecided = results.filter(({ box }) => UNDECIDED.has(box.state)).map(({ result }) => result);
    return {
      data: { image: image.file },
      annotations: decided.length > 0 ? [{ result: decided }] : [],
      predictions: undecided.length > 0 ? [{ model_version: 'veil', result: undecided }] : [],
    };
  });
  return JSON.stringify(tasks) + '\n';
}

/** The image a task names: `data.image` (a local-files URL's `?d=` path decoded), else its first string. */
function imageOf(task: Record<string, unknown>): string | undefined {
  const data = isRecord(task.data) ? task.data : {};
  const value = typeof data.image === 'string' ? data.image : Object.values(data).find((candidate): candidate is string => typeof candidate === 'string');
  if (value === undefined) return undefined;
  const local = value.indexOf('?d=');
  // Decoded here, once: datasetNames.ts takes a plain name as it is.
  return local >= 0 ? decodeURIComponentSafe(value.slice(local + 3)) : value;
}

function addResults(entry: ReadEntry, results: unknown, decided: boolean, labels: Set<string>): void {
  if (!Array.isArray(results)) return void entry.problems.push('has a result that is not an array');
  for (const result of results) {
    if (!isRecord(result) || result.type !== 'rectanglelabels') continue;
    const value = isRecord(result.value) ? result.value : {};
    const { x, y, width, height } = value;
    if (!isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(width) || !isFiniteNumber(height)) {
      entry.problems.push(`result ${JSON.stringify(result.id ?? '?')} has no x, y, width and height`);
      continue;
    }
    if (isFiniteNumber(value.rotation) && Math.abs(value.rotation) > 1e-9) {
      entry.problems.push(`result ${JSON.stringify(result.id ?? '?')} is rotated ${value.rotation}°: Veil's boxes are upright`);
      continue;
    }
    if (isFiniteNumber(result.original_width) && isFiniteNumber(result.original_height)) {
      const size = { width: result.original_width, height: result.original_height };
      if (entry.size && (entry.size.width !== size.width || entry.size.height !== size.height)) entry.problems.push('its results give two different original sizes');
      entry.size = size;
    }
    const label = Array.isArray(value.rectanglelabels) && typeof value.rectanglelabels[0] === 'string' ? value.rectanglelabels[0] : '';
    labels.add(label);
    const meta = isRecord(result.meta) ? result.meta.veil : undefined;
    entry.boxes.push({ label, x: x / 100, y: y / 100, w: width / 100, h: height / 100, decided, ...veilAttributes(meta, result.score) });
  }
}

function read(input: AnnotationInput): ReadAnnotations {
  const { data } = parseJsonInput(input, 'Label Studio');
  const tasks = Array.isArray(data) ? data : [data];
  const labels = new Set<string>();
  const entries = tasks.map((task, index): ReadEntry => {
    const name = isRecord(task) ? imageOf(task) : undefined;
    const entry: ReadEntry = { name: name ?? `tasks[${index}]`, naming: 'path', units: 'fraction', boxes: [], problems: name ? [] : ['names no image (data.image)'] };
    if (!isRecord(task)) return entry;
    for (const annotation of Array.isArray(task.annotations) ? task.annotations : []) {
      if (isRecord(annotation) && annotation.was_cancelled !== true) addResults(entry, annotation.result, true, labels);
    }
    for (const prediction of Array.isArray(task.predictions) ? task.predictions : []) {
      if (isRecord(prediction)) addResults(entry, prediction.result, false, labels);
    }
    return entry;
  });
  return { entries, labels: [...labels] };
}

export const labelStudio: AnnotationCodec = {
  lost: [],
  write,
  read,
};
