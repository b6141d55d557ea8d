/** `veil commit <dir>`: anonymize the reviewed images, keep the originals encrypted, print the audit checkpoint. */
import { resolve } from 'node:path';
import { MASK_SHAPES, REDACTION_MODES, type CommitResult } from '../../daemon/protocol';
import { enumOption, numberOption, onePositional, parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import type { CliIO } from '../io';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';

const USAGE = `veil commit <dir> [--mode ${REDACTION_MODES.join('|')}] [--margin 0.25] [--shape ${MASK_SHAPES.join('|')}] [--include-unreviewed]`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { mode: { type: 'string' }, margin: { type: 'string' }, shape: { type: 'string' }, 'include-unreviewed': { type: 'boolean' } },
    USAGE,
  );
  const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', USAGE));
  const params = {
    root,
    mode: enumOption(values.mode, REDACTION_MODES, 'mode'),
    shape: enumOption(values.shape, MASK_SHAPES, 'shape'),
    margin: numberOption(values.margin, 'margin', 0, 2),
    includeUnreviewed: values['include-unreviewed'],
  };
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, (client) =>
      client.request('dataset/commit', params, { onProgress: progressPrinter(io, 'committing'), signal: interrupt.signal }),
    );
    printSummary(io, result);
    return result.failures.length > 0 || result.cancelled ? 1 : 0;
  } finally {
    interrupt.dispose();
  }
}

function printSummary(io: CliIO, result: CommitResult): void {
  io.stdout(`${result.committed.length} image(s) committed, ${result.skipped.length} skipped, ${result.failures.length} failed`);
  const reasons = new Map<string, number>();
  for (const { reason } of result.skipped) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  for (const [reason, count] of reasons) io.stdout(`  skipped ${count}: ${reason}`);
  for (const failure of result.failures) io.stderr(`  failed ${failure.file}: ${failure.message}`);
  if (result.cancelled) io.stdout('cancelled: the remaining images were not committed (run again to continue)');
  if (result.committed.length > 0) io.stdout('originals are kept encrypted in .veil/vault: while they exist the outputs are pseudonymised, not anonymous');
  printCheckpoint(io, result.checkpoint);
}
