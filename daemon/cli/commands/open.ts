/** `veil open <dir> <file>`: decrypt one original from the vault, after logging the opening in the audit log. */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { loadIdentities } from '../../vault/identity';
import { openOriginal } from '../../vault/openOriginal';
import { parseCommandArgs } from '../args';
import { UsageError, type CliIO } from '../io';
import { passphraseSource } from '../passphrase';

const USAGE = 'veil open <dir> <file> --identity FILE --out FILE';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { identity: { type: 'string' }, out: { type: 'string' } }, USAGE);
  if (positionals.length !== 2 || !values.identity || !values.out) throw new UsageError(`expected a dataset, a file, --identity and --out\nusage: ${USAGE}`);
  const [dir, file] = positionals;
  const identities = await loadIdentities(resolve(io.cwd, values.identity), passphraseSource(io));
  const osUser = userInfo().username;
  const out = resolve(io.cwd, values.out);
  const opened = await openOriginal({ root: resolve(io.cwd, dir), file, identities, out, actor: { osUser, reviewer: io.env.VEIL_REVIEWER ?? osUser } });
  io.stdout(`wrote the original of ${file} (${opened.bytes} bytes, vault object ${opened.vaultObject.slice(0, 12)}…) to ${out}; the opening is in the audit log`);
  return 0;
}
