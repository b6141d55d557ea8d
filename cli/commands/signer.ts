/** `veil signer create --out FILE`: a new Ed25519 key that signs audit checkpoints; prints its public key for a policy's signers. */
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { EXIT } from '../exitCodes';

const USAGE = 'veil signer create --out FILE (a new file outside every dataset; keep it off the machine that holds the dataset)';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' } }, USAGE);
  const [verb, ...rest] = positionals;
  if (verb !== 'create') throw new UsageError(`unknown signer command "${verb ?? ''}"\nusage: ${USAGE}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\nusage: ${USAGE}`);
  if (!values.out) throw new UsageError(`--out is required: where to write the private key\nusage: ${USAGE}`);
  const out = resolve(io.cwd, values.out);
  const created = await withDaemon(io, (client) => client.request('signer/create', { out }));
  io.result(created);
  io.stdout(created.publicKey);
  io.stderr(`signing key written to ${created.keyFile} (mode 0600): keep it away from the dataset, ideally off the machine that holds it`);
  io.stderr('to trust its signatures, add {"name": "<who holds it>", "publicKey": "<the line above>"} to "signers" in the policy, then `veil policy apply <dir> <file>`');
  return EXIT.ok;
}
