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

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIST, 'cli.js'), ...args], { cwd, env: { ...process.env, VEIL_HOME: tempDir(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
