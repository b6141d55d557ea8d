/** Signing audit checkpoints from the command line (`commit --sign`, `checkpoint sign`): which key, and what was signed. */
import { resolve } from 'node:path';
import type { CheckpointSignResult } from '../daemon/protocol';
import type { CliIO } from './io';

/** The key a command signs with: the option given, else VEIL_SIGNING_KEY; resolved against the user's working folder. */
export function signingKeyPath(option: string | undefined, io: CliIO): string | undefined {
  const path = option ?? (io.env.VEIL_SIGNING_KEY || undefined);
  return path === undefined ? undefined : resolve(io.cwd, path);
}

export function printSignature(io: CliIO, result: CheckpointSignResult): void {
  io.stdout(`signed the audit log's first ${result.signed.entries} entries (head ${result.signed.head}) as ${result.signer} (${result.publicKey})`);
  if (!result.trusted) io.stderr("warning: the dataset's policy does not list this key among its signers: verify reports its signature until it does");
}
