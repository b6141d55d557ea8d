/** Backups of committed vaults, and what the stock `age` CLI reads of a backup folder (no Veil code in the reading). */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupCreateResult } from '../../daemon/protocol';
import { createBackup } from '../../daemon/backup/backup';
import { restoreBackup } from '../../daemon/backup/restore';
import type { CallContext } from '../../daemon/core/callContext';
import { testContext } from './commitFixtures';
import { AGE_CLI, type Keyholder } from './rotationFixtures';

export function backUp(root: string, destination: string, options: { withOutputs?: boolean; ctx?: CallContext } = {}): Promise<BackupCreateResult> {
  return createBackup({ root, destination, withOutputs: options.withOutputs }, options.ctx ?? testContext());
}

export function restore(backup: string, root: string, key: Keyholder, options: { generation?: number } = {}) {
  return restoreBackup({ backup, root, identity: key.identityFile, generation: options.generation }, testContext());
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
