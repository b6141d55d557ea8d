/** `veil backup <dir> <backup folder>`: a new, incremental generation of the dataset's protected state in a backup folder. */
import { resolve } from 'node:path';
import type { BackupBlobCount, BackupCreateResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const USAGE = 'veil backup <dir> <backup folder> [--with-outputs]';

/** "3 blobs (9.0 MB)". */
export function blobCount({ blobs, bytes }: BackupBlobCount): string {
  const size = bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
  return `${blobs} blob${blobs === 1 ? '' : 's'} (${size})`;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
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
