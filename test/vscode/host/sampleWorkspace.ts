/** A scratch copy of samples/ (without review state) for a VS Code window to open. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../../support/paths';

/** Copies samples/ into `parent` (a new temporary folder by default); returns the copy. */
export function copySamples(parent = mkdtempSync(join(tmpdir(), 'veil-vscode-ws-'))): string {
  const workspace = join(parent, 'samples');
  cpSync(join(REPO_ROOT, 'samples'), workspace, { recursive: true, filter: (source) => basename(source) !== '.veil' });
  return workspace;
}
