/**
 * `veil open <dir> <file> --purpose TEXT`: decrypt one original from the vault, for a purpose (the daemon logs the
 * opening, with the purpose and the key's recipient, in the audit log first; a refusal is logged too).
 */
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { identityPassphrase } from '../passphrase';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const USAGE = 'veil open <dir> <file> --identity FILE --out FILE --purpose TEXT';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { identity: { type: 'string' }, out: { type: 'string' }, purpose: { type: 'string' } }, USAGE);
  if (positionals.length !== 2 || !values.identity || !values.out) throw new UsageError(`expected a dataset, a file, --identity and --out\nusage: ${USAGE}`);
  // A missing --purpose is not a usage error: the daemon refuses the opening and logs the attempt (README "Access with a purpose").
  const [dir, file] = positionals;
  const identity = resolve(io.cwd, values.identity);
  const out = resolve(io.cwd, values.out);
  const opened = await withDaemon(io, async (client) => {
    const passphrase = await identityPassphrase(io, client, identity);
    return client.request('vault/open', { root: resolve(io.cwd, dir), file, identity, passphrase, out, purpose: values.purpose });
  });
  io.result(opened);
  io.stdout(`wrote the original of ${file} (${opened.bytes} bytes, vault object ${opened.vaultObject.slice(0, 12)}…) to ${opened.out}`);
  io.stdout(`the opening is in the audit log: purpose "${opened.purpose}", key of ${opened.recipient}`);
  printCheckpoint(io, opened.checkpoint);
  return EXIT.ok;
}
