/**
 * Starts code-server (a real VS Code server with a real Node extension host) on a free loopback port, in a
 * process group of its own, and stops the whole group: killing the leader alone leaves its helpers running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { InstalledHost } from './installedHost';

export interface CodeServerOptions {
  /** Scratch folder of this run: config, XDG folders, TMPDIR and the server's log go there. */
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
}

export interface CodeServer {
  origin: string;
  /** The server's console output so far (for error messages). */
  log(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3_000;

/**
 * The environment of a code-server process of this run: its XDG folders and TMPDIR inside `runDir`, so it
 * never reads or writes the machine user's code-server config.
 */
export function codeServerEnvironment(options: CodeServerOptions): NodeJS.ProcessEnv {
  const { runDir } = options;
  const env = { XDG_CONFIG_HOME: join(runDir, 'xdg-config'), XDG_DATA_HOME: join(runDir, 'xdg-data'), TMPDIR: join(runDir, 'tmp') };
  for (const dir of [...Object.values(env), options.userDataDir, options.extensionsDir]) mkdirSync(dir, { recursive: true });
  // The extension host inherits it (test-electron's extensionTestsEnv arrives this way).
  return { ...process.env, ...env };
}

export async function startCodeServer(host: InstalledHost, options: CodeServerOptions): Promise<CodeServer> {
  const { runDir } = options;
  const env = codeServerEnvironment(options);
  // An empty config file is fatal; without one code-server writes a password config into XDG_CONFIG_HOME.
  const config = join(runDir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const port = await freePort();
  const logPath = join(runDir, 'code-server.log');
  const child = spawn(
    host.node,
    [
      host.codeServerEntry,
      ...['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', config],
      ...['--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened'],
      ...['--user-data-dir', options.userDataDir, '--extensions-dir', options.extensionsDir],
      ...['--vscode-option', 'enable-smoke-test-driver'],
    ],
    {
      detached: true, // a process group of its own, killed as a whole
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    },
  );
  const logFile = createWriteStream(logPath);
  child.stdout?.pipe(logFile);
  child.stderr?.pipe(logFile);
  const origin = `http://127.0.0.1:${port}`;
  const server: CodeServer = { origin, log: () => readFileSync(logPath, 'utf8'), stop: () => stopGroup(child) };
  try {
    await waitUntilHealthy(origin, child);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- code-server output ---\n${server.log()}`);
  }
  return server;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilHealthy(origin: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`code-server exited (${child.signalCode ?? child.exitCode}) before it was ready`);
    const healthy = await fetch(`${origin}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server was not healthy at ${origin}/healthz within ${READY_TIMEOUT_MS / 1000} s`);
}

/** SIGTERM to the whole group, then SIGKILL to whatever of it is left after a grace period. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const group = child.pid;
  if (group === undefined) return;
  if (!signalGroup(group, 'SIGTERM')) return;
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && groupAlive(group)) await new Promise((resolve) => setTimeout(resolve, 100));
  signalGroup(group, 'SIGKILL');
}

/** False when no process of the group is left. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(group: number): boolean {
  return signalGroup(group, 0);
}
