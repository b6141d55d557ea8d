/** The audit checkpoint every command that appends to the audit log prints (commit, detect, open). */
import type { Checkpoint } from '../daemon/protocol';
import type { CliIO } from './io';

export function printCheckpoint(io: CliIO, checkpoint: Checkpoint): void {
  io.stdout(`checkpoint: ${JSON.stringify(checkpoint)}`);
  io.stdout(
    "keep the checkpoint line outside the dataset: `veil verify <dir> --checkpoint '<json>'` then detects the audit log cut or rewritten up to here",
  );
}
