/**
 * What of `.veil/` belongs in version control (README "Git and DVC"), decided once for every name of the layout: a
 * record over LayoutName, so a name added to the layout does not compile until someone decides. Veil writes what follows
 * from it the first time a daemon opens a dataset (or renders one of its images): `.veil/.gitignore`, and, when the
 * dataset lies in a DVC project (a `.dvc/` folder in it or above it), a block of `.dvcignore` entries at the project's
 * root (DVC refuses a `.dvcignore` inside a tracked folder, and `dvc add` of the dataset folder would track `.veil/`).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { LAYOUT, veilDir, veilPath, VEIL_DIR, type LayoutName } from './layout';
import { TEMP_MARKER, writeAtomic } from '../storage/durable';

export type Versioning =
  /** The dataset's state: review decisions, the audit log, policy, recipients. Version it with the images. */
  | 'versioned'
  /** Encrypted originals: versionable, but every clone then holds them (README "Git and DVC": think first). */
  | 'ciphertext'
  /** Renditions (they show faces), work in flight, locks, caches and reports Veil writes again: never versioned. */
  | 'ignored';

export const VERSIONING: Record<LayoutName, Versioning> = {
  reviewSnapshot: 'versioned',
  reviewLog: 'versioned',
  exclusions: 'versioned',
  auditLog: 'versioned',
  recipients: 'versioned',
  policy: 'versioned',
  vault: 'ciphertext',
  vaultRecipients: 'versioned',
  // Derived from the audit log and the review state, and versioned with the images it describes: a training job reads it.
  redactions: 'versioned',
  rotationPlan: 'ignored',
  journal: 'ignored',
  reports: 'ignored',
  backupCache: 'ignored',
  thumbs: 'ignored',
  display: 'ignored',
  commitLock: 'ignored',
  reviewLock: 'ignored',
  auditLock: 'ignored',
  policyLock: 'ignored',
  retentionLock: 'ignored',
  redactionsLock: 'ignored',
  shardLocks: 'ignored',
  // Part of the review state and the audit trail until folded into them (then deleted): versioned like them.
  segments: 'versioned',
  // Versioned, so that every clone ignores the same.
  gitignore: 'versioned',
};

/** The `.veil/` names never versioned. */
export const IGNORED_NAMES: readonly LayoutName[] = (Object.keys(VERSIONING) as LayoutName[]).filter((name) => VERSIONING[name] === 'ignored');

/** A path as a gitignore pattern matches it literally (DVC reads the same syntax). */
function literal(path: string): string {
  return path.replace(/[\\*?[\]]/g, (character) => `\\${character}`).replace(/ $/, '\\ ');
}

/** Temp files a killed writer leaves (`.<name>.veil-tmp-…`, storage/durable.ts), at any depth. */
const TEMP_PATTERN = `.*${TEMP_MARKER}*`;

const HEADER = [
  '# Written by Veil (daemon/dataset/versionControl.ts) each time it opens the dataset: what of .veil/ never belongs',
  '# in version control. Renditions show faces; the rest is work in flight, locks, caches and reports Veil writes again.',
  '# Edit the repository\'s own ignore files instead: this one is rewritten.',
];

export function gitignoreText(): string {
  return [...HEADER, ...IGNORED_NAMES.map((name) => `/${literal(LAYOUT[name])}`), TEMP_PATTERN, ''].join('\n');
}

/** The DVC project `root` lies in: the nearest folder, `root` itself or above, that holds a `.dvc/` folder. */
export function dvcProjectOf(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const marker = join(dir, '.dvc');
    if (existsSync(marker) && statSync(marker).isDirectory()) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `.dvcignore` with this dataset's block in it (replaced in place, or added at the end): its ignored names, and temp files anywhere in it. */
export function dvcignoreText(existing: string, datasetPath: string): string {
  const name = datasetPath === '' ? '.' : datasetPath;
  const prefix = datasetPath === '' ? '' : `/${literal(datasetPath)}`;
  const [begin, end] = [`# >>> veil: ${name}`, `# <<< veil: ${name}`];
  const block = [
    begin,
    "# Written by Veil each time it opens the dataset: its transient files (renditions show faces). Edit outside this block.",
    ...IGNORED_NAMES.map((ignored) => `${prefix}/${VEIL_DIR}/${literal(LAYOUT[ignored])}`),
    `${prefix}/**/${TEMP_PATTERN}`,
    end,
  ];
  const lines = existing === '' ? [] : existing.replace(/\n$/, '').split('\n');
  const from = lines.indexOf(begin);
  const to = from < 0 ? -1 : lines.indexOf(end, from);
  if (from < 0 || to < 0) return [...lines, ...block, ''].join('\n');
  return [...lines.slice(0, from), ...block, ...lines.slice(to + 1), ''].join('\n');
}

async function writeIfChanged(path: string, text: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current !== text) await writeAtomic(path, Buffer.from(text));
}

const writing = new Map<string, Promise<void>>();

/**
 * Writes `.veil/.gitignore` (and the DVC block) of the dataset at `root` (a real path), once per daemon process; every
 * caller waits for that one write. A failure is reported on stderr and never keeps anyone from working (a read-only
 * copy of a dataset can still be read).
 */
export function writeIgnoreFiles(root: string): Promise<void> {
  let once = writing.get(root);
  if (!once) {
    once = writeNow(root).catch((error: Error) => {
      process.stderr.write(`[veil] ignore files of ${root} not written: ${error.message}\n`);
    });
    writing.set(root, once);
  }
  return once;
}

async function writeNow(root: string): Promise<void> {
  await mkdir(veilDir(root), { recursive: true });
  await writeIfChanged(veilPath(root, 'gitignore'), gitignoreText());
  const project = dvcProjectOf(root);
  if (project === undefined) return;
  const path = join(project, '.dvcignore');
  await writeIfChanged(path, dvcignoreText(await readFile(path, 'utf8').catch(() => ''), relative(project, root).split(sep).join('/')));
}
