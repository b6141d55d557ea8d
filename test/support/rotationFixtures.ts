/** Committed vaults to change the recipients of, keys kept outside the dataset, and what the stock `age` CLI says of each object. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { commitDataset } from '../../daemon/commit/commit';
import { createIdentity } from '../../daemon/vault/identity';
import { addRecipient } from '../../daemon/vault/recipients';
import { listVaultObjects } from '../../daemon/vault/vault';
import { vaultObjectPath } from '../../daemon/dataset/layout';
import { sha256Hex } from '../../daemon/storage/hash';
import { ASTRONAUT, tempDir } from './images';
import { FACE_BOX, box, commitDeps, seedDataset, testContext, type SeedImage } from './commitFixtures';

export const AGE_CLI = '/usr/bin/age';

export interface Keyholder {
  identity: string;
  recipient: string;
  /** An identity file outside any dataset, as `age -i` and `--identity` read it. */
  identityFile: string;
}

export async function newKey(): Promise<Keyholder> {
  const key = await createIdentity();
  const identityFile = join(tempDir('veil-key-'), 'identity.txt');
  writeFileSync(identityFile, key.identity + '\n', { mode: 0o600 });
  return { ...key, identityFile };
}

/** `count` small reviewed images (128 px, each a little brighter) and, first, the full astronaut PNG (790 KB: 13 payload chunks). */
export async function vaultImages(count: number): Promise<SeedImage[]> {
  const images: SeedImage[] = [{ file: 'astronaut.png', bytes: readFileSync(ASTRONAUT), width: 512, height: 512, boxes: [box(FACE_BOX)] }];
  const scale = 128 / 512;
  const face = { x: FACE_BOX.x * scale, y: FACE_BOX.y * scale, w: FACE_BOX.w * scale, h: FACE_BOX.h * scale };
  for (let i = 0; i < count; i++) {
    const bytes = await sharp(ASTRONAUT).resize(128, 128).modulate({ brightness: 0.8 + i / 100 }).jpeg({ quality: 85 }).toBuffer();
    images.push({ file: `img-${String(i).padStart(2, '0')}.jpg`, bytes, width: 128, height: 128, boxes: [box(face)] });
  }
  return images;
}

export interface CommittedVault {
  root: string;
  /** The keys whose recipients the commit encrypted to. */
  keys: Keyholder[];
  /** The vault object ids: the sha256 of each original. */
  objects: string[];
}

/**
 * A dataset whose images are committed (their originals in the vault) to the recipients of `keys`; with `later`, one
 * more image is left unreviewed, for a later `commit --include-unreviewed`.
 */
export async function committedVault(keys: Keyholder[], images: number, options: { later?: boolean } = {}): Promise<CommittedVault> {
  const root = tempDir('veil-rotate-');
  const seeded = await vaultImages(images + (options.later ? 1 : 0));
  if (options.later) seeded[seeded.length - 1]!.status = 'unreviewed';
  seedDataset(root, seeded);
  for (const key of keys) await addRecipient(root, key.recipient);
  const result = await commitDataset({ root }, testContext(), commitDeps());
  if (result.committed.length !== images + 1) throw new Error(`fixture commit left ${JSON.stringify(result.leftAsIs)}`);
  return { root, keys, objects: await listVaultObjects(root) };
}

/** sha256 of each object's ciphertext now. */
export function ciphertexts(root: string, objects: readonly string[]): Map<string, string> {
  return new Map(objects.map((id) => [id, sha256Hex(readFileSync(vaultObjectPath(root, id)))]));
}

/** The stock `age` CLI's decryption of a vault object with `key`, or undefined when it refuses. */
export function ageDecrypt(root: string, id: string, key: Keyholder): Buffer | undefined {
  const run = spawnSync(AGE_CLI, ['-d', '-i', key.identityFile, vaultObjectPath(root, id)]);
  return run.status === 0 ? run.stdout : undefined;
}

/** Whether the stock `age` CLI opens the object with `key` to its original (whose sha256 is the object's id). */
export function ageOpens(root: string, id: string, key: Keyholder): boolean {
  const plaintext = ageDecrypt(root, id, key);
  return plaintext !== undefined && sha256Hex(plaintext) === id;
}

/** Recipient stanzas in an object's header: with every listed key opening it, equal counts mean nobody else can. */
export function stanzaCount(root: string, id: string): number {
  const head = readFileSync(vaultObjectPath(root, id)).subarray(0, 64 * 1024).toString('latin1');
  return head.slice(0, head.indexOf('\n---')).split('\n').filter((line) => line.startsWith('-> ')).length;
}

/** Every object opens with every key of `open` (stock age CLI), with none of `shut`, and is wrapped to nobody else. */
export function openingProblems(root: string, objects: readonly string[], open: readonly Keyholder[], shut: readonly Keyholder[]): string[] {
  const problems: string[] = [];
  for (const id of objects) {
    for (const key of open) if (!ageOpens(root, id, key)) problems.push(`${id.slice(0, 8)}: ${key.recipient.slice(0, 12)} does not open it`);
    for (const key of shut) if (ageDecrypt(root, id, key) !== undefined) problems.push(`${id.slice(0, 8)}: ${key.recipient.slice(0, 12)} still opens it`);
    if (stanzaCount(root, id) !== open.length) problems.push(`${id.slice(0, 8)}: ${stanzaCount(root, id)} recipient stanzas, expected ${open.length}`);
  }
  return problems;
}
