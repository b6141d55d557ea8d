/** A worker process for kill -9 drills: run to its end, or killed with SIGKILL at a chosen moment. */
import { spawn } from 'node:child_process';

export interface KillPoint {
  /** Counted from the spawn, or from the worker's first line on stdout containing "progress" (its `atLine`-th with that). */
  from: 'spawn' | 'progress';
  afterMs: number;
  /** With `from: 'progress'`: the progress line that arms the kill, 1 for the first (default). */
  atLine?: number;
}

export interface WorkerRun {
  killed: boolean;
  code: number | null;
  stderr: string;
}

/** Runs `node <args>` to its end, or kills it with SIGKILL at `kill`. */
export function runKillableWorker(args: readonly string[], kill?: KillPoint): Promise<WorkerRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => (timer = setTimeout(() => child.kill('SIGKILL'), kill!.afterMs));
    if (kill?.from === 'spawn') arm();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let progressLines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (kill?.from !== 'progress' || timer) return;
      progressLines += chunk.toString().split('progress').length - 1;
      if (progressLines >= (kill.atLine ?? 1)) arm();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code, stderr });
    });
  });
}
