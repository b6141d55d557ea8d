/** `veil commit <dir>`: anonymize the reviewed images, keep the originals encrypted, account for every file, print the audit checkpoint. */
import { resolve } from 'node:path';
import { MASK_SHAPES, REDACTION_MODES, type CommitResult } from '../../daemon/protocol';
import { enumOption, numberOption, onePositional, parseCommandArgs, shardOption } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';
import { printSignature, signingKeyPath } from '../signingKey';
import { EXIT } from '../exitCodes';

const USAGE = `veil commit <dir> [--mode ${REDACTION_MODES.join('|')}] [--margin 0.25] [--doubt-margin 1] [--shape ${MASK_SHAPES.join('|')}] [--include-unreviewed [--allow-possible-faces --reason TEXT]] [--keep-audio] [--shard i/n] [--sign KEYFILE (default: VEIL_SIGNING_KEY)]`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { mode: { type: 'string' }, margin: { type: 'string' }, 'doubt-margin': { type: 'string' }, shard: { type: 'string' }, shape: { type: 'string' }, 'include-unreviewed': { type: 'boolean' }, 'keep-audio': { type: 'boolean' }, 'allow-possible-faces': { type: 'boolean' }, reason: { type: 'string' }, sign: { type: 'string' } },
    USAGE,
  );
  const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', USAGE));
  if (values['allow-possible-faces'] && !values.reason?.trim()) throw new UsageError(`--allow-possible-faces needs --reason: say why the possible faces are left unresolved\nusage: ${USAGE}`);
  if (values.reason !== undefined && !values['allow-possible-faces']) throw new UsageError(`--reason goes with --allow-possible-faces\nusage: ${USAGE}`);
  const params = {
    root,
    mode: enumOption(values.mode, REDACTION_MODES, 'mode'),
    shape: enumOption(values.shape, MASK_SHAPES, 'shape'),
    margin: numberOption(values.margin, 'margin', 0, 2),
    shard: shardOption(values.shard),
    doubtMargin: numberOption(values['doubt-margin'], 'doubt-margin', 0, 2),
    includeUnreviewed: values['include-unreviewed'],
    keepAudio: values['keep-audio'],
    allowPossibleFaces: values['allow-possible-faces'] ? values.reason : undefined,
    signingKey: signingKeyPath(values.sign, io),
  };
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, (client) =>
      client.request('dataset/commit', params, { onProgress: progressPrinter(io, 'committing'), signal: interrupt.signal }),
    );
    io.result(result);
    printSummary(io, result);
    return result.leftAsIs.length > 0 ? EXIT.leftAsIs : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

function printSummary(io: CliIO, result: CommitResult): void {
  io.stdout(
    `${result.committed.length} image(s) committed now, ${result.alreadyCommitted.length} committed before, ` +
      `${result.excluded.length} excluded, ${result.leftAsIs.length} left as they were`,
  );
  for (const { file, reason, by } of result.excluded) io.stdout(`  excluded ${file}: ${reason} (by ${by})`);
  for (const { file, message } of result.warnings) io.stderr(`  warning ${file}: ${message}`);
  if (result.cancelled) io.stdout('cancelled: the remaining images were not committed (run again to continue)');
  if (result.committed.length > 0) io.stdout('originals are kept encrypted in .veil/vault: while they exist the outputs are pseudonymised, not anonymous');
  if (result.signed) printSignature(io, result.signed);
  printCheckpoint(io, result.checkpoint);
  if (result.leftAsIs.length === 0) return;
  io.stderr(`\n${result.leftAsIs.length} file(s) left as they were: the dataset is not anonymized yet`);
  for (const { file, cause, message } of result.leftAsIs) io.stderr(`  ${file} [${cause}]: ${message}`);
  io.stderr('review or fix them and commit again, or exclude them: veil exclude <dir> <file…> --reason "…"');
}
