/**
 * For the retention tests: a retention policy put in place through Veil, a clock days ahead (purge's injectable `now`),
 * commit times moved back in the log (for a real daemon, which reads the wall clock), and the log's entries by type.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyRetention } from '../../daemon/protocol';
import { applyPolicy } from '../../daemon/services/policy';
import { auditPath } from '../../daemon/audit/log';
import { GENESIS, lineHash } from '../../daemon/audit/chain';
import { OpenDatasets } from '../../daemon/services/datasets';
import { purgeVault } from '../../daemon/services/purge';
import { restoreOriginals } from '../../daemon/services/restore';
import type { VaultPurgeParams, VaultPurgeResult, VaultRestoreParams, VaultRestoreResult } from '../../daemon/protocol';
import { TEST_ACTOR, auditEntries, testContext } from './commitFixtures';
import { tempDir } from './images';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Puts a policy with `retention` in place through `policy/apply` (audited). */
export async function applyRetention(root: string, retention: Partial<PolicyRetention>): Promise<void> {
  const file = join(tempDir('veil-policy-'), 'policy.json');
  writeFileSync(file, JSON.stringify({ retention }));
  await applyPolicy({ root, file }, TEST_ACTOR);
}

/** A clock `days` ahead of the wall clock (what purge is given instead of waiting). */
export function daysAhead(days: number): () => Date {
  return () => new Date(Date.now() + days * DAY_MS);
}

export function purge(params: VaultPurgeParams, now?: () => Date): Promise<VaultPurgeResult> {
  return purgeVault(params, testContext(), { now });
}

export function restore(params: VaultRestoreParams): Promise<VaultRestoreResult> {
  return restoreOriginals(params, testContext(), { datasets: new OpenDatasets() });
}

/** The log's entries of `type`, parsed. */
export function entriesOf(root: string, type: string): Array<Record<string, unknown>> {
  return auditEntries(root).filter((entry) => entry.type === type);
}

/**
 * Moves every commit-image entry `days` back in time and re-chains the log (each `prev` the hash of the line before),
 * as a dataset committed that long ago would read: a real daemon then weighs retention against the wall clock.
 */
export function backdateCommits(root: string, days: number): void {
  let prev = GENESIS;
  const lines = readFileSync(auditPath(root), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.type === 'commit-image') entry.at = new Date(Date.parse(entry.at as string) - days * DAY_MS).toISOString();
      entry.prev = prev;
      const text = JSON.stringify(entry);
      prev = lineHash(text);
      return text;
    });
  writeFileSync(auditPath(root), lines.join('\n') + '\n');
}
