/**
 * Which dataset a folder belongs to. A folder inside a dataset (an ancestor holds a dataset's `.veil/`) is that
 * dataset, narrowed to the folder: a command on `photos/2024/` of the dataset `photos/` works on `photos/` and
 * the images under `2024/`, instead of starting a second, nested dataset with its own review state and audit log.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAYOUT, VEIL_DIR } from './layout';
import { resolveRoot, toDatasetPath } from './paths';

export interface DatasetLocation {
  /** The dataset root (real path). */
  root: string;
  /** The folder asked for, relative to the root with forward slashes; '' for the whole dataset. */
  scope: string;
}

/**
 * Files whose presence marks `.veil/` as a dataset's, not e.g. the Veil home `~/.veil` (models, identities): a review
 * state or audit log, or the recipients or policy a person gives a dataset before its first detection.
 */
const DATASET_MARKERS = [LAYOUT.reviewLog, LAYOUT.reviewSnapshot, LAYOUT.auditLog, LAYOUT.recipients, LAYOUT.policy];

export function isDatasetRoot(dir: string): boolean {
  return DATASET_MARKERS.some((name) => existsSync(join(dir, VEIL_DIR, name)));
}

export function locateDataset(folder: string): DatasetLocation {
  const real = resolveRoot(folder);
  for (let dir = real; ; dir = dirname(dir)) {
    if (isDatasetRoot(dir)) return { root: dir, scope: toDatasetPath(dir, real) };
    if (dirname(dir) === dir) return { root: real, scope: '' };
  }
}

/** Whether a dataset-relative file lies in `scope`. */
export function inScope(file: string, scope: string): boolean {
  return scope === '' || file.startsWith(`${scope}/`);
}
