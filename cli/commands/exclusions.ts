/**
 * `veil exclude <dir> <file…> --reason "…"` and `veil include <dir> <file…>`: record that commits leave files as
 * they are (a video handled elsewhere, a consenting subject), or take that back. The daemon audits each decision.
 */
import { resolve } from 'node:path';
import type { ExclusionResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const EXCLUDE_USAGE = 'veil exclude <dir> <file…> --reason "why" (files as `veil commit` lists them: relative to the dataset)';
const INCLUDE_USAGE = 'veil include <dir> <file…> (files as `veil commit` lists them: relative to the dataset)';

/** The dataset and the files named after it. */
function datasetAndFiles(positionals: string[], io: CliIO, usage: string): { root: string; files: string[] } {
  const [dir, ...files] = positionals;
  if (!dir || files.length === 0) throw new UsageError(`expected a dataset folder and at least one file\nusage: ${usage}`);
  return { root: resolve(io.cwd, dir), files };
}

function printDecision(io: CliIO, what: string, result: ExclusionResult): void {
  io.result(result);
  io.stdout(`${what} ${result.files.length} file(s); each decision is in the audit log:`);
  for (const file of result.files) io.stdout(`  ${file}`);
  printCheckpoint(io, result.checkpoint);
}

export const exclude = {
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { reason: { type: 'string' } }, EXCLUDE_USAGE);
    if (!values.reason?.trim()) throw new UsageError(`--reason is required: say why the files are left as they are\nusage: ${EXCLUDE_USAGE}`);
    const params = { ...datasetAndFiles(positionals, io, EXCLUDE_USAGE), reason: values.reason };
    printDecision(io, 'excluded', await withDaemon(io, (client) => client.request('dataset/exclude', params)));
    return EXIT.ok;
  },
};

export const include = {
  async run(argv: string[], io: CliIO): Promise<number> {
    const { positionals } = parseCommandArgs(argv, {}, INCLUDE_USAGE);
    const params = datasetAndFiles(positionals, io, INCLUDE_USAGE);
    printDecision(io, 'included', await withDaemon(io, (client) => client.request('dataset/include', params)));
    return EXIT.ok;
  },
};
