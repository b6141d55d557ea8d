/** `veil restore-backup <backup folder> <dir> --identity FILE`: rebuilds a dataset's `.veil/` (and the committed images it holds) from a backup. */
import { resolve } from 'node:path';
import type { BackupRestoreResult } from '../../daemon/protocol';
import { numberOption, parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { identityPassphrase } from '../passphrase';
import { progressPrinter } from '../progress';
import { EXIT } from '../exitCodes';

const USAGE = 'veil restore-backup <backup folder> <dir> --identity FILE [--generation N] [--dataset ID]';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { identity: { type: 'string' }, generation: { type: 'string' }, dataset: { type: 'string' } }, USAGE);
  if (positionals.length !== 2) throw new UsageError(`expected a backup folder and the dataset folder to rebuild\nusage: ${USAGE}`);
  if (!values.identity) throw new UsageError(`--identity is required: the backup is encrypted to the dataset's custodians\nusage: ${USAGE}`);
  const generation = numberOption(values.generation, 'generation', 1, Number.MAX_SAFE_INTEGER);
  if (generation !== undefined && !Number.isInteger(generation)) throw new UsageError(`--generation must be a whole number (got "${values.generation}")`);
  const identity = resolve(io.cwd, values.identity);
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, async (client) => {
      const passphrase = await identityPassphrase(io, client, identity);
      const params = { backup: resolve(io.cwd, positionals[0]!), root: resolve(io.cwd, positionals[1]!), identity, passphrase, generation, dataset: values.dataset };
      return client.request('backup/restore', params, { onProgress: progressPrinter(io, 'restoring'), signal: interrupt.signal });
    });
    printResult(io, result);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

function printResult(io: CliIO, result: BackupRestoreResult): void {
  io.result(result);
  if (result.alreadyRestored) {
    io.stdout(`${result.root} was restored from generation ${result.generation} of ${result.backup} already (a run that did not see its end): nothing was written`);
  } else {
    io.stdout(
      `restored generation ${result.generation} (written ${result.createdAt}) of dataset ${result.datasetId} from ${result.backup} into ${result.root}: ` +
        `${result.vaultObjects} vault object(s), ${result.stateFiles} state file(s), ${result.outputs} committed image(s)`,
    );
  }
  io.stdout(`manifest sha256 ${result.manifestSha256}: compare it with the backup entry of the dataset's log (or the line \`veil backup\` printed) when the backup folder was out of your hands`);
  if (result.outputs === 0) io.stdout('the backup holds no committed images: put the dataset\'s images back (from where the dataset is kept) before `veil verify`');
  io.stdout(`the restored log holds the ${result.covers.entries} entries of the backup, then this restore's entry; check it with:`);
  io.stdout(`  veil verify ${result.root} --identity <key> --checkpoint '${JSON.stringify(result.covers)}'`);
}
