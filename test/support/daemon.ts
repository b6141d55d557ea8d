/** Starts the real built daemon (dist/daemon.js) over stdio for a test, with its own VEIL_HOME. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonClient, DaemonError } from '../../client/daemonClient';
import type { DatasetOpenResult, DatasetReconciledParams } from '../../daemon/protocol';
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

/**
 * `dataset/open`, then the end of the reconcile it starts once its answer is out (`dataset/reconciled`): what a test
 * that reads the audit log right after an open waits for. Returns the answer and the entries the reconcile recorded.
 */
export async function openReconciled(client: DaemonClient, root: string): Promise<{ opened: DatasetOpenResult; recorded: number }> {
  const heard: DatasetReconciledParams[] = [];
  let hear: () => void = () => undefined;
  const stop = client.onReconciled((params) => {
    heard.push(params);
    hear();
  });
  try {
    const opened = await client.request('dataset/open', { root });
    const mine = () => heard.find((params) => params.root === opened.root);
    while (!mine()) await new Promise<void>((resolve) => (hear = resolve));
    const { recorded, error } = mine()!;
    assert.equal(error, undefined, `the reconcile after dataset/open of ${root} failed`);
    return { opened, recorded };
  } finally {
    stop();
  }
}
