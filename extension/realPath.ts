/** A folder's or file's real path (links resolved), as the daemon names datasets; undefined when it is gone. */
import { realpathSync } from 'node:fs';

export function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
