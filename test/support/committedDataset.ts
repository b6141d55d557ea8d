/** A dataset committed through a real daemon: the astronaut, its key created with `keys/create`, the original in the vault. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DaemonClient } from '../../client/daemonClient';
import { ASTRONAUT, place, tempDir } from './images';

export interface CommittedDataset {
  root: string;
  /** The identity file (outside the dataset). */
  identity: string;
  /** The bytes of `a.png` before the commit: what the vault holds. */
  original: Buffer;
}

export async function committedDataset(client: DaemonClient, passphrase?: string): Promise<CommittedDataset> {
  const root = tempDir('veil-committed-');
  place(ASTRONAUT, root, 'a.png');
  const identity = join(tempDir('veil-key-'), 'identity.txt');
  await client.request('keys/create', { out: identity, passphrase, addTo: root });
  await client.request('dataset/detect', { root });
  await client.request('dataset/commit', { root, includeUnreviewed: true, allowPossibleFaces: 'test fixture: model boxes as they are' });
  return { root, identity, original: readFileSync(ASTRONAUT) };
}

/** Every file under `dir` (relative paths, sorted). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => relative(dir, join(dir, path)))
    .sort();
}
