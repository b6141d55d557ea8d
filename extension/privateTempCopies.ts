/**
 * Where Reveal Original writes an original too large to show from memory (above MAX_READ_ORIGINAL_BYTES: a long
 * video): `vault/open` streams it, decrypted, into a file of its own here, and the editor opens that file.
 *
 * The folder is made by mkdtemp under the OS temp folder, mode 0700, one per VS Code session; each copy gets a 0700
 * subfolder of its own (so the tab shows the original's name and two reveals of one file never clash) and is written
 * 0600 by the daemon. Never inside the dataset (a copy there could be committed or synced as if it were the data) and
 * not in the Veil home (it holds keys and models, and is backed up). A copy is deleted when no tab shows it any more,
 * and the folder when the session ends; one left by a session that crashed is found and deleted by the next
 * (`sweepLeftovers`), since the OS cleans its temp folder only at reboot on most systems.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

export const TEMP_COPIES_PREFIX = 'veil-originals-';

export class PrivateTempCopies {
  private folder: Promise<string> | undefined;
  private readonly copies = new Set<string>();

  constructor(private readonly parent: string = tmpdir()) {}

  /** A new path, in a new 0700 folder, named like `file` (dataset-relative), for the daemon to write a copy to. */
  async pathFor(file: string): Promise<string> {
    this.folder ??= mkdtemp(join(this.parent, `${TEMP_COPIES_PREFIX}${process.pid}-`));
    const own = join(await this.folder, randomBytes(8).toString('hex'));
    await mkdir(own, { mode: 0o700 });
    const path = join(own, basename(file));
    this.copies.add(path);
    return path;
  }

  /** The copies made and not yet removed. */
  get paths(): string[] {
    return [...this.copies];
  }

  /** Deletes the copy at `path` (one `pathFor` gave) with its folder. */
  async remove(path: string): Promise<void> {
    if (!this.copies.delete(path)) return;
    await rm(dirname(path), { recursive: true, force: true });
  }

  /** Deletes every copy and the session's folder. */
  async dispose(): Promise<void> {
    this.copies.clear();
    const folder = this.folder;
    this.folder = undefined;
    if (folder) await rm(await folder, { recursive: true, force: true });
  }

  /**
   * Deletes the folders of sessions whose process is gone (crashed: a session that ends deletes its own); another
   * VS Code window's, whose process runs, is kept.
   */
  async sweepLeftovers(): Promise<string[]> {
    const swept: string[] = [];
    for (const name of await readdir(this.parent).catch(() => [])) {
      const pid = name.startsWith(TEMP_COPIES_PREFIX) ? Number(name.slice(TEMP_COPIES_PREFIX.length).split('-')[0]) : NaN;
      if (!(Number.isInteger(pid) && pid > 0) || processRuns(pid)) continue;
      const path = join(this.parent, name);
      const info = await lstat(path).catch(() => undefined);
      // Only this user's folders, and never a link planted in a shared temp folder.
      if (!info?.isDirectory() || (process.getuid && info.uid !== process.getuid())) continue;
      await rm(path, { recursive: true, force: true });
      swept.push(path);
    }
    return swept;
  }
}

/** Whether a process `pid` runs (signal 0 checks without signalling; EPERM: it runs, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
