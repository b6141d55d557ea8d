/**
 * The Veil daemon: JSON-RPC over stdio. Stdout is the protocol; every log line goes to stderr.
 * Exits when stdin closes, on `shutdown`, or when the parent process disappears (no orphans).
 */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from './models/registry';
import { DEFAULT_MAX_PIXELS } from './image/decode';
import { createHandlers, type DaemonState } from './handlers';
import { serveRpc } from './rpc/server';
import { scanInWorkerFrom } from './dataset/scanThread';

const PARENT_CHECK_MS = 2000;

function log(message: string): void {
  process.stderr.write(`[veil-daemon] ${message}\n`);
}

function maxPixelsFromEnv(): number {
  const value = Number(process.env.VEIL_MAX_PIXELS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_PIXELS;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function watchParent(exit: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (!processExists(parent)) {
      log(`parent process ${parent} is gone; exiting`);
      exit();
    }
  }, PARENT_CHECK_MS);
  timer.unref();
}

function main(): void {
  // Anything a library prints must not corrupt the protocol stream.
  console.log = console.info = console.warn = console.debug = console.trace = (...args: unknown[]) => log(args.map(String).join(' '));
  const exit = () => process.exit(0);
  scanInWorkerFrom(join(__dirname, 'scanWorker.js'));
  const osUser = userInfo().username;
  const defaultReviewer = process.env.VEIL_REVIEWER || osUser;
  const state: DaemonState = {
    registry: new ModelRegistry({ home: process.env.VEIL_HOME ?? join(homedir(), '.veil') }),
    limits: { maxPixels: maxPixelsFromEnv() },
    actor: { osUser, reviewer: defaultReviewer },
    defaultReviewer,
    initialized: false,
    onShutdown: exit,
    notify: () => undefined,
  };
  // Ctrl-C in a terminal signals the whole process group, this daemon included: the CLI cancels the batch
  // between images (`$/cancelRequest`) and closes stdin; dying here at once would leave the journal and lock.
  process.on('SIGINT', () => log('SIGINT ignored: the client cancels the running request'));
  state.notify = serveRpc(process.stdin, process.stdout, createHandlers(state), { actor: () => state.actor, onEnd: exit });
  watchParent(exit);
  log(`ready (pid ${process.pid})`);
}

main();
