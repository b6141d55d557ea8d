/** Confines paths to a dataset root: realpath on both sides, then a segment-wise prefix check. */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';

function refuseNul(path: string): void {
  if (path.includes('\0')) throw new VeilError(ErrorCode.BadPath, 'path contains a NUL byte', path.replace(/\0/g, '\\0'));
}

/** The dataset root, resolved through symlinks; refuses a missing root. */
export function resolveRoot(root: string): string {
  refuseNul(root);
  let real: string;
  try {
    real = realpathSync(resolve(root));
  } catch {
    throw new VeilError(ErrorCode.BadPath, 'dataset folder does not exist', root);
  }
  if (!statSync(real).isDirectory()) throw new VeilError(ErrorCode.BadPath, 'is a file, not a dataset folder', root);
  return real;
}

/** True when `child` (already real) is `root` or inside it, compared segment by segment. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `file` (relative to `root`, or absolute) to a real path inside `root`.
 * Symlinks are followed and must land inside the root too.
 */
export function resolveInside(root: string, file: string): string {
  refuseNul(file);
  const candidate = resolve(root, file);
  if (!isInside(root, candidate)) throw new VeilError(ErrorCode.BadPath, 'path is outside the dataset', file);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw new VeilError(ErrorCode.BadPath, 'file does not exist', file);
  }
  if (!isInside(root, real)) throw new VeilError(ErrorCode.BadPath, 'path leads outside the dataset (symlink)', file);
  return real;
}

/** The dataset-relative form of an absolute path inside the root, with forward slashes. */
export function toDatasetPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}

/**
 * Where a new file at `path` really lands: its deepest existing folder resolved through symlinks, plus the rest
 * of the path. Inside/outside decisions about a file about to be written use this, never the path as typed: a
 * link in the path could otherwise lead into a dataset.
 */
export function realWriteTarget(path: string): string {
  refuseNul(path);
  const rest: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      return resolve(realpathSync(dir), ...rest.reverse());
    } catch {
      if (dirname(dir) === dir) throw new VeilError(ErrorCode.BadPath, 'no folder of it exists', path);
      rest.push(basename(dir));
    }
  }
}
