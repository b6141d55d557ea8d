/**
 * `veil hold <dir> <file…> --reason TEXT [--until DATE]` and `veil release <dir> <file…> --reason TEXT`: keep images'
 * originals past their retention (a legal hold), or take that back. The daemon audits each decision first.
 */
import { resolve } from 'node:path';
import type { RetentionHoldResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const HOLD_USAGE = 'veil hold <dir> <file…> --reason "why" [--until YYYY-MM-DD|ISO time] (files as `veil commit` lists them)';
const RELEASE_USAGE = 'veil release <dir> <file…> --reason "why"';

/** The dataset, the files named after it and the reason (each required), and `--until` where the command takes it. */
function decision(argv: string[], io: CliIO, usage: string, takesUntil: boolean) {
  const { values, positionals } = parseCommandArgs(argv, { reason: { type: 'string' }, until: { type: 'string' } }, usage);
  const [dir, ...files] = positionals;
  if (!dir || files.length === 0) throw new UsageError(`expected a dataset folder and at least one file\nusage: ${usage}`);
  if (!values.reason?.trim()) throw new UsageError(`--reason is required: it goes into the audit log\nusage: ${usage}`);
  if (!takesUntil && values.until !== undefined) throw new UsageError(`--until belongs to veil hold\nusage: ${usage}`);
  return { root: resolve(io.cwd, dir), files, reason: values.reason, until: values.until };
}

function printDecision(io: CliIO, what: string, result: RetentionHoldResult): void {
  io.result(result);
  io.stdout(`${what} ${result.files.length} image(s); each decision is in the audit log:`);
  for (const file of result.files) io.stdout(`  ${file}`);
  printCheckpoint(io, result.checkpoint);
}

export const hold = {
  async run(argv: string[], io: CliIO): Promise<number> {
    const params = decision(argv, io, HOLD_USAGE, true);
    const result = await withDaemon(io, (client) => client.request('retention/hold', params));
    printDecision(io, `held the originals of${params.until ? ` (until ${params.until})` : ' (until released)'}`, result);
    return EXIT.ok;
  },
};

export const release = {
  async run(argv: string[], io: CliIO): Promise<number> {
    const { until: _until, ...params } = decision(argv, io, RELEASE_USAGE, false);
    printDecision(io, 'released the holds of', await withDaemon(io, (client) => client.request('retention/release', params)));
    return EXIT.ok;
  },
};
