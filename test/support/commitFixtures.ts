/** Datasets ready to commit: images, review state as a reviewer leaves it, a key pair, and a call context. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Box, ImageRecord, ImageStatus } from '../../daemon/protocol';
import { CancellationToken, type CallContext } from '../../daemon/core/callContext';
import { OpenDatasets } from '../../daemon/services/datasets';
import { createIdentity } from '../../daemon/vault/identity';
import { addRecipient } from '../../daemon/vault/recipients';
import { DEFAULT_MAX_PIXELS } from '../../daemon/image/decode';
import type { CommitDeps } from '../../daemon/commit/commit';
import { EMPTY_CHECKPOINT, checkpointAfter, formatEntry } from '../../daemon/audit/chain';
import { boxesSha256, countBoxes, type AuditEvent } from '../../daemon/audit/events';
import { auditPath } from '../../daemon/audit/log';

/** The astronaut's face in astronaut.png (512x512) as a detector would box it (checked by eye). */
export const FACE_BOX = { x: 175, y: 75, w: 95, h: 110 };
/** Background well away from the face (the flag, top left). */
export const BACKGROUND = { x: 10, y: 10, w: 80, h: 150 };

export const TEST_ACTOR = { osUser: 'tester', reviewer: 'Reviewer One' };

export function box(rect: { x: number; y: number; w: number; h: number }, state: Box['state'] = 'accepted', id = 'b1'): Box {
  return { id, ...rect, score: 0.9, source: 'model', state, edited: false };
}

export interface SeedImage {
  file: string;
  bytes: Buffer;
  width: number;
  height: number;
  boxes: Box[];
  status?: ImageStatus;
}

/** Appends `event` to the dataset's audit log, chained to its last line (synchronous; for building fixtures). */
export function appendAuditSync(root: string, event: AuditEvent): void {
  const path = auditPath(root);
  const last = existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').at(-1) : undefined;
  const previous = last ? checkpointAfter((JSON.parse(last) as { seq: number }).seq, last) : EMPTY_CHECKPOINT;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, formatEntry(previous, event, new Date()) + '\n');
}

/** Flips one bit of the byte `at` picks in the file (a drill of silent damage). */
export function flipByte(path: string, at: (bytes: Buffer) => number): void {
  const bytes = readFileSync(path);
  const index = at(bytes);
  if (index < 0 || index >= bytes.length) throw new Error(`no such byte in ${path}`);
  bytes[index] ^= 0x01;
  writeFileSync(path, bytes);
}

/** Every entry of the dataset's audit log, parsed. */
export function auditEntries(root: string): Array<Record<string, unknown>> {
  return readFileSync(auditPath(root), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Rewrites the whole audit log from `events` (seq, prev and at stripped), correctly chained: what a forger without a checkpoint can do. */
export function rechainLog(root: string, events: ReadonlyArray<Record<string, unknown>>): void {
  let checkpoint = EMPTY_CHECKPOINT;
  const lines = events.map(({ seq: _seq, prev: _prev, at: _at, ...event }) => {
    const line = formatEntry(checkpoint, event as unknown as AuditEvent, new Date());
    checkpoint = checkpointAfter(checkpoint.entries, line);
    return line;
  });
  writeFileSync(auditPath(root), lines.join('\n') + '\n');
}

/**
 * Writes the images and a review.json as the daemon would have left it after detection and review, with the audit
 * entry that explains each record: the review-change each reviewed image's decision wrote (a commit of a reviewed
 * image must match it), the detect-image of each image left unreviewed.
 */
export function seedDataset(root: string, images: readonly SeedImage[]): void {
  const records: Record<string, ImageRecord> = {};
  for (const image of images) {
    const path = join(root, image.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, image.bytes);
    records[image.file] = {
      file: image.file,
      width: image.width,
      height: image.height,
      boxes: image.boxes,
      status: image.status ?? 'reviewed',
      detection: { model: 'test-model', threshold: 0.6, thorough: false, at: new Date(0).toISOString() },
    };
  }
  mkdirSync(join(root, '.veil'), { recursive: true });
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 1, images: records }));
  for (const { file, status, boxes } of Object.values(records)) {
    const counted = { file, status, boxes: countBoxes(boxes), boxesSha256: boxesSha256(boxes) };
    if (status === 'reviewed') appendAuditSync(root, { type: 'review-change', actor: TEST_ACTOR, ...counted });
    else appendAuditSync(root, { type: 'detect-image', actor: TEST_ACTOR, model: 'test-model', threshold: 0.6, thorough: false, faces: boxes.length, revision: 0, ...counted });
  }
}

/** A fresh identity whose recipient the dataset encrypts to. */
export async function addKey(root: string): Promise<{ identity: string; recipient: string; identityFile: string }> {
  const key = await createIdentity();
  await addRecipient(root, key.recipient);
  const identityFile = join(dirname(root), `${root.split('/').pop()}-identity.txt`);
  writeFileSync(identityFile, key.identity + '\n', { mode: 0o600 });
  return { ...key, identityFile };
}

export function testContext(token = new CancellationToken(), onProgress: CallContext['progress'] = () => undefined): CallContext {
  // Called in this process: no answer to wait for.
  return { token, progress: onProgress, actor: TEST_ACTOR, answered: Promise.resolve() };
}

export function commitDeps(): CommitDeps {
  return { datasets: new OpenDatasets(), limits: { maxPixels: DEFAULT_MAX_PIXELS } };
}
