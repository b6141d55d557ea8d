/**
 * `--json` on every `veil` command (README "CI gate and scripting"): stdout holds exactly one JSON document, the
 * command's result or its failure; stderr holds NDJSON events only (progress, and each line a person would have read
 * there); the exit code is the one `cli/exitCodes.ts` documents either way. The one home of that shape: `cli/main.ts`
 * takes the flag off every command line and wraps the command's CliIO here, the commands only call `io.result()`.
 */
import { ErrorCode } from '../daemon/protocol';
import { DaemonError } from '../client/daemonClient';
import { EXIT } from './exitCodes';
import { UsageError, type CliEvent, type CliIO } from './io';

/** Why a command failed, as a person reads it (one line) and as `--json` states it. */
export interface CliFailure {
  exitCode: number;
  /**
   * `Usage` (a usage error), the daemon's error name (`ErrorCode` of daemon/protocol.ts: `BadPath`, `Locked`,
   * `KeyError`, …), a system error code (`ENOENT`, `EACCES`, …) or `Failed`.
   */
  code: string;
  message: string;
  file?: string;
}

/** What stdout holds under `--json`. `ok`: exit code 0 and no error; `result` is there whenever the command got one (also for exit 3, 4, 5 and verify's findings). */
export interface JsonDocument {
  ok: boolean;
  command: string;
  exitCode: number;
  result?: object;
  error?: Omit<CliFailure, 'exitCode'>;
}

/** The command line without `--json` (options only: a `--json` after `--` is a file name), and whether it was there. */
export function takeJsonFlag(argv: readonly string[]): { json: boolean; argv: string[] } {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const rest = end === -1 ? [] : argv.slice(end);
  const kept = options.filter((arg) => arg !== '--json');
  return { json: kept.length !== options.length, argv: [...kept, ...rest] };
}

/** The failure any error thrown by a command stands for (HelpRequested is no failure: main.ts answers it). */
export function failureOf(error: unknown): CliFailure {
  if (error instanceof UsageError) return { exitCode: EXIT.usage, code: 'Usage', message: error.message };
  if (DaemonError.is(error)) return { exitCode: EXIT.failed, code: ErrorCode[error.code] ?? String(error.code), message: error.message, ...(error.file ? { file: error.file } : {}) };
  const system = error as NodeJS.ErrnoException;
  const code = typeof system?.code === 'string' ? system.code : 'Failed';
  return { exitCode: EXIT.failed, code, message: system?.message ?? String(error), ...(typeof system?.path === 'string' ? { file: system.path } : {}) };
}

/** The line a person reads for a failure: `veil <command>: <file>: <message>` (the file once: a system error's message names it). */
export function failureLine(command: string | undefined, failure: CliFailure): string {
  const file = failure.file && !failure.message.includes(failure.file) ? `${failure.file}: ` : '';
  return `veil${command ? ` ${command}` : ''}: ${file}${failure.message}`;
}

/**
 * The CliIO a command runs with under `--json`: stdout lines dropped (the result document says what they say), stderr
 * lines and progress as NDJSON events, no terminal status line; `finish` prints the one document.
 */
export class JsonOutput {
  readonly io: CliIO;
  private document?: object;

  constructor(private readonly base: CliIO) {
    const event = (value: CliEvent) => base.stderr(JSON.stringify(value));
    this.io = {
      stdout: () => undefined,
      stderr: (line) => {
        const text = line.trim();
        if (text !== '') event({ event: 'message', text });
      },
      status: () => undefined,
      event,
      result: (document) => {
        this.document = document;
      },
      cwd: base.cwd,
      env: base.env,
    };
  }

  /** Writes stdout's one document. A command that returned without a result is a bug, stated as one (its exit code kept). */
  finish(command: string, exitCode: number, failure?: CliFailure): void {
    const missing = !failure && !this.document ? { code: 'Failed', message: `veil ${command} gave no --json result (a bug in Veil: please report it)` } : undefined;
    const error = failure ? { code: failure.code, message: failure.message, ...(failure.file ? { file: failure.file } : {}) } : missing;
    const document: JsonDocument = { ok: exitCode === EXIT.ok && !error, command, exitCode, ...(this.document ? { result: this.document } : {}), ...(error ? { error } : {}) };
    this.base.stdout(JSON.stringify(document));
  }
}
