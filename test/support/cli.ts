/** Runs the built `veil` CLI (dist/cli.js) as a separate process, as a user would from a terminal. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST } from './paths';
import { tempDir } from './images';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command line that starts the CLI: node and the bundle. */
export const CLI_COMMAND: readonly string[] = [process.execPath, join(DIST, 'cli.js')];

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<CliRun> {
  return runProcess([...CLI_COMMAND, ...args], env, cwd);
}

/** Runs `command` (with its own VEIL_HOME, `env` added) to its end; resolves with its exit code and output. */
export function runProcess(command: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env: { ...process.env, VEIL_HOME: tempDir(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
