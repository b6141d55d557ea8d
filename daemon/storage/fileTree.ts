/**
 * Many small files written, compared or removed at once (an export's label files: one per image, 100,000 in
 * `bench/largeDataset.ts`), one system call after another on the daemon's thread, in slices of SLICE_MS between which
 * other requests get through. Why not `fs.promises`: each file is then several trips through libuv's pool of four
 * threads and a promise or FileHandle apiece, and at this count that overhead is most of the cost (numbers below:
 * 2 shared cores at load 3–5, interleaved runs).
 */
import { closeSync, constants, fstatSync, linkSync, openSync, readdirSync, readSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** The longest the event loop is held between two turns. */
const SLICE_MS = 20;

/** A pause to await between two system calls: it lets the event loop through once SLICE_MS has passed since the last one. */
function slicer(): () => Promise<void> {
  let sliceStart = performance.now();
  return async () => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await nextTurn();
    sliceStart = performance.now();
  };
}

/** Whether the file at `path` is a regular file (not a link, a FIFO, a device) holding exactly `expected`. */
function holds(path: string, expected: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size !== expected.length) return false;
    const actual = Buffer.allocUnsafe(expected.length);
    return readSync(fd, actual, 0, expected.length, 0) === expected.length && actual.equals(expected);
  } finally {
    closeSync(fd);
  }
}

/**
 * `previous` hard-linked at `target` when it holds `expected` (checked on the new name, so what stays is what was
 * read); otherwise false, and nothing left at `target`. `previous` itself is never changed.
 */
function linkedFrom(previous: string, target: string, expected: Buffer): boolean {
  try {
    linkSync(previous, target);
  } catch {
    return false;
  }
  if (holds(target, expected)) return true;
  unlinkSync(target);
  return false;
}

/**
 * Creates each of `files` (paths relative to `dir` with forward slashes, their folders already made; an existing name is
 * an error), or hard-links it from the same path under `reuse` when the file there holds the same bytes: a link
 * neither creates nor frees an inode. 100,000 label files into a new folder: 6.9–7.6 s as `fs.promises.writeFile`, 32
 * at once (2.2 s of CPU in JavaScript alone), 2.8–3.6 s this way, of which creating the files in the kernel is 2.6 s;
 * 2 or 4 worker threads doing the same took 4.1–5.7 s in the same runs: no gain on these cores. Linked from the
 * previous export (`reuse`), unchanged: 2.6 s (a link 1.7 s, the compare 0.9 s), and the files the swap then removes
 * free no inode. That matters on an ext4 without a journal (this machine's): creating a file there, the inode allocator
 * skips every inode freed in the last minutes, one cache lookup apiece, so 100,000 files created after as many were
 * freed nearby took 20–40 s instead of 3 s: what exports into one folder a few minutes apart met, each freeing the last.
 */
export async function writeFileTree(dir: string, files: ReadonlyMap<string, string>, reuse?: string): Promise<void> {
  const pause = slicer();
  for (const [path, text] of files) {
    const target = join(dir, ...path.split('/'));
    const linked = reuse !== undefined && linkedFrom(join(reuse, ...path.split('/')), target, Buffer.from(text));
    if (!linked) writeFileSync(target, text, { flag: 'wx' });
    await pause();
  }
}

/** Every folder `paths` (relative, forward slashes) lie in, parents included ('' not). */
function foldersOf(paths: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of paths) for (let folder = dirname(path); folder !== '.' && !folders.has(folder); folder = dirname(folder)) folders.add(folder);
  return folders;
}

/**
 * Whether `dir` holds exactly `files`: no other file or folder (but the files named in `besides`), no link, each file's
 * bytes the same; it reads no further than the first difference. An export that would change nothing then writes
 * nothing: 100,000 unchanged label files compared in 0.9 s, where writing the folder again costs 2.6 s and removing
 * the previous one 0.9 s.
 */
export async function holdsTree(dir: string, files: ReadonlyMap<string, string>, besides: readonly string[]): Promise<boolean> {
  const folders = foldersOf(files.keys());
  let listed = 0;
  const listedOnly = (prefix: string): boolean => {
    for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!folders.has(path) || !listedOnly(path)) return false;
      } else if (!besides.includes(path)) {
        if (!entry.isFile() || !files.has(path)) return false;
        listed++;
      }
    }
    return true;
  };
  if (!listedOnly('') || listed !== files.size) return false;
  const pause = slicer();
  for (const [path, text] of files) {
    if (!holds(join(dir, ...path.split('/')), Buffer.from(text))) return false;
    await pause();
  }
  return true;
}

/**
 * Removes `dir` and everything under it (links are removed, not followed). 100,000 files: `fs.promises.rm` 4.0–5.3 s,
 * `fs.rmSync` 1.1 s (an lstat and an unlink each), this 0.8 s (an unlink each: readdir gives the type).
 */
export async function removeTree(dir: string): Promise<void> {
  const pause = slicer();
  const remove = async (folder: string): Promise<void> => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await remove(path);
      else unlinkSync(path);
      await pause();
    }
    rmdirSync(folder);
  };
  await remove(dir);
}
