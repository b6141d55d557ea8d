/**
 * A dataset split for an existing scheduler (Kubernetes Indexed Jobs, Slurm arrays, GNU parallel): shard `index` of
 * `count` holds the files whose dataset-relative path hashes to it. The split depends on the path alone, so every
 * process agrees on it without talking to another, a file never changes shard when others are added or removed, and
 * the shards of any `count` cover every file exactly once. Indexes are 0-based, as Kubernetes' JOB_COMPLETION_INDEX
 * and a Slurm `--array=0-(n-1)` give them.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, type Shard } from '../protocol';
import { VeilError } from '../errors';

/** More shards than this is a mistake (a shard per image of a small dataset), not a plan. */
export const MAX_SHARDS = 4096;

/** The shard a dataset-relative path (forward slashes) belongs to. */
export function shardOf(file: string, count: number): number {
  return createHash('sha256').update(file, 'utf8').digest().readUInt32BE(0) % count;
}

export function inShard(file: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(file, shard.count) === shard.index;
}

/** `2/4` and the like; refused (InvalidParams) unless 0 <= index < count <= MAX_SHARDS. */
export function checkShard(shard: Shard): Shard {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new VeilError(ErrorCode.InvalidParams, `a shard count must be a whole number from 1 to ${MAX_SHARDS} (got ${count})`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new VeilError(ErrorCode.InvalidParams, `a shard index is 0-based: from 0 to ${count - 1} for ${count} shards (got ${index})`);
  return shard;
}

/** The shard as people write it: `index/count`. */
export function shardName(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
