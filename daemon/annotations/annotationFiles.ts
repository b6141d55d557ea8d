/**
 * Reading an annotation file (or folder) to import, and writing an export: where an export may go (never inside
 * `.veil/`), and how it lands: a file replaced atomically; a folder written aside and swapped in whole by two renames, so
 * no label file of an image since removed survives, and a run killed while writing leaves the previous export as it was
 * (a previous export already holding the same labels is left as it is, but for its marker).
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode, type AnnotationFormat } from '../protocol';
import { VeilError } from '../errors';
import { isInside, realWriteTarget } from '../dataset/paths';
import { veilDir } from '../dataset/layout';
import { faceFileKind } from '../image/formats';
import { publish, syncDir, tempPathFor, writeAtomic } from '../storage/durable';
import { holdsTree, removeTree, writeFileTree } from '../storage/fileTree';
import { readRegularFile, type FileRule } from '../storage/regularFile';
import { sha256Hex } from '../storage/hash';
import { eachInFlight } from '../core/inFlight';
import type { AnnotationInput } from './codec';

/** A COCO or Label Studio file of 100,000 images with 3 boxes each is ~60 MB; a JSON text must stay well under V8's 512 MB string limit. */
const ANNOTATION_FILE: FileRule = { what: 'an annotation file', maxBytes: 256 * 1024 * 1024 };
/** One image's YOLO or VOC file. */
const LABEL_FILE: FileRule = { what: 'a label file', maxBytes: 16 * 1024 * 1024 };
const LABEL_EXTENSIONS = ['.txt', '.xml'];
/** Label files read or written at once (each holds a file descriptor meanwhile: thousands at once run out of them). */
const FILES_IN_FLIGHT = 32;
/** Marks a folder as a Veil export: only such a folder (or an empty one) is replaced by the next export. */
export const EXPORT_MARKER = '.veil-export.json';

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(dir, path)));
    else if (LABEL_EXTENSIONS.some((extension) => entry.name.toLowerCase().endsWith(extension))) found.push(path);
  }
  return found;
}

/**
 * The input and its sha256 (as the import's audit entry records it): of a file, its bytes; of a folder, its listing,
 * `<path>\0<sha256>\n` for each .txt and .xml file under it (hidden ones skipped), sorted by path.
 */
export async function readAnnotationInput(path: string): Promise<{ input: AnnotationInput; sha256: string }> {
  const info = await stat(path).catch(() => {
    throw new VeilError(ErrorCode.BadPath, 'does not exist', path);
  });
  if (!info.isDirectory()) {
    const bytes = await readRegularFile(path, path, ANNOTATION_FILE);
    return { input: { kind: 'file', name: path, text: bytes.toString('utf8') }, sha256: sha256Hex(bytes) };
  }
  const paths = (await filesUnder(path)).sort();
  // A few at a time: read all at once, 5,000 label files ran out of file descriptors (EMFILE) under `ulimit -n 1024`.
  const files = paths.map((file): { path: string; bytes: Buffer } => ({ path: file, bytes: Buffer.alloc(0) }));
  await eachInFlight(files, FILES_IN_FLIGHT, async (file) => {
    file.bytes = await readRegularFile(join(path, ...file.path.split('/')), file.path, LABEL_FILE);
  });
  const listing = files.map((file) => `${file.path}\0${sha256Hex(file.bytes)}\n`).join('');
  return { input: { kind: 'folder', files: files.map((file) => ({ path: file.path, text: file.bytes.toString('utf8') })) }, sha256: sha256Hex(listing) };
}

/** Refuses an output inside the dataset's `.veil/` (links resolved: it holds Veil's state, nothing else belongs there) or in place of one of its images. */
export function checkOutput(root: string, out: string): void {
  const real = realWriteTarget(out);
  if (isInside(veilDir(root), real)) throw new VeilError(ErrorCode.BadPath, "is inside the dataset's .veil/ folder: write exports elsewhere", out);
  if (isInside(root, real) && faceFileKind(real) !== undefined) throw new VeilError(ErrorCode.BadPath, 'is an image or video of the dataset, not a place for labels', out);
}

async function isVeilExportOrEmpty(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.length === 0 || names.includes(EXPORT_MARKER);
}

/** Writes one file (replaced atomically) or a folder of files (written aside, then swapped in). */
export async function writeExport(out: string, format: AnnotationFormat, content: string | Map<string, string>, exportedAt: string): Promise<void> {
  const existing = await stat(out).catch(() => undefined);
  await mkdir(dirname(out), { recursive: true });
  if (typeof content === 'string') {
    if (existing?.isDirectory()) throw new VeilError(ErrorCode.BadPath, `is a folder: ${format} is written to one file`, out);
    await writeAtomic(out, Buffer.from(content));
    return;
  }
  if (existing && !existing.isDirectory()) throw new VeilError(ErrorCode.BadPath, `is a file: ${format} is written to a folder`, out);
  if (existing && !(await isVeilExportOrEmpty(out))) throw new VeilError(ErrorCode.BadPath, `holds files no Veil export wrote: give an empty or new folder`, out);
  const marker = Buffer.from(JSON.stringify({ format, exportedAt }) + '\n');
  // The earlier export holds these very labels: only its marker is written again, nothing is swapped.
  if (existing && (await holdsTree(out, content, [EXPORT_MARKER]))) {
    await writeAtomic(join(out, EXPORT_MARKER), marker);
    return;
  }
  const fresh = tempPathFor(out);
  try {
    await mkdir(fresh);
    await writeFile(join(fresh, EXPORT_MARKER), marker);
    // Folders first, then the files (one label file per image: 100,000 images write 100,000 files; not fsync'd: an
    // export is derived, run it again after a power loss). A file the previous export holds unchanged is linked from it.
    for (const folder of new Set([...content.keys()].map((path) => dirname(path)).filter((folder) => folder !== '.'))) await mkdir(join(fresh, folder), { recursive: true });
    await writeFileTree(fresh, content, existing ? out : undefined);
    if (existing) {
      const old = tempPathFor(out);
      await rename(out, old);
      await publish(fresh, out);
      await removeTree(old);
    } else await publish(fresh, out);
    await syncDir(dirname(out));
  } catch (error) {
    await rm(fresh, { recursive: true, force: true });
    throw error;
  }
}
