/**
 * YOLO (Darknet / Ultralytics) labels: a folder with `classes.txt` (one class name a line: "face") and one text file
 * per image at the image's path with `.txt` for its extension, one line per box: `class cx cy w h`, the box's centre
 * and size as fractions of the image's width and height, 6 decimals (0.5e-6 of the image's side: 0.002 px on a
 * 4,000 px side). An image without faces gets an empty file (a negative, as YOLO trainers read it). YOLO holds no
 * attributes: source, state, score, reviewer and the edited flag are lost. On import a sixth column is read as a score
 * (Ultralytics' `save_conf`).
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { labelFilesByStem, type AnnotationCodec, type AnnotationInput } from './codec';
import { FACE_LABEL, type ExportImage, type ReadAnnotations, type ReadEntry } from './model';

export const YOLO_CLASSES_FILE = 'classes.txt';
const DECIMALS = 6;

function write(images: readonly ExportImage[]): Map<string, string> {
  const files = new Map<string, string>([[YOLO_CLASSES_FILE, `${FACE_LABEL}\n`]]);
  for (const [name, image] of labelFilesByStem(images, '.txt')) {
    const lines = image.boxes.map((box) => {
      const values = [(box.x + box.w / 2) / image.width, (box.y + box.h / 2) / image.height, box.w / image.width, box.h / image.height];
      return `0 ${values.map((value) => value.toFixed(DECIMALS)).join(' ')}\n`;
    });
    files.set(name, lines.join(''));
  }
  return files;
}

function classesOf(input: Extract<AnnotationInput, { kind: 'folder' }>): string[] | undefined {
  const file = input.files.find((candidate) => candidate.path === YOLO_CLASSES_FILE);
  return file?.text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}

function read(input: AnnotationInput): ReadAnnotations {
  if (input.kind !== 'folder') throw new VeilError(ErrorCode.InvalidParams, `YOLO labels are a folder (a classes.txt and a .txt per image), not one file`, input.name);
  const classes = classesOf(input);
  const used = new Set<number>();
  const entries: ReadEntry[] = [];
  for (const file of input.files) {
    if (file.path === YOLO_CLASSES_FILE || !file.path.endsWith('.txt')) continue;
    const entry: ReadEntry = { name: file.path.slice(0, -'.txt'.length), naming: 'stem', units: 'fraction', boxes: [], problems: [] };
    file.text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      const fields = line.trim().split(/\s+/).map(Number);
      const [cls, cx, cy, w, h, score] = fields;
      if ((fields.length !== 5 && fields.length !== 6) || !fields.every(Number.isFinite) || !Number.isInteger(cls) || cls < 0) {
        entry.problems.push(`line ${index + 1} of ${file.path} is not "class cx cy w h [score]"`);
        return;
      }
      if (classes && cls >= classes.length) {
        entry.problems.push(`line ${index + 1} of ${file.path} names class ${cls}, which ${YOLO_CLASSES_FILE} does not list`);
        return;
      }
      used.add(cls);
      entry.boxes.push({ label: classes ? classes[cls] : String(cls), x: cx - w / 2, y: cy - h / 2, w, h, ...(score === undefined ? {} : { score }) });
    });
    entries.push(entry);
  }
  return { entries, labels: classes ?? [...used].sort((a, b) => a - b).map(String) };
}

export const yolo: AnnotationCodec = {
  lost: ['source, state, score, reviewer and the edited flag (YOLO holds a class and a box only)', 'coordinates beyond 6 decimals of the image side'],
  write,
  read,
};
