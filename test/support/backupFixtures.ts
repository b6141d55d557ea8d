/** Backups of committed vaults, and what the stock `age` CLI reads of a backup folder (no Veil code in the reading). */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupCreateResult, BackupPruneParams } from '../../daemon/protocol';
import { createBackup } from '../../daemon/backup/backup';
import { restoreBackup } from '../../daemon/backup/restore';
import { pruneBackup } from '../../daemon/backup/prune';
import type { CallContext } from '../../daemon/core/callContext';
import { testContext } from './commitFixtures';
import { AGE_CLI, type Keyholder } from './rotationFixtures';

export function backUp(root: string, destination: string, options: { withOutputs?: boolean; ctx?: CallContext } = {}): Promise<BackupCreateResult> {
  return createBackup({ root, destination, withOutputs: options.withOutputs }, options.ctx ?? testContext());
}

export function restore(backup: string, root: string, key: Keyholder, options: { generation?: number } = {}) {
  return restoreBackup({ backup, root, identity: key.identityFile, generation: options.generation }, testContext());
}

export function prune(backup: string, key: Keyholder, keep: number, options: Partial<Omit<BackupPruneParams, 'backup' | 'identity' | 'keep'>> = {}) {
  return pruneBackup({ backup, identity: key.identityFile, keep, ...options }, testContext());
}

/** The stock `age -d` of a file with a key, or undefined when it refuses. */
export function ageOpen(path: string, key: Keyholder): Buffer | undefined {
  const run = spawnSync(AGE_CLI, ['-d', '-i', key.identityFile, path]);
  return run.status === 0 ? run.stdout : undefined;
}

/** The lines of a generation's manifest, as the stock `age` decrypts it with `key`. */
export function manifestLines(result: BackupCreateResult, key: Keyholder): string[] {
  const text = ageOpen(result.manifest!, key);
  if (!text) throw new Error(`age cannot open ${result.manifest} with ${key.recipient}`);
  return text.toString('utf8').trimEnd().split('\n');
}

/** `sealed|copied <blob> <sha256> <bytes> <path>` records of a manifest, parsed the way the README's drill reads them. */
export function storedParts(lines: readonly string[]): Array<{ kind: string; blob: string; sha256: string; bytes: number; path: string }> {
  return lines
    .filter((line) => line.startsWith('sealed ') || line.startsWith('copied '))
    .map((line) => {
      const [kind, blob, sha256, bytes, ...path] = line.split(' ');
      return { kind: kind!, blob: blob!, sha256: sha256!, bytes: Number(bytes), path: path.join(' ') };
    });
}

/** Every blob of a backup folder: name and bytes. */
export function blobsOf(backup: string): Map<string, Buffer> {
  const dir = join(backup, 'blobs');
  return new Map(readdirSync(dir).filter((name) => !name.startsWith('.')).map((name) => [name, readFileSync(join(dir, name))]));
}

/**
 * Every generation of the folder, read with the stock `age` alone: its manifest opens with the key, and every blob it
 * names is there with the bytes of its name. Also each dataset's generations (file names, sorted) and every blob named.
 */
export function generationProblems(backup: string, key: Keyholder): { problems: string[]; generations: number; byDataset: Map<string, string[]>; named: Set<string> } {
  const problems: string[] = [];
  const byDataset = new Map<string, string[]>();
  const named = new Set<string>();
  const datasets = existsSync(join(backup, 'datasets')) ? readdirSync(join(backup, 'datasets')) : [];
  let generations = 0;
  for (const dataset of datasets) {
    const names = readdirSync(join(backup, 'datasets', dataset)).filter((n) => !n.startsWith('.')).sort();
    byDataset.set(dataset, names);
    for (const name of names) {
      generations++;
      const manifest = ageOpen(join(backup, 'datasets', dataset, name), key);
      if (!manifest) {
        problems.push(`${name}: the manifest does not open`);
        continue;
      }
      for (const line of manifest.toString('utf8').split('\n')) {
        const [kind, blob] = line.split(' ');
        if (kind !== 'sealed' && kind !== 'copied') continue;
        named.add(blob!);
        const path = join(backup, 'blobs', blob!);
        if (!existsSync(path)) problems.push(`${name}: blob ${blob!.slice(0, 8)} is missing`);
        else if (createHash('sha256').update(readFileSync(path)).digest('hex') !== blob) problems.push(`${name}: blob ${blob!.slice(0, 8)} does not hash to its name`);
      }
    }
  }
  return { problems, generations, byDataset, named };
}
