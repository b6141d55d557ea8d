/**
 * Which process runs a given script, and which files it has mapped (its native libraries), read from Linux's
 * /proc: the proof that the daemon and its native modules came from the installed extension and not the checkout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Ids of the processes whose command line has `script` as an argument. */
export function processesRunning(script: string): number[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  return pids.filter((pid) => readOrEmpty(join('/proc', pid, 'cmdline')).split('\0').includes(script)).map(Number);
}

/** The files mapped into a process's memory (executable, shared libraries, native addons). */
export function mappedFiles(pid: number): string[] {
  const lines = readOrEmpty(join('/proc', String(pid), 'maps')).split('\n');
  // Each line: address perms offset dev inode [path]; the path is the sixth field when the mapping has one.
  const paths = lines.map((line) => line.trim().split(/\s+/).slice(5).join(' ')).filter((path) => path.startsWith('/'));
  return [...new Set(paths)];
}

/** A /proc file's text; empty when the process exited meanwhile or is not ours to read. */
function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
