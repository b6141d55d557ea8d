/**
 * `veil backup <dir> <backup folder>`: a new, incremental generation of the dataset's protected state in a backup
 * folder. `veil backup prune <backup folder> --keep N --identity FILE`: the oldest generations beyond N removed, with
 * the blobs only they named (a dataset folder named "prune" is written `./prune`).
 */
import { resolve } from 'node:path';
import type { BackupBlobCount, BackupCreateResult, BackupPruneResult } from '../../daemon/protocol';
import { numberOption, onePositional, parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { identityPassphrase } from '../passphrase';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const USAGE = 'veil backup <dir> <backup folder> [--with-outputs] | veil backup prune <backup folder> --keep N --identity FILE [--dataset ID] [--dry-run]';

/** "3 blobs (9.0 MB)". */
export function blobCount({ blobs, bytes }: BackupBlobCount): string {
  const size = bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
  return `${blobs} blob${blobs === 1 ? '' : 's'} (${size})`;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'prune') return prune(argv.slice(1), io);
  const { values, positionals } = parseCommandArgs(argv, { 'with-outputs': { type: 'boolean' } }, USAGE);
  if (positionals.length !== 2) throw new UsageError(`expected a dataset folder and a backup folder\nusage: ${USAGE}`);
  const params = { root: resolve(io.cwd, positionals[0]!), destination: resolve(io.cwd, positionals[1]!), withOutputs: values['with-outputs'] };
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, (client) => client.request('backup/create', params, { onProgress: progressPrinter(io, 'backing up'), signal: interrupt.signal }));
    return printResult(io, result);
  } finally {
    interrupt.dispose();
  }
}

function printResult(io: CliIO, result: BackupCreateResult): number {
  io.result(result);
  for (const { file, message } of result.warnings) io.stderr(`  ${file}: ${message}`);
  if (result.cancelled) {
    io.stdout(`cancelled: no generation was written; the ${blobCount(result.written)} copied so far are reused by the next run`);
    return EXIT.failed;
  }
  const outputs = result.outputs > 0 ? `, ${result.outputs} committed image(s)` : '';
  io.stdout(
    `backup generation ${result.generation} of ${result.root} in ${result.destination} (dataset ${result.datasetId}): ${result.vaultObjects} vault object(s), ` +
      `${result.stateFiles} state file(s), the first ${result.covers.entries} audit entries${outputs}`,
  );
  io.stdout(`wrote ${blobCount(result.written)}, each read back and its sha256 checked; ${blobCount(result.reused)} were there already`);
  io.stdout(`manifest: ${result.manifest} (sha256 ${result.manifestSha256}, as the backup entry of the audit log records it)`);
  printCheckpoint(io, result.checkpoint);
  return EXIT.ok;
}

async function prune(argv: string[], io: CliIO): Promise<number> {
  const options = { keep: { type: 'string' }, identity: { type: 'string' }, dataset: { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;
  const { values, positionals } = parseCommandArgs(argv, options, USAGE);
  const backup = resolve(io.cwd, onePositional(positionals, 'backup folder', USAGE));
  const keep = numberOption(values.keep, 'keep', 1, Number.MAX_SAFE_INTEGER);
  if (keep === undefined || !Number.isInteger(keep)) throw new UsageError(`--keep N is required, a whole number of at least 1: the generations of each dataset to keep\nusage: ${USAGE}`);
  if (!values.identity) throw new UsageError(`--identity is required: only the (encrypted) manifests say which blobs the generations kept need\nusage: ${USAGE}`);
  const identity = resolve(io.cwd, values.identity);
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, async (client) => {
      const passphrase = await identityPassphrase(io, client, identity);
      const params = { backup, keep, identity, passphrase, dataset: values.dataset, dryRun: values['dry-run'] };
      return client.request('backup/prune', params, { onProgress: progressPrinter(io, 'pruning'), signal: interrupt.signal });
    });
    return printPruned(io, result);
  } finally {
    interrupt.dispose();
  }
}

function printPruned(io: CliIO, result: BackupPruneResult): number {
  io.result(result);
  const would = result.dryRun ? 'would remove' : 'removed';
  for (const dataset of result.datasets) {
    const removed = dataset.removed.length > 0 ? `${would} generation(s) ${dataset.removed.join(', ')}` : 'nothing to remove';
    io.stdout(`dataset ${dataset.datasetId}: ${removed}; kept ${dataset.kept.join(', ')}`);
    if (dataset.loggedIn) io.stdout(`  recorded in the audit log of ${dataset.loggedIn}`);
    if (dataset.notLogged) io.stderr(`  ${dataset.notLogged}`);
  }
  io.stdout(`${result.backup}: ${would} ${blobCount(result.removed)} no kept generation names; ${blobCount(result.kept)} kept`);
  if (result.cancelled) {
    io.stdout('cancelled: the generations are removed; run the same prune again to remove the blobs left');
    return EXIT.failed;
  }
  return EXIT.ok;
}
