/** Argument parsing shared by the subcommands (node:util parseArgs with friendly errors). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HelpRequested, UsageError } from './io';
import type { Shard } from '../daemon/protocol';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(usage);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

export function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new UsageError(`--${name} must be a number from ${min} to ${max} (got "${value}")`);
  return parsed;
}

/** One of `allowed` (an enumeration of the RPC contract), or undefined when the option was not given. */
export function enumOption<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}\nusage: ${usage}`);
  return positionals[0];
}

/** `--shard i/n` (0-based, as Kubernetes' JOB_COMPLETION_INDEX and Slurm array ids run); the daemon checks the bounds. */
export function shardOption(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(value.trim());
  if (!match) throw new UsageError(`--shard must be i/n, a 0-based index and a count: 0/4 to 3/4 (got "${value}")`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  if (shard.count < 1 || shard.index >= shard.count) throw new UsageError(`--shard ${value}: the index is 0-based, from 0 to n-1 (0/4 to 3/4 for four shards)`);
  return shard;
}
