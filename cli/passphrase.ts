/** Where the CLI gets a passphrase: `VEIL_PASSPHRASE`, else the first line of standard input. */
import { createInterface } from 'node:readline';
import type { CliIO } from './io';

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
