/**
 * `veil purge <dir> [file…] [--dry-run] [--force --reason TEXT]`: remove encrypted originals past the policy's
 * retention from the vault (crypto-shredding), each removal audited first; refuses anything younger, held or restored
 * unless forced for named files with a reason. README "Retention, purge and restore".
 */
import { resolve } from 'node:path';
import { countRetentionStates, type PolicyRetention, type RetentionItem, type VaultPurgeResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';
import { formatTable } from '../table';
import { EXIT } from '../exitCodes';

const USAGE = 'veil purge <dir> [file…] [--dry-run] [--force --reason TEXT] (files as `veil commit` lists them: relative to the dataset)';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'dry-run': { type: 'boolean' }, force: { type: 'boolean' }, reason: { type: 'string' } }, USAGE);
  const [dir, ...files] = positionals;
  if (!dir) throw new UsageError(`expected a dataset folder\nusage: ${USAGE}`);
  if (values.force && files.length === 0) throw new UsageError(`--force needs the files whose originals to purge: it never applies to the whole vault\nusage: ${USAGE}`);
  if (values.force && !values.reason?.trim()) throw new UsageError(`--force needs --reason: each forced purge records why in the audit log\nusage: ${USAGE}`);
  const params = { root: resolve(io.cwd, dir), files: files.length > 0 ? files : undefined, dryRun: values['dry-run'], force: values.force, reason: values.reason };
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, (client) => client.request('vault/purge', params, { onProgress: progressPrinter(io, 'purging'), signal: interrupt.signal }));
    io.result(result);
    printResult(io, result, files.length === 0);
    return result.refused.length > 0 || result.cancelled ? EXIT.failed : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

function retentionWords(retention: PolicyRetention): string {
  if (retention.days === null) return 'the policy sets no retention days: originals are kept until a person purges them (--force with a reason)';
  return `originals are kept ${retention.days} day(s) after their commit, then ${retention.action === 'purge' ? 'purged' : 'listed for a person to purge (action "report")'}`;
}

function printOriginals(io: CliIO, originals: readonly RetentionItem[]): void {
  const rows = originals.map((item) => [
    `${item.vaultObject.slice(0, 12)}…`,
    item.files.join(', '),
    item.committedAt,
    item.expiresAt ?? '-',
    item.state === 'held' ? `held: ${item.hold!.reason}` : item.state,
  ]);
  for (const line of formatTable(['original', 'images', 'committed', 'expires', 'state'], rows)) io.stdout(line);
}

function printResult(io: CliIO, result: VaultPurgeResult, wholeVault: boolean): void {
  const would = result.dryRun ? 'would ' : '';
  io.stdout(`retention: ${retentionWords(result.retention)}`);
  // A whole-vault run says how many, by state: a table of each original would flood a cron job's log.
  if (result.dryRun || !wholeVault) printOriginals(io, result.originals);
  else io.stdout(`originals in the vault: ${countRetentionStates(result.originals) || 'none'} (--dry-run lists each)`);
  if (result.finished.length > 0) io.stdout(`${would}finish ${result.finished.length} purge(s) an interrupted run had logged`);
  io.stdout(`${result.dryRun ? 'would purge' : 'purged'} ${result.purged.length} original(s) (crypto-shredded)${result.dryRun ? '; nothing was written (--dry-run)' : ', each removal in the audit log'}`);
  const expired = result.originals.filter((item) => item.state === 'expired').length;
  if (wholeVault && result.retention.action === 'report' && expired > 0) {
    io.stdout(`the policy's retention action is "report": ${expired} expired original(s) listed above, none purged; purge them by naming their images: veil purge <dir> <file…>`);
  }
  for (const { file, message } of result.refused) io.stderr(`  ${file}: ${message}`);
  if (result.refused.length > 0) io.stderr(`${result.refused.length} file(s) refused; a purge before retention runs out needs --force --reason "…"`);
  if (result.purged.length > 0 && !result.dryRun) {
    io.stdout('copies of these originals elsewhere (backups, copies of .veil/vault, opened originals) still exist until they are purged or expire too');
  }
  if (result.cancelled) io.stdout('cancelled: run it again to go on');
  if (!result.dryRun) printCheckpoint(io, result.checkpoint);
}
