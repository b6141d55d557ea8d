/** What a CLI command may touch: two output streams and the working folder (tests pass their own). */
export interface CliIO {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Rewrites the current stderr line when it is a terminal (progress); prints nothing otherwise. */
  status(line: string): void;
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
