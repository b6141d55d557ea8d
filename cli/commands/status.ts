/**
 * `veil status <dir> [--require reviewed|committed|verified]`: the dataset's images counted by status, for a person,
 * a pre-commit hook or a CI job (README "CI gate and scripting"). It only reads (`dataset/status`, with git's view of the
 * committed images; `dataset/verify` for `verified`); `--require` turns a shortfall into exit code 5, each image that
 * falls short (and each finding of verify) listed.
 */
import { resolve } from 'node:path';
import type { DatasetStatusResult, VerifyResult } from '../../daemon/protocol';
import { enumOption, onePositional, parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import type { CliIO } from '../io';
import { progressPrinter } from '../progress';
import { EXIT } from '../exitCodes';
import { printFileList } from '../table';

/** Each asks more than the one before: `verified` is `committed` and a (plain, not `--full`) `veil verify` without findings. */
const REQUIREMENTS = ['reviewed', 'committed', 'verified'] as const;
type Requirement = (typeof REQUIREMENTS)[number];
const USAGE = `veil status <dir> [--require ${REQUIREMENTS.join('|')}]`;

export interface StatusCounts {
  images: number;
  unreviewed: number;
  reviewed: number;
  committed: number;
  failed: number;
  excluded: number;
}

export function countStatus(result: DatasetStatusResult): StatusCounts {
  const count = (status: string) => result.images.filter((image) => image.status === status).length;
  return { images: result.images.length, unreviewed: count('unreviewed'), reviewed: count('reviewed'), committed: count('committed'), failed: result.failures.length, excluded: result.excluded.length };
}

/** The files that keep the dataset from meeting `requirement`, each with why (verify's findings without a file as `(dataset)`). */
export function shortfall(result: DatasetStatusResult, requirement: Requirement | undefined, verified?: VerifyResult): Array<{ file: string; message: string }> {
  if (!requirement) return [];
  const below = requirement === 'reviewed' ? ['unreviewed'] : ['unreviewed', 'reviewed'];
  return [
    ...result.images.filter((image) => below.includes(image.status)).map((image) => ({ file: image.file, message: image.status === 'unreviewed' ? 'not reviewed' : 'reviewed, not committed' })),
    ...result.failures.map((failure) => ({ file: failure.file, message: `cannot be read: ${failure.message}` })),
    ...(verified?.findings ?? []).map((finding) => ({ file: finding.file ?? '(dataset)', message: `verify: ${finding.kind}: ${finding.message}` })),
  ];
}

function printStatus(io: CliIO, result: DatasetStatusResult, counts: StatusCounts, short: Array<{ file: string; message: string }>, requirement: Requirement | undefined): void {
  io.stdout(`${result.root}${result.scope ? ` (folder ${result.scope})` : ''}`);
  io.stdout(`${counts.images} images: ${counts.unreviewed} unreviewed, ${counts.reviewed} reviewed, ${counts.committed} committed; ${counts.failed} failed, ${counts.excluded} excluded`);
  for (const warning of result.gitWarnings ?? []) io.stderr(`warning: ${warning.file}: ${warning.message}`);
  if (!requirement) return;
  if (short.length === 0) return io.stdout(`every image is ${requirement}`);
  printFileList(io.stderr, `${short.length} file(s) keep the dataset from being ${requirement}:`, short);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { require: { type: 'string' } }, USAGE);
  const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', USAGE));
  const requirement = enumOption(values.require, REQUIREMENTS, 'require');
  const { result, verified } = await withDaemon(io, async (client) => ({
    result: await client.request('dataset/status', { root, versionControl: true }),
    verified: requirement === 'verified' ? await client.request('dataset/verify', { root }, { onProgress: progressPrinter(io, 'verifying') }) : undefined,
  }));
  const counts = countStatus(result);
  const short = shortfall(result, requirement, verified);
  const verify = verified && { ok: verified.ok, findings: verified.findings, checked: verified.checked, limits: verified.limits };
  io.result({ root: result.root, scope: result.scope, counts, ...(requirement ? { require: requirement, met: short.length === 0, shortfall: short } : {}), ...(verify ? { verify } : {}), gitWarnings: result.gitWarnings ?? [] });
  printStatus(io, result, counts, short, requirement);
  return short.length > 0 ? EXIT.requirementUnmet : EXIT.ok;
}
