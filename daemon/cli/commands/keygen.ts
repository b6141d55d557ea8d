/** `veil keygen`: a new age identity (private, 0600) and the recipient (public) to give to datasets. */
import { homedir } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createIdentity, writeIdentityFile } from '../../vault/identity';
import { addRecipient, recipientsPath } from '../../vault/recipients';
import { resolveRoot } from '../../dataset/paths';
import { parseCommandArgs } from '../args';
import { UsageError, type CliIO } from '../io';
import { passphraseSource } from '../passphrase';

const USAGE = 'veil keygen [--out FILE] [--passphrase] [--add-to <dataset dir>]';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, passphrase: { type: 'boolean' }, 'add-to': { type: 'string' } }, USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const out = values.out ? resolve(io.cwd, values.out) : join(io.env.VEIL_HOME ?? join(homedir(), '.veil'), 'identity.txt');
  const passphrase = values.passphrase ? await passphraseSource(io)() : undefined;
  if (passphrase === '') throw new UsageError('the passphrase is empty');
  const key = await createIdentity();
  await mkdir(dirname(out), { recursive: true });
  await writeIdentityFile(out, key, { passphrase });
  io.stdout(key.recipient);
  io.stderr(`identity written to ${out} (mode 0600${passphrase ? ', passphrase-protected' : ''}); keep it away from the dataset`);
  if (values['add-to']) {
    const root = resolveRoot(resolve(io.cwd, values['add-to']));
    const added = await addRecipient(root, key.recipient);
    io.stderr(`${added ? 'added to' : 'already in'} ${recipientsPath(root)}`);
  } else {
    io.stderr('to let a dataset encrypt its originals to it, add the line above to <dataset>/.veil/recipients.txt (or use --add-to)');
  }
  return 0;
}
