/** Where the CLI gets a passphrase: `VEIL_PASSPHRASE`, else the first line of standard input. */
import { createInterface } from 'node:readline';
import type { DaemonClient } from '../client/daemonClient';
import { UsageError, type CliIO } from './io';

export function passphraseSource(io: CliIO): () => Promise<string> {
  return async () => {
    if (io.env.VEIL_PASSPHRASE !== undefined) return io.env.VEIL_PASSPHRASE;
    if (process.stdin.isTTY) io.stderr('passphrase (typed input is visible; set VEIL_PASSPHRASE to avoid typing it):');
    const lines = createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    throw new Error('no passphrase: set VEIL_PASSPHRASE or pipe it on standard input');
  };
}

/**
 * The passphrase of `identity`, asked for here (the daemon cannot prompt) and only when `keys/inspect` says the file has
 * one; undefined for a file without one.
 */
export async function identityPassphrase(io: CliIO, client: DaemonClient, identity: string): Promise<string | undefined> {
  const { passphraseProtected } = await client.request('keys/inspect', { identity });
  if (!passphraseProtected) return undefined;
  const passphrase = await passphraseSource(io)();
  if (passphrase === '') throw new UsageError('the passphrase is empty');
  return passphrase;
}
