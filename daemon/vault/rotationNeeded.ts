/**
 * Which vault objects are encrypted to other recipients than commits now use, as the vault index records them: after a
 * policy change moves a recipient into or out of a role that may open originals, new commits follow at once, but each
 * existing object keeps opening with the keys it was encrypted to until `veil recipients rotate` re-encrypts it.
 */
import { listVaultObjects } from './vault';
import { readVaultIndex } from './vaultIndex';

export interface RotationNeeded {
  /** Objects whose recipients differ from `recipients`. */
  objects: number;
  /** Recipients some of those objects are not encrypted to yet (they cannot open them). */
  gaining: string[];
  /** Recipients some of those objects are still encrypted to (they still open them). */
  losing: string[];
}

/** Undefined when every recorded object is encrypted to exactly `recipients` (objects with no record are not counted). */
export async function rotationNeeded(root: string, recipients: readonly string[]): Promise<RotationNeeded | undefined> {
  const [objects, index] = await Promise.all([listVaultObjects(root), readVaultIndex(root)]);
  const wanted = new Set(recipients);
  const gaining = new Set<string>();
  const losing = new Set<string>();
  let differing = 0;
  for (const id of objects) {
    const has = new Set(index.get(id)?.recipients ?? wanted);
    const gains = [...wanted].filter((recipient) => !has.has(recipient));
    const loses = [...has].filter((recipient) => !wanted.has(recipient));
    for (const recipient of gains) gaining.add(recipient);
    for (const recipient of loses) losing.add(recipient);
    if (gains.length + loses.length > 0) differing++;
  }
  return differing === 0 ? undefined : { objects: differing, gaining: [...gaining], losing: [...losing] };
}
