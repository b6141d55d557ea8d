/**
 * Guards for what Veil reads back from disk (commit journal, lock files, audit entries, model lists), in the
 * style of `imageRecordProblem` in the RPC contract: a check returns what is wrong with a value (`: expected …`
 * for the value itself, `.field: expected …` or `[3].field: expected …` inside it), or undefined when it is
 * right. A file that fails its check is refused with ErrorCode.Corrupt naming the file and the field (`corrupt`),
 * never left to crash later.
 */
import { ErrorCode, isFiniteNumber, isOneOf, isRecord } from '../protocol';
import { VeilError } from '../errors';
import { isSha256Hex } from './hash';

export type Check = (value: unknown) => string | undefined;

function expect(ok: boolean, what: string): string | undefined {
  return ok ? undefined : `: expected ${what}`;
}

export const text: Check = (value) => expect(typeof value === 'string' && value.length > 0, 'a non-empty string');
export const str: Check = (value) => expect(typeof value === 'string', 'a string');
export const flag: Check = (value) => expect(typeof value === 'boolean', 'true or false');
export const count: Check = (value) => expect(Number.isInteger(value) && (value as number) >= 0, 'a whole number');
export const finite: Check = (value) => expect(isFiniteNumber(value), 'a number');
export const sha256: Check = (value) => expect(isSha256Hex(value), '64 lowercase hex digits');

export function oneOf(values: readonly string[]): Check {
  return (value) => expect(isOneOf(values, value), `one of ${values.join(', ')}`);
}
export function exactly(expected: string | number | boolean): Check {
  return (value) => expect(value === expected, JSON.stringify(expected));
}
export function between(min: number, max: number): Check {
  return (value) => expect(isFiniteNumber(value) && value >= min && value <= max, `a number from ${min} to ${max}`);
}
export function nullable(check: Check): Check {
  return (value) => (value === null ? undefined : check(value));
}
export function optional(check: Check): Check {
  return (value) => (value === undefined ? undefined : check(value));
}
export function arrayOf(check: Check): Check {
  return (value) => {
    if (!Array.isArray(value)) return ': expected an array';
    for (const [index, item] of value.entries()) {
      const problem = check(item);
      if (problem !== undefined) return `[${index}]${problem}`;
    }
    return undefined;
  };
}
/** An object with (at least) these fields. */
export function object(fields: Record<string, Check>): Check {
  return (value) => {
    if (!isRecord(value)) return ': expected an object';
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(value[key]);
      if (problem !== undefined) return `.${key}${problem}`;
    }
    return undefined;
  };
}

/** Who did something (see Actor): recorded in audit entries, the journal and lock files' purpose. */
export const actor = object({ osUser: str, reviewer: str });

/** `problem` without its leading `: ` (`expected …`, or `.field: expected …`), to follow a label. */
export function plain(problem: string): string {
  return problem.startsWith(': ') ? problem.slice(2) : problem;
}

/** The refusal of a file that is not what it should be: `<file>: not a valid <what>: .field: expected …`. */
export function corrupt(file: string, what: string, problem: string): VeilError {
  return new VeilError(ErrorCode.Corrupt, `not a valid ${what}: ${plain(problem)}`, file);
}

/** Parses JSON text and checks it, or throws `corrupt` naming `file` (and the field at fault). */
export function parseChecked<T>(text: string, check: Check, what: string, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(file, what, 'expected valid JSON');
  }
  const problem = check(value);
  if (problem !== undefined) throw corrupt(file, what, problem);
  return value as T;
}
