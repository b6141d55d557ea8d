/**
 * Which file of the dataset an imported entry names. A path is taken relative to the dataset root, then to the folder
 * the import was asked for, then by its file name alone when exactly one file of the dataset has it; a stem (a YOLO
 * label file, a VOC file without `<filename>`) the same way without the extension. Anything else is a problem: an
 * unknown file, or a name two files share.
 */
import { stemOf } from './codec';
import type { ReadEntry } from './model';

const NAMED_CANDIDATES = 3;

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * A name as a file gives it, as a relative path with forward slashes, no `./`, no leading slash: a URL's path decoded
 * once; any other name as it is (a COCO or VOC file name is no URL: `100%25.jpg` is that file, not `100%.jpg`).
 */
function normalized(name: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(name) ? decodeURIComponentSafe(new URL(name).pathname) : name;
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** `text` URL-decoded, or as it is when it is no valid encoding (`%zz`): a name never throws. */
export function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function group(files: readonly string[], key: (file: string) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of files) groups.set(key(file), [...(groups.get(key(file)) ?? []), file]);
  return groups;
}

export class DatasetNames {
  private readonly byPath: Map<string, string[]>;
  private readonly byStem: Map<string, string[]>;
  private readonly byBase: Map<string, string[]>;
  private readonly byBaseStem: Map<string, string[]>;

  /** `files`: the dataset's files (relative to its root); `scope`: the folder the import was asked for ('' for the root). */
  constructor(
    files: readonly string[],
    private readonly scope: string,
  ) {
    this.byPath = group(files, (file) => file);
    this.byStem = group(files, stemOf);
    this.byBase = group(files, baseOf);
    this.byBaseStem = group(files, (file) => stemOf(baseOf(file)));
  }

  /** The dataset file `entry` names, or why none is. */
  match(entry: Pick<ReadEntry, 'name' | 'naming'>): { file: string } | { problem: string } {
    const name = normalized(entry.name);
    const [exact, loose] = entry.naming === 'path' ? [this.byPath, this.byBase] : [this.byStem, this.byBaseStem];
    for (const candidate of this.scope === '' ? [name] : [name, `${this.scope}/${name}`]) {
      const found = exact.get(candidate);
      if (found?.length === 1) return { file: found[0] };
      if (found && found.length > 1) return { problem: ambiguous(found) };
    }
    const found = loose.get(baseOf(name)) ?? [];
    if (found.length === 1) return { file: found[0] };
    if (found.length > 1) return { problem: ambiguous(found) };
    return { problem: `is no file of the dataset${entry.naming === 'stem' ? ' (looked for an image of that name with any extension)' : ''}` };
  }
}

function ambiguous(files: readonly string[]): string {
  const named = files.slice(0, NAMED_CANDIDATES).join(', ');
  return `matches ${files.length} files of the dataset (${named}${files.length > NAMED_CANDIDATES ? ', …' : ''}): name it by its path from the dataset root`;
}
