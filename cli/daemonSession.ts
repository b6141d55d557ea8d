/** Runs a CLI command against a freshly spawned daemon, always shutting it down afterwards. */
import { join } from 'node:path';
import { DaemonClient } from '../client/daemonClient';
import type { InitializeResult } from '../daemon/protocol';
import type { CliIO } from './io';

export interface DaemonSessionOptions {
  /** Passed to the daemon as VEIL_MAX_PIXELS. */
  maxPixels?: number;
}

export async function withDaemon<T>(
  io: CliIO,
  run: (client: DaemonClient, init: InitializeResult) => Promise<T>,
  options: DaemonSessionOptions = {},
): Promise<T> {
  const env: NodeJS.ProcessEnv = { ...io.env };
  if (options.maxPixels !== undefined) env.VEIL_MAX_PIXELS = String(options.maxPixels);
  const client = DaemonClient.spawn({
    daemonPath: join(__dirname, 'daemon.js'),
    env,
    onStderr: (line) => {
      if (io.env.VEIL_DEBUG) io.stderr(line);
    },
  });
  try {
    const init = await client.request('initialize', { clientName: 'veil-cli', reviewer: io.env.VEIL_REVIEWER });
    return await run(client, init);
  } finally {
    await client.close();
  }
}

/** Ctrl-C cancels the running request (the daemon stops between images) instead of killing the process. */
export function interruptSignal(io: CliIO): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('\ninterrupted: stopping after the current image…');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}
