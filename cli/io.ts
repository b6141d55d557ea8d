/** What a CLI command may touch: two output streams and the working folder (tests pass their own). */

/** A machine-readable event: under `--json`, a line of NDJSON on stderr (cli/jsonOutput.ts). */
export type CliEvent =
  /** A long command's progress: `task` is what it does ("detecting", "committing", "re-encrypting", …). */
  | { event: 'progress'; task: string; done: number; total: number; file?: string }
  /** A line the command wrote for a person on stderr (a warning, a hint): its facts are in the result too. */
  | { event: 'message'; text: string };

export interface CliIO {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Rewrites the current stderr line when it is a terminal (progress); prints nothing otherwise. */
  status(line: string): void;
  /** The command's result: with `--json`, the `result` of the one document stdout holds (cli/jsonOutput.ts); otherwise dropped. */
  result(document: object): void;
  /** Present with `--json` only: one machine-readable event (progress), a line of NDJSON on stderr. */
  event?(event: CliEvent): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return {
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    status: (line) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
    },
    // A person reads the lines each command prints from its result.
    result: () => undefined,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** A user-facing CLI error: printed as one line, exit code 2 (bad usage) unless given. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help` on a subcommand: its usage goes to stdout, exit code 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super(usage);
    this.name = 'HelpRequested';
  }
}
