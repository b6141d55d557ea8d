/** `veil keygen`: a new age identity (private, 0600) and the recipient (public) to give to datasets; the daemon writes them. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { passphraseSource } from '../passphrase';
import { EXIT } from '../exitCodes';

const USAGE = 'veil keygen [--out FILE] [--passphrase] [--add-to <dataset dir>]';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, passphrase: { type: 'boolean' }, 'add-to': { type: 'string' } }, USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const out = values.out ? resolve(io.cwd, values.out) : join(io.env.VEIL_HOME ?? join(homedir(), '.veil'), 'identity.txt');
  const passphrase = values.passphrase ? await passphraseSource(io)() : undefined;
  if (passphrase === '') throw new UsageError('the passphrase is empty');
  const addTo = values['add-to'] ? resolve(io.cwd, values['add-to']) : undefined;
  const created = await withDaemon(io, (client) => client.request('keys/create', { out, passphrase, addTo }));
  io.result(created);
  io.stdout(created.recipient);
  io.stderr(`identity written to ${created.identity} (mode 0600${passphrase ? ', passphrase-protected' : ''}); keep it away from the dataset`);
  if (created.addedTo) {
    io.stderr(`${created.addedTo.added ? 'added to' : 'already in'} ${created.addedTo.path}`);
  } else {
    io.stderr('to let a dataset encrypt its originals to it, add the line above to <dataset>/.veil/recipients.txt (or use --add-to)');
  }
  return EXIT.ok;
}
