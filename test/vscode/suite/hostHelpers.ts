/**
 * What the extension-host suites share: the window's folder, Veil's API, the CLI as another process, scratch
 * datasets, waiting for something to happen.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { DatasetDetectResult } from '../../../daemon/protocol';
import type { VeilApi } from '../../../extension/api';
import { spyOnErrors } from './windowSpies';

export const EXTENSION_ID = 'veil.veil';

export function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the window has no folder open');
  return folder.uri.fsPath;
}

/** Detects faces with the command; `target` as the explorer passes it (a folder URI) or an item of the Veil view. */
export async function detectFaces(target: string | object): Promise<DatasetDetectResult> {
  const argument = typeof target === 'string' ? vscode.Uri.file(target) : target;
  const errors = spyOnErrors();
  let result: DatasetDetectResult | undefined;
  try {
    result = await vscode.commands.executeCommand<DatasetDetectResult | undefined>('veil.detectFaces', argument);
  } finally {
    errors.restore();
  }
  assert.ok(result, `veil.detectFaces returned nothing: it showed ${JSON.stringify(errors.messages)}; the daemon: ${JSON.stringify(veil().exports.daemonStatus())}`);
  return result;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function veil(): vscode.Extension<VeilApi> {
  const extension = vscode.extensions.getExtension<VeilApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  return extension;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fresh folder holding copies of the workspace's images (`name in folder` → `name in workspace`). */
export function scratchFolder(prefix: string, images: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, source] of Object.entries(images)) copyFileSync(join(workspaceFolder(), source), join(folder, name));
  return folder;
}

/** Runs Veil's CLI (dist/cli.js) as a separate process, as a person at a terminal would (`env`: e.g. VEIL_REVIEWER). */
export async function veilCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const cli = join(veil().extensionPath, 'dist', 'cli.js');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...env } });
  return stdout;
}
