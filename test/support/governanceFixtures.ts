/** Datasets for the governance tests: reviewed and ready to commit, signing keys kept outside them, policies put in place through Veil. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicySigner, VerifyParams, VerifyResult } from '../../daemon/protocol';
import { verifyDataset } from '../../daemon/verify/verify';
import { applyPolicy } from '../../daemon/services/policy';
import { createSigner } from '../../daemon/services/signers';
import { ASTRONAUT, tempDir } from './images';
import { FACE_BOX, TEST_ACTOR, addKey, box, commitDeps, seedDataset, testContext, type SeedImage } from './commitFixtures';

export interface ReadyDataset {
  root: string;
  /** The identity file the vault encrypts to (outside the dataset). */
  identityFile: string;
  seeded: SeedImage[];
}

/** The astronaut as `a.png`, reviewed with its face accepted, plus `extra` images; a key whose recipient the dataset encrypts to. */
export async function readyDataset(extra: readonly SeedImage[] = []): Promise<ReadyDataset> {
  const root = tempDir('veil-governance-');
  const seeded = [{ file: 'a.png', bytes: readFileSync(ASTRONAUT), width: 512, height: 512, boxes: [box(FACE_BOX)] }, ...extra];
  seedDataset(root, seeded);
  return { root, identityFile: (await addKey(root)).identityFile, seeded };
}

/** A copy of a prepared dataset (its identity file stays where it is): each test damages its own. */
export function copyOf(dataset: ReadyDataset): ReadyDataset {
  const root = tempDir('veil-governance-copy-');
  cpSync(dataset.root, root, { recursive: true });
  return { ...dataset, root };
}

/** A new signing key, written outside every dataset. */
export async function newSigner(): Promise<{ keyFile: string; publicKey: string }> {
  const keyFile = join(tempDir('veil-signer-'), 'signing.pem');
  return { keyFile, publicKey: (await createSigner({ out: keyFile })).publicKey };
}

/** Puts a policy trusting `signers` in place through `policy/apply` (audited). */
export async function trustSigners(root: string, signers: PolicySigner[]): Promise<void> {
  const file = join(tempDir('veil-policy-'), 'policy.json');
  writeFileSync(file, JSON.stringify({ signers }));
  await applyPolicy({ root, file }, TEST_ACTOR);
}

export function verify(params: VerifyParams): Promise<VerifyResult> {
  return verifyDataset(params, testContext(), commitDeps());
}

/** `kind file` of each finding, sorted. */
export async function findingsOf(params: VerifyParams): Promise<string[]> {
  return (await verify(params)).findings.map((finding) => `${finding.kind} ${finding.file ?? ''}`).sort();
}
