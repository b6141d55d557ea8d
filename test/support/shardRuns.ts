/**
 * What the shard tests share (README "Beyond one machine: shards"): their dataset of faces in three folder depths, the
 * commit arguments of a batch, and the comparison of a dataset done by shard processes with one done by one process;
 * and stopping a real process while it holds a lock. test/daemon/shards.test.ts runs the shards on one path,
 * test/daemon/secondMount.test.ts through two mounts of one folder.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from '../../cli/exitCodes';
import { shardOf } from '../../daemon/dataset/shard';
import type { ImageRecord } from '../../daemon/protocol';
import { runCli, type CliRun } from './cli';
import { faceImage, writeFaceImages } from './faceDataset';
import { NO_FACE, place, tempDir } from './images';
import { auditLines, type AuditLine } from './reviewAudit';
import { readReviewImages } from './reviewFiles';

/** Twelve faces in three folder depths and a photo without one: every shard of 4 holds at least one (asserted). */
export const FACES = Array.from({ length: 12 }, (_, i) => `${['', 'street/', 'street/market/', 'park/'][i % 4]}person-${String(i).padStart(2, '0')}.${i % 2 === 0 ? 'png' : 'jpg'}`);
const NO_FACE_NAME = 'coffee.png';
export const ALL = [...FACES, NO_FACE_NAME];
/** A commit of images nobody reviewed, with the model's doubted detections left as they are (both audited). */
export const BATCH = ['--include-unreviewed', '--allow-possible-faces', '--reason', 'shard test batch'];

export async function makeShardDataset(size: number): Promise<string> {
  const root = tempDir('veil-shards-');
  await writeFaceImages(root, FACES, size);
  place(NO_FACE, root, NO_FACE_NAME);
  return root;
}

export async function addRecipient(root: string): Promise<void> {
  const keygen = await runCli(['keygen', '--out', join(tempDir('veil-shards-key-'), 'id.txt'), '--add-to', root]);
  assert.equal(keygen.code, EXIT.ok, keygen.stderr);
}

/** The files of `ALL` in each shard of `count` (`shardOf`); every shard holds at least one. */
export function filesOfShards(count: number): string[][] {
  const perShard = Array.from({ length: count }, (_, index) => ALL.filter((file) => shardOf(file, count) === index).sort());
  assert.ok(perShard.every((files) => files.length > 0), `every shard holds an image: ${perShard.map((files) => files.length).join(', ')}`);
  return perShard;
}

/** A `veil detect|commit --shard index/count --json` run exited 0 having worked on exactly its shard's files. */
export function assertShardRan(command: 'detect' | 'commit', run: CliRun, index: number, count: number): void {
  assert.equal(run.code, EXIT.ok, `${command} --shard ${index}/${count}: ${run.stdout}${run.stderr}`);
  const result = (JSON.parse(run.stdout) as { result: { images?: Array<{ file: string }>; committed?: string[] } }).result;
  const files = command === 'detect' ? result.images!.map((image) => image.file) : result.committed!;
  assert.deepEqual([...files].sort(), filesOfShards(count)[index], `${command} --shard ${index}/${count} worked on its own files`);
}

/** The files of a dataset outside .veil/, relative, with their bytes. */
function datasetFiles(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const file = relative(root, path).split('\\').join('/');
    if (entry.isFile() && !file.startsWith('.veil/')) files.set(file, readFileSync(path));
  }
  return files;
}

/**
 * A review record less what legitimately differs between one process and four: `revision` (the review log's sequence
 * number at the write: four writers interleave their writes differently), `detection.at` and `committedAt` (wall-clock
 * times) and each box's `id` (a random UUID given to each proposal, daemon/review/merge.ts). Everything else (size,
 * status, every box's place, size, score, source, state and edited flag, the model and its settings) must be equal.
 */
function comparable(record: ImageRecord): unknown {
  const { revision: _revision, committedAt: _committedAt, detection, boxes, ...rest } = record;
  const { at: _at, ...settings } = detection ?? { at: '' };
  return { ...rest, detection: settings, boxes: boxes.map(({ id: _id, ...box }) => box) };
}

export function entriesOf(lines: AuditLine[], type: string): AuditLine[] {
  return lines.filter((line) => line.type === type);
}

/** Both datasets' review records of `ALL`, equal less what legitimately differs (see `comparable`). */
export function assertSameReviewState(one: string, shards: string): void {
  const reviewOne = readReviewImages(one);
  const reviewShards = readReviewImages(shards);
  assert.deepEqual(Object.keys(reviewShards).sort(), [...ALL].sort());
  for (const file of ALL) assert.deepEqual(comparable(reviewShards[file]!), comparable(reviewOne[file]!), `${file}: the same review record`);
}

