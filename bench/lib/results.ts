/** Where every benchmark's results go: bench/results/<name>.json (the numbers) and <name>.md (the table printed). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './sharedData';

export const RESULTS_DIR = join(REPO, 'bench', 'results');

/** Writes `<name>.json` and, when given, `<name>.md`; returns the JSON's path. */
export function writeResults(name: string, result: unknown, table?: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(json, JSON.stringify(result, null, 1) + '\n');
  if (table !== undefined) writeFileSync(join(RESULTS_DIR, `${name}.md`), table.endsWith('\n') ? table : table + '\n');
  return json;
}
