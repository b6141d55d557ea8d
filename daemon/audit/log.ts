/**
 * Appending to `.veil/audit.jsonl`. An append reads only the file's last line (its `seq` and hash), so it
 * costs the same at 100k entries as at 10; each line is written with O_APPEND and fsync'd before the
 * promise resolves. Appends are serialized within the process by a queue and across processes (the
 * extension's daemon and a `veil commit` may write at once) by `.veil/audit.lock`, so the chain never forks.
 * The log is opened as a state file: a named pipe in its place is refused (BadPath), never waited on.
 */
import { mkdir, type FileHandle } from 'node:fs/promises';
import { ErrorCode, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import { veilDir, veilPath, veilRelative } from '../dataset/layout';
import { acquireLock } from '../storage/lock';
import { openStateFile } from '../storage/stateFile';
import { EMPTY_CHECKPOINT, checkpointAfter, formatEntry, parseEntry } from './chain';
import type { AuditEntry, AuditEvent } from './events';

const TAIL_CHUNK = 64 * 1024;

export function auditPath(root: string): string {
  return veilPath(root, 'auditLog');
}

interface Tail {
  checkpoint: Checkpoint;
  /** Bytes after the last newline: a line torn by a power loss mid-append (0 normally). */
  tornBytes: number;
}

/** Reads backwards from the end until the last complete line is found. */
async function readTail(handle: FileHandle): Promise<Tail> {
  const { size } = await handle.stat();
  if (size === 0) return { checkpoint: EMPTY_CHECKPOINT, tornBytes: 0 };
  for (let span = Math.min(size, TAIL_CHUNK); ; span = Math.min(size, span * 2)) {
    const buffer = Buffer.alloc(span);
    await handle.read(buffer, 0, span, size - span);
    const lastNewline = buffer.lastIndexOf(0x0a);
    const tornBytes = lastNewline < 0 ? span : span - lastNewline - 1;
    if (lastNewline < 0 && span < size) continue;
    if (lastNewline < 0) return { checkpoint: EMPTY_CHECKPOINT, tornBytes };
    const lineStart = lastNewline === 0 ? 0 : buffer.lastIndexOf(0x0a, lastNewline - 1) + 1;
    if (lineStart === 0 && span < size) continue;
    const line = buffer.toString('utf8', lineStart, lastNewline);
    const entry = parseEntry(line);
    if (typeof entry === 'string') throw new VeilError(ErrorCode.Corrupt, `the last audit entry is unreadable (${entry}); run \`veil verify\``, veilRelative('auditLog'));
    return { checkpoint: checkpointAfter(entry.seq, line), tornBytes };
  }
}

async function appendLines(handle: FileHandle, lines: readonly string[]): Promise<void> {
  await handle.write(lines.map((line) => line + '\n').join(''));
  await handle.sync();
}

/** How long an append waits for another process's append before giving up. */
const APPEND_WAIT_MS = 10_000;

/** Appends `events` in order with one write and one fsync; returns the last entry and the new checkpoint. */
async function appendNow(root: string, events: readonly AuditEvent[]): Promise<AuditEntry & { checkpoint: Checkpoint }> {
  await mkdir(veilDir(root), { recursive: true });
  const path = auditPath(root);
  const lock = await acquireLock(root, 'audit append', { file: 'auditLock', waitMs: APPEND_WAIT_MS });
  const handle = await openStateFile(path, veilRelative('auditLog'), 'a+').catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  try {
    let { checkpoint, tornBytes } = await readTail(handle);
    if (tornBytes > 0) {
      const { size } = await handle.stat();
      await handle.truncate(size - tornBytes);
      const repair = formatEntry(checkpoint, { type: 'audit-repair', droppedBytes: tornBytes, previous: checkpoint }, new Date());
      await appendLines(handle, [repair]);
      checkpoint = checkpointAfter(checkpoint.entries, repair);
    }
    const lines = events.map((event) => {
      const line = formatEntry(checkpoint, event, new Date());
      checkpoint = checkpointAfter(checkpoint.entries, line);
      return line;
    });
    await appendLines(handle, lines);
    return { ...(JSON.parse(lines[lines.length - 1]) as AuditEntry), checkpoint };
  } finally {
    await handle.close();
    await lock.release();
  }
}

const queues = new Map<string, Promise<unknown>>();

/** Appends one event to the dataset's audit log (durable when the promise resolves); returns the entry and the new checkpoint. */
export function appendAudit(root: string, event: AuditEvent): Promise<AuditEntry & { checkpoint: Checkpoint }> {
  return appendAuditBatch(root, [event]);
}

/**
 * Appends several events, in order, with one fsync (a detection run's group of `detect-image` lines; a reconcile of a
 * dataset written before per-image detection was audited records every image at once); returns the last entry and the
 * new checkpoint. `events` must not be empty.
 */
export function appendAuditBatch(root: string, events: readonly AuditEvent[]): Promise<AuditEntry & { checkpoint: Checkpoint }> {
  const path = auditPath(root);
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => appendNow(root, events));
  queues.set(path, next);
  void next.finally(() => {
    if (queues.get(path) === next) queues.delete(path);
  }).catch(() => undefined);
  return next;
}

/** The current checkpoint (entry count and head hash) of the dataset's audit log. */
export async function auditCheckpoint(root: string): Promise<Checkpoint> {
  const path = auditPath(root);
  let handle: FileHandle;
  try {
    handle = await openStateFile(path, veilRelative('auditLog'), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_CHECKPOINT;
    throw error;
  }
  try {
    return (await readTail(handle)).checkpoint;
  } finally {
    await handle.close();
  }
}
