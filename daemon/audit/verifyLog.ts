/**
 * Checks the audit chain end to end: every line parses, numbers follow each other, each `prev` is the hash
 * of the line before, the file ends with a newline; with a checkpoint kept elsewhere, also that the log
 * still reaches it with the same head (a cut tail or rewritten history is otherwise invisible).
 */
import type { Checkpoint, VerifyFinding, VerifyFindingKind } from '../protocol';
import { EMPTY_CHECKPOINT, checkpointAfter, parseEntry } from './chain';
import type { AuditEntry } from './events';
import { auditPath } from './log';
import { veilRelative } from '../dataset/layout';
import { auditLines, auditSize } from './reader';
import { openStateFile } from '../storage/stateFile';

export interface AuditReport {
  entries: AuditEntry[];
  findings: VerifyFinding[];
  checkpoint: Checkpoint;
  /** `heads[n]`: the head after the first n lines (heads[0] is GENESIS), so a signed checkpoint anywhere can be compared. */
  heads: string[];
}

async function endsWithNewline(path: string, size: number): Promise<boolean> {
  const handle = await openStateFile(path, veilRelative('auditLog'), 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

export async function verifyAuditLog(root: string, trusted?: Checkpoint): Promise<AuditReport> {
  const findings: VerifyFinding[] = [];
  const entries: AuditEntry[] = [];
  let checkpoint = EMPTY_CHECKPOINT;
  const heads = [checkpoint.head];
  const report = (message: string, kind: VerifyFindingKind = 'audit-chain') => findings.push({ kind, file: veilRelative('auditLog'), message });

  for await (const { number, text } of auditLines(root)) {
    const entry = parseEntry(text);
    if (typeof entry === 'string') {
      report(`line ${number}: ${entry}`);
    } else {
      if (entry.seq !== checkpoint.entries) report(`line ${number}: entry number ${entry.seq}, expected ${checkpoint.entries} (a line was removed, added or moved)`);
      if (entry.prev !== checkpoint.head) report(`line ${number}: does not chain to the line before (hash mismatch: this line or the one before was altered)`);
      entries.push(entry);
    }
    checkpoint = checkpointAfter(checkpoint.entries, text);
    heads.push(checkpoint.head);
  }
  const size = await auditSize(root);
  if (size > 0 && !(await endsWithNewline(auditPath(root), size))) report('the last line is incomplete (torn write)');

  if (trusted && trusted.entries > 0) {
    if (checkpoint.entries < trusted.entries) {
      report(`the log has ${checkpoint.entries} entries but the checkpoint says ${trusted.entries}: its tail was cut`, 'audit-checkpoint');
    } else if (heads[trusted.entries] !== trusted.head) {
      report(`entry ${trusted.entries} no longer has the checkpoint's hash: history before the checkpoint was rewritten`, 'audit-checkpoint');
    }
  }
  return { entries, findings, checkpoint, heads };
}
