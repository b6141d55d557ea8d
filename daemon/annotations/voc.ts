/**
 * Pascal VOC: one XML file per image at the image's path with `.xml` for its extension, `<size>` the displayed size,
 * one `<object>` per box named "face" with `<bndbox>` xmin/ymin/xmax/ymax as pixel edges (0-based: xmin = x,
 * xmax = x + w), 2 decimals. Veil's attributes are extra elements of each object, as CVAT writes them:
 * `<attributes><attribute><name>state</name><value>accepted</value></attribute>…</attributes>`. Import takes a folder
 * of such files or one file; the image is the file's folder joined with `<filename>` (or the XML's own name).
 */
import { ErrorCode, isRecord } from '../protocol';
import { VeilError } from '../errors';
import { labelFilesByStem, rounded, veilAttributes, veilAttributesOf, type AnnotationCodec, type AnnotationInput } from './codec';
import { FACE_LABEL, type ExportImage, type ReadAnnotations, type ReadEntry } from './model';
import { child, children, escapeXml, parseXml, XmlSyntaxError, type XmlElement } from './xml';

const DECIMALS = 2;

function coordinate(value: number): string {
  return String(rounded(value, DECIMALS));
}

function objectXml(box: ExportImage['boxes'][number]): string {
  const attributes = Object.entries(veilAttributesOf(box))
    .filter(([name, value]) => name !== 'reviewer' || value !== null)
    .map(([name, value]) => `      <attribute><name>${name}</name><value>${escapeXml(String(value))}</value></attribute>\n`)
    .join('');
  return (
    `  <object>\n    <name>${FACE_LABEL}</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n    <difficult>0</difficult>\n` +
    `    <bndbox><xmin>${coordinate(box.x)}</xmin><ymin>${coordinate(box.y)}</ymin><xmax>${coordinate(box.x + box.w)}</xmax><ymax>${coordinate(box.y + box.h)}</ymax></bndbox>\n` +
    `    <attributes>\n${attributes}    </attributes>\n  </object>\n`
  );
}

function write(images: readonly ExportImage[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, image] of labelFilesByStem(images, '.xml')) {
    const slash = image.file.lastIndexOf('/');
    files.set(
      name,
      `<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n  <folder>${escapeXml(image.file.slice(0, Math.max(0, slash)))}</folder>\n  <filename>${escapeXml(image.file.slice(slash + 1))}</filename>\n` +
        `  <source><database>Veil</database></source>\n  <size><width>${image.width}</width><height>${image.height}</height><depth>3</depth></size>\n  <segmented>0</segmented>\n` +
        image.boxes.map(objectXml).join('') +
        '</annotation>\n',
    );
  }
  return files;
}

function numberIn(element: XmlElement | undefined, name: string): number | undefined {
  const text = element && child(element, name)?.text;
  const value = text === undefined || text === '' ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** CVAT's `<attributes><attribute><name>…</name><value>…</value></attribute></attributes>` as an object of strings (numbers, flags and null parsed). */
function attributesIn(object: XmlElement): Record<string, unknown> {
  const list = child(object, 'attributes');
  const found: Record<string, unknown> = {};
  for (const attribute of list ? children(list, 'attribute') : []) {
    const name = child(attribute, 'name')?.text;
    const text = child(attribute, 'value')?.text ?? '';
    if (!name) continue;
    found[name] = text === 'true' ? true : text === 'false' ? false : text === 'null' ? null : text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  }
  return found;
}

function entryOf(path: string, text: string): ReadEntry {
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    return { name: path, naming: 'path', units: 'pixels', boxes: [], problems: [`${path} is not well-formed XML (${error.message})`] };
  }
  const filename = child(root, 'filename')?.text;
  const entry: ReadEntry = filename
    ? { name: `${folder}${filename}`, naming: 'path', units: 'pixels', boxes: [], problems: [] }
    : { name: path.replace(/\.xml$/i, ''), naming: 'stem', units: 'pixels', boxes: [], problems: [] };
  if (root.name !== 'annotation') entry.problems.push(`${path}: the root element is <${root.name}>, not <annotation>`);
  const size = child(root, 'size');
  const [width, height] = [numberIn(size, 'width'), numberIn(size, 'height')];
  if (width !== undefined && height !== undefined && width > 0 && height > 0) entry.size = { width, height };
  children(root, 'object').forEach((object, index) => {
    const bndbox = child(object, 'bndbox');
    const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((name) => numberIn(bndbox, name));
    if (xmin === undefined || ymin === undefined || xmax === undefined || ymax === undefined) {
      entry.problems.push(`${path}: object ${index + 1} has no bndbox of four numbers`);
      return;
    }
    const attributes = attributesIn(object);
    entry.boxes.push({ label: child(object, 'name')?.text ?? '', x: xmin, y: ymin, w: xmax - xmin, h: ymax - ymin, ...veilAttributes(isRecord(attributes) ? attributes : {}) });
  });
  return entry;
}

function read(input: AnnotationInput): ReadAnnotations {
  const files = input.kind === 'file' ? [{ path: input.name.slice(input.name.lastIndexOf('/') + 1), text: input.text }] : input.files.filter((file) => file.path.toLowerCase().endsWith('.xml'));
  if (files.length === 0) throw new VeilError(ErrorCode.InvalidParams, 'holds no .xml file', input.kind === 'file' ? input.name : undefined);
  const entries = files.map((file) => entryOf(file.path, file.text));
  return { entries, labels: [...new Set(entries.flatMap((entry) => entry.boxes.map((box) => box.label)))] };
}

export const voc: AnnotationCodec = {
  lost: ['coordinates beyond 2 decimals of a pixel'],
  write,
  read,
};