/**
 * `shards`, detected and committed by `count` shard processes, holds exactly what `one`, done by one process, holds:
 * the same outputs byte for byte (places and names too, faces anonymized), the same vault objects, the same review
 * state, and one gap-free audit chain with each image detected and committed once, to the same output hash.
 */
export async function assertSameAsOneProcess(one: string, shards: string, count: number, size: number): Promise<void> {
  const outputsOne = datasetFiles(one);
  const outputsShards = datasetFiles(shards);
  assert.deepEqual([...outputsShards.keys()].sort(), [...outputsOne.keys()].sort());
  for (const [file, bytes] of outputsOne) assert.ok(bytes.equals(outputsShards.get(file)!), `${file}: the same bytes from ${count} shards as from one process`);
  for (const [index, file] of FACES.entries()) assert.ok(!outputsShards.get(file)!.equals(await faceImage(index, size)), `${file}: anonymized, not the original`);
  assert.deepEqual(readdirSync(join(shards, '.veil', 'vault')).sort(), readdirSync(join(one, '.veil', 'vault')).sort(), 'the same vault objects (named by the originals\' sha256)');

  assertSameReviewState(one, shards);
  const reviewShards = readReviewImages(shards);
  assert.ok(FACES.every((file) => reviewShards[file]!.status === 'committed' && reviewShards[file]!.boxes.length > 0), 'every face was found and committed');

  const trailOne = auditLines(one);
  const trailShards = auditLines(shards);
  assert.deepEqual(trailShards.map((line) => line.seq), trailShards.map((_, i) => i), 'one chain, numbered without a gap');
  for (const type of ['detect-image', 'commit-image']) {
    const files = entriesOf(trailShards, type).map((line) => line.file!).sort();
    assert.deepEqual(files, [...ALL].sort(), `one ${type} entry per image`);
  }
  const outputHash = (lines: AuditLine[]) => new Map(entriesOf(lines, 'commit-image').map((line) => [line.file, (line as unknown as { outputSha256: string }).outputSha256]));
  assert.deepEqual(outputHash(trailShards), outputHash(trailOne));
  assert.equal(entriesOf(trailShards, 'commit').length, count, 'one commit summary per shard');
  assert.equal(entriesOf(trailShards, 'detect-run').length, count, 'one detect-run per shard');
}

/** `veil verify --json`'s result, run by `run` (the CLI on some path of the dataset); it must exit 0. */
export async function verifiedClean(run: Promise<CliRun>): Promise<{ ok: boolean; findings: unknown[]; checked: { auditEntries: number; images: number } }> {
  const verified = await run;
  assert.equal(verified.code, EXIT.ok, verified.stdout + verified.stderr);
  const result = (JSON.parse(verified.stdout) as { result: { ok: boolean; findings: unknown[]; checked: { auditEntries: number; images: number } } }).result;
  assert.deepEqual(result.findings, []);
  return result;
}

/**
 * Waits for `lockPath` to appear while `run` goes on, then stops (SIGSTOP) the process the lock names, so it holds the
 * lock for as long as the test needs; `resume` continues it and resolves with the run's end.
 */
export async function pausedWhileHolding(run: Promise<CliRun>, lockPath: string): Promise<{ pid: number; resume(): Promise<CliRun> }> {
  let ended = false;
  void run.then(() => (ended = true));
  for (;;) {
    assert.ok(!ended, `${lockPath} never appeared while the run went on`);
    const owner = readLockOwner(lockPath);
    if (owner !== undefined) {
      process.kill(owner, 'SIGSTOP');
      // Stopped inside a moment (the review, audit or sidecar lock, ~1 ms, or a shard's brief hold of `.veil/lock` while
      // it makes its own lock): let it finish that and stop it again.
      const veil = join(lockPath.slice(0, lockPath.lastIndexOf('/.veil/')), '.veil');
      const moments = ['review.lock', 'audit.lock', 'redactions.lock', 'lock'].map((name) => join(veil, name)).filter((moment) => moment !== lockPath);
      while (moments.some((moment) => readLockOwner(moment) === owner)) {
        process.kill(owner, 'SIGCONT');
        await sleep(1);
        process.kill(owner, 'SIGSTOP');
      }
      assert.equal(readLockOwner(lockPath), owner, 'the lock was still held when its holder was stopped');
      return {
        pid: owner,
        resume: () => {
          process.kill(owner, 'SIGCONT');
          return run;
        },
      };
    }
    await sleep(2);
  }
}

function readLockOwner(path: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined; // not there yet, or written this instant
  }
}
