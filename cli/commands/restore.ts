/**
 * `veil restore <dir> [file…] --identity FILE --purpose TEXT`: put committed images' originals back in place of their
 * anonymized outputs, e.g. to review them again with a better model (each opening and restore audited first).
 */
import { resolve } from 'node:path';
import type { VaultRestoreResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { identityPassphrase } from '../passphrase';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const USAGE = 'veil restore <dir> [file…] --identity FILE --purpose TEXT (no file: every committed image of the folder)';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { identity: { type: 'string' }, purpose: { type: 'string' } }, USAGE);
  const [dir, ...files] = positionals;
  if (!dir) throw new UsageError(`expected a dataset folder\nusage: ${USAGE}`);
  if (!values.identity) throw new UsageError(`--identity is required: restoring decrypts each original\nusage: ${USAGE}`);
  // A missing --purpose is not a usage error: the daemon refuses the opening and logs the attempt (README "Access with a purpose").
  const identity = resolve(io.cwd, values.identity);
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, async (client) => {
      const passphrase = await identityPassphrase(io, client, identity);
      const params = { root: resolve(io.cwd, dir), files: files.length > 0 ? files : undefined, identity, passphrase, purpose: values.purpose };
      return client.request('vault/restore', params, { onProgress: progressPrinter(io, 'restoring'), signal: interrupt.signal });
    });
    printResult(io, result);
    return result.failures.length > 0 || result.cancelled ? EXIT.failed : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

function printResult(io: CliIO, result: VaultRestoreResult): void {
  io.result(result);
  io.stdout(`restored ${result.restored.length} original(s) in place of their anonymized images${result.alreadyRestored.length > 0 ? `, ${result.alreadyRestored.length} restored before` : ''}:`);
  for (const file of result.restored) io.stdout(`  ${file}`);
  if (result.restored.length > 0) {
    io.stdout('they are unreviewed again, their boxes kept: detect them again (e.g. with a better model), review them, then `veil commit` anonymizes them again');
  }
  for (const { file, message } of result.failures) io.stderr(`  ${file}: ${message}`);
  if (result.cancelled) io.stdout('cancelled: run it again to restore the rest');
  printCheckpoint(io, result.checkpoint);
}
