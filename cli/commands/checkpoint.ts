/** `veil checkpoint sign <dir> --key FILE`: sign the audit log's current checkpoint (a checkpoint-signature entry). */
import { resolve } from 'node:path';
import { onePositional, parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { printCheckpoint } from '../checkpoint';
import { printSignature, signingKeyPath } from '../signingKey';
import { EXIT } from '../exitCodes';

const USAGE = 'veil checkpoint sign <dir> --key FILE (default: VEIL_SIGNING_KEY)';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { key: { type: 'string' } }, USAGE);
  const [verb, ...rest] = positionals;
  if (verb !== 'sign') throw new UsageError(`unknown checkpoint command "${verb ?? ''}"\nusage: ${USAGE}`);
  const root = resolve(io.cwd, onePositional(rest, 'dataset folder', USAGE));
  const key = signingKeyPath(values.key, io);
  if (!key) throw new UsageError(`--key is required (or set VEIL_SIGNING_KEY): the signing key file\nusage: ${USAGE}`);
  const result = await withDaemon(io, (client) => client.request('checkpoint/sign', { root, key }));
  io.result(result);
  printSignature(io, result);
  printCheckpoint(io, result.checkpoint);
  return EXIT.ok;
}
