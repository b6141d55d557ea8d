/**
 * Validation of incoming RPC params: every method checks what arrives before it touches anything.
 * Every string is bounded (issue #9: a 100 MB path took 55 s and 3.7 GB): a path by MAX_PATH_CHARS unless the
 * caller names a tighter bound (MAX_NAME_CHARS for names); box ids by MAX_NAME_CHARS. Arrays are bounded by the
 * request line itself (MAX_REQUEST_LINE_BYTES in daemon/ndjson.ts).
 */
import { isAbsolute } from 'node:path';
import { ErrorCode, isBox, isCheckpoint, isFiniteNumber, isRecord, trackProblem, type Box, type Checkpoint, type Shard, type Track } from '../protocol';
import { checkShard } from '../dataset/shard';
import { VeilError } from '../errors';

/** The longest path: Linux's PATH_MAX is 4096 bytes, so no longer path names a file. Also URLs, passphrases. */
export const MAX_PATH_CHARS = 4096;
/** The longest name: model, reviewer and client names, box ids, progress tokens (a file name is at most 255 bytes). */
export const MAX_NAME_CHARS = 256;

function invalid(message: string): VeilError {
  return new VeilError(ErrorCode.InvalidParams, message);
}

/** Refuses a string longer than `max`, naming the param (never echoing the string). */
function bounded(key: string, value: string, max: number): string {
  if (value.length > max) throw invalid(`"${key}" is ${value.length} characters long, above the limit of ${max}`);
  return value;
}

export function paramsObject(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (!isRecord(params)) throw invalid('params must be an object');
  return params;
}

export function requiredString(params: Record<string, unknown>, key: string, max = MAX_PATH_CHARS): string {
  const value = params[key];
  if (typeof value !== 'string' || value.length === 0) throw invalid(`"${key}" must be a non-empty string`);
  return bounded(key, value, max);
}

/**
 * A path on the daemon's machine: absolute, since the daemon's working folder is nobody's business (the editor
 * starts it wherever; the CLI resolves what the user typed against the user's own working folder). Found by the
 * params fuzzer (issue #9): a relative `out` such as "fill" wrote a private key into the daemon's working folder.
 */
export function requiredPath(params: Record<string, unknown>, key: string): string {
  const value = requiredString(params, key);
  if (!isAbsolute(value)) throw invalid(`"${key}" must be an absolute path`);
  return value;
}

export function optionalPath(params: Record<string, unknown>, key: string): string | undefined {
  return params[key] === undefined ? undefined : requiredPath(params, key);
}

export function optionalString(params: Record<string, unknown>, key: string, max = MAX_PATH_CHARS): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`"${key}" must be a non-empty string when given`);
  return bounded(key, value, max);
}

/** A string that may be empty when given (for settings where empty means "back to the default"). */
export function optionalText(params: Record<string, unknown>, key: string, max = MAX_PATH_CHARS): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`"${key}" must be a string when given`);
  return bounded(key, value, max);
}

export function optionalBoolean(params: Record<string, unknown>, key: string): boolean | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(`"${key}" must be true or false when given`);
  return value;
}

export function optionalNumber(params: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!isFiniteNumber(value) || value < min || value > max) throw invalid(`"${key}" must be a number from ${min} to ${max}`);
  return value;
}

export function optionalEnum<T extends string>(params: Record<string, unknown>, key: string, allowed: readonly T[]): T | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw invalid(`"${key}" must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** An array of values of `allowed`, each once (a filter): bounded by the enumeration itself. */
export function optionalEnumArray<T extends string>(params: Record<string, unknown>, key: string, allowed: readonly T[]): T[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => allowed.includes(item as T)) || new Set(value).size !== value.length) {
    throw invalid(`"${key}" must be an array of distinct values among ${allowed.join(', ')}`);
  }
  return value as T[];
}

export function optionalStringArray(params: Record<string, unknown>, key: string, max = MAX_PATH_CHARS): string[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw invalid(`"${key}" must be an array of non-empty strings`);
  }
  value.forEach((item: string, index) => bounded(`${key}[${index}]`, item, max));
  return value as string[];
}

export function requiredStringArray(params: Record<string, unknown>, key: string, max = MAX_PATH_CHARS): string[] {
  const value = optionalStringArray(params, key, max);
  if (value === undefined || value.length === 0) throw invalid(`"${key}" must be a non-empty array of non-empty strings`);
  return value;
}

export function requiredBoxes(params: Record<string, unknown>, key: string): Box[] {
  const value = params[key];
  if (!Array.isArray(value)) throw invalid(`"${key}" must be an array of boxes`);
  value.forEach((box, index) => {
    if (!isBox(box)) throw invalid(`"${key}[${index}]" is not a valid box {id, x, y, w, h, score, source, state, edited}`);
    bounded(`${key}[${index}].id`, box.id, MAX_NAME_CHARS);
  });
  const ids = new Set(value.map((box: Box) => box.id));
  if (ids.size !== value.length) throw invalid(`"${key}" has duplicate box ids`);
  return value as Box[];
}

/** A video's tracks: each valid (protocol.ts `trackProblem` says what is wrong), ids unique; absent: undefined. */
export function optionalTracks(params: Record<string, unknown>, key: string): Track[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(`"${key}" must be an array of tracks`);
  value.forEach((track, index) => {
    const problem = trackProblem(track);
    if (problem) throw invalid(`"${key}[${index}]${problem}`);
    bounded(`${key}[${index}].id`, (track as Track).id, MAX_NAME_CHARS);
  });
  const ids = new Set(value.map((track: Track) => track.id));
  if (ids.size !== value.length) throw invalid(`"${key}" has duplicate track ids`);
  return value as Track[];
}

/** An instant in ISO 8601 with its offset or Z ("2026-11-29T14:03:00Z"), returned in the form audit entries write times. */
export function optionalTime(params: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(params, key, MAX_NAME_CHARS);
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`"${key}" must be a time in ISO 8601 with its offset or Z ("2026-11-29T14:03:00Z")`);
  return new Date(ms).toISOString();
}

export function optionalCheckpoint(params: Record<string, unknown>, key: string): Checkpoint | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!isCheckpoint(value)) throw invalid(`"${key}" must be {"entries": N, "head": "<64 hex digits>"}`);
  return { entries: value.entries, head: value.head };
}

/** `{"index": i, "count": n}`, 0 <= i < n (daemon/dataset/shard.ts). */
export function optionalShard(params: Record<string, unknown>, key: string): Shard | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!isRecord(value) || !isFiniteNumber(value.index) || !isFiniteNumber(value.count) || Object.keys(value).length !== 2) throw invalid(`"${key}" must be {"index": i, "count": n}`);
  return checkShard({ index: value.index, count: value.count });
}
