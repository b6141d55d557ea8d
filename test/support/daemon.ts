/** Starts the real built daemon (dist/daemon.js) over stdio for a test, with its own VEIL_HOME. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonClient, DaemonError } from '../../client/daemonClient';
import { DIST } from './paths';

export interface TestDaemon {
  client: DaemonClient;
  stderr: string[];
  home: string;
}

export async function startDaemon(env: NodeJS.ProcessEnv = {}, initialize = true): Promise<TestDaemon> {
  const stderr: string[] = [];
  const home = env.VEIL_HOME ?? mkdtempSync(join(tmpdir(), 'veil-home-'));
  const client = DaemonClient.spawn({ daemonPath: join(DIST, 'daemon.js'), env: { VEIL_HOME: home, ...env }, onStderr: (line) => stderr.push(line) });
  if (initialize) await client.request('initialize', { clientName: 'test', reviewer: 'Test Reviewer' });
  return { client, stderr, home };
}

/** The DaemonError a request fails with (fails the test when it succeeds or fails otherwise). */
export async function rpcError(promise: Promise<unknown>): Promise<DaemonError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(DaemonError.is(error), `expected a DaemonError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}
