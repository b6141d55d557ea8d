/**
 * `verify --full`: the files of `.veil/` a plain verify does not read, read whole (a backup tool's read-all-data
 * check). Every file of the vault, also those no commit names: an original kept there with no record of it is
 * reported, and checked as far as a key allows (structure without one, decrypted to its name with one). The
 * exclusions, each against the latest exclude/include entry of its file, as a commit would accept it. The recipients
 * file, each line as a commit would read it (a flipped byte breaks a recipient's bech32 checksum).
 */
import { readdir } from 'node:fs/promises';
import type { VerifyFinding } from '../protocol';
import { veilPath, veilRelative, vaultObjectRelative } from '../dataset/layout';
import { isTempName } from '../storage/durable';
import { readExclusions } from '../review/exclusions';
import { listedRecipients } from '../vault/recipients';
import type { AuditEntry, ExcludeEvent, IncludeEvent } from '../audit/events';
import { readOrFinding } from './stateFinding';

const VAULT_OBJECT_NAME = /^([0-9a-f]{64})\.age$/;

/**
 * Files in `.veil/vault/` that no commit-image entry names, each checked by `checkObject` (as far as its key allows)
 * and reported. Temp files are left to the stray-temp check.
 */
export async function checkUnauditedVault(
  root: string,
  audited: ReadonlySet<string>,
  checkObject: (id: string) => Promise<void>,
  findings: VerifyFinding[],
): Promise<number> {
  const names = await readdir(veilPath(root, 'vault')).catch(() => [] as string[]);
  let checked = 0;
  for (const name of names.sort()) {
    const id = VAULT_OBJECT_NAME.exec(name)?.[1];
    if (isTempName(name) || (id !== undefined && audited.has(id))) continue;
    if (id === undefined) {
      findings.push({ kind: 'vault-unaudited', file: `${veilRelative('vault')}/${name}`, message: 'is no vault object (named <sha256 of the original>.age) and no commit records it: put there outside Veil' });
      continue;
    }
    findings.push({
      kind: 'vault-unaudited',
      file: vaultObjectRelative(id),
      message: 'an original kept encrypted that no commit-image entry names: left by a commit whose image then failed, or put there outside Veil',
    });
    await checkObject(id);
    checked++;
  }
  return checked;
}

/** The exclusions file against the audit log: each exclusion must be its file's latest decision, reason and all, and the reverse. */
export async function checkExclusions(root: string, entries: readonly AuditEntry[], findings: VerifyFinding[]): Promise<void> {
  const read = await readOrFinding(() => readExclusions(root));
  if ('finding' in read) {
    findings.push(read.finding);
    return;
  }
  const decisions = new Map<string, ExcludeEvent & AuditEntry | IncludeEvent & AuditEntry>();
  for (const entry of entries) if (entry.type === 'exclude' || entry.type === 'include') decisions.set(entry.file, entry);
  const where = veilRelative('exclusions');
  for (const [file, exclusion] of read.value) {
    const decision = decisions.get(file);
    if (decision?.type === 'exclude' && decision.reason === exclusion.reason) continue;
    const why = decision?.type === 'exclude' ? `its reason differs from the one entry ${decision.seq} recorded` : 'no exclude entry is the latest decision of it';
    findings.push({ kind: 'exclusion-unaudited', file, message: `excluded in ${where} but ${why} (edited outside Veil?)` });
  }
  for (const [file, decision] of decisions) {
    if (decision.type === 'exclude' && !read.value.has(file)) {
      findings.push({ kind: 'exclusion-unaudited', file, message: `entry ${decision.seq} excludes it but ${where} does not (removed outside Veil, or the write never landed)` });
    }
  }
}

/** The recipients file read as a commit reads it: an unreadable file or a recipient that does not parse is reported. */
export async function checkRecipientsFile(root: string, findings: VerifyFinding[]): Promise<void> {
  const read = await readOrFinding(() => listedRecipients(root));
  if ('finding' in read) findings.push(read.finding);
}
