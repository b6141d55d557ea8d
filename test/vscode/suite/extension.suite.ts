/**
 * Veil inside a real VS Code extension host: its commands with the real daemon, models and images.
 * The window has a copy of samples/ open as its only folder. Defined after mocha's `pre-require`.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DatasetDetectResult } from '../../../daemon/protocol';
import { HOST_TESTS } from './hostContract';
import { readReviewImages } from '../../support/reviewFiles';

const EXTENSION_ID = 'veil.veil';

function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the window has no folder open');
  return folder.uri.fsPath;
}

async function detectFaces(folder: string): Promise<DatasetDetectResult> {
  const result = await vscode.commands.executeCommand<DatasetDetectResult | undefined>('veil.detectFaces', vscode.Uri.file(folder));
  assert.ok(result, 'veil.detectFaces returned nothing (it failed; see the Veil log)');
  return result;
}

/** Pids of the daemons this extension host started (its children running dist/daemon.js). */
function daemonPids(): number[] {
  const table = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) => line.includes('dist/daemon.js'))
    .map((line) => Number.parseInt(line.trim(), 10));
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function extensionSuite(): void {
  describe('Veil in the VS Code extension host', () => {
    it(HOST_TESTS.activation, async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is not loaded`);
      await extension.activate();
      assert.equal(extension.isActive, true);
      const contributed = (extension.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(
        contributed.filter((id) => !registered.has(id)),
        [],
        'contributed commands without a registration',
      );
      assert.ok(contributed.length >= 6, `only ${contributed.length} commands contributed`);
    });

    it(HOST_TESTS.detection, async () => {
      const folder = workspaceFolder();
      const result = await detectFaces(folder);
      assert.deepEqual(result.failures, []);
      const facesByFile = new Map(result.images.map((image) => [image.file, image.faces.length]));
      assert.equal(facesByFile.get('astronaut.jpg'), 1, `faces per image: ${JSON.stringify([...facesByFile])}`);
      assert.ok((facesByFile.get('group/collage.jpg') ?? 0) >= 3, `faces per image: ${JSON.stringify([...facesByFile])}`);
      const saved = { images: readReviewImages(folder) };
      const savedBoxes = Object.fromEntries(Object.entries(saved.images).map(([file, record]) => [file, record.boxes.length]));
      assert.deepEqual(savedBoxes, Object.fromEntries(facesByFile));
      assert.ok(
        Object.values(saved.images).every((record) => record.boxes.every((box) => box.source === 'model' && box.state === 'proposed')),
        'a saved box is not a model proposal',
      );
    });

    it(HOST_TESTS.review, async () => {
      const folder = workspaceFolder();
      await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(folder));
      const tab = await waitFor('the review tab', () =>
        vscode.window.tabGroups.all
          .flatMap((group) => group.tabs)
          .find((candidate) => candidate.input instanceof vscode.TabInputWebview && candidate.input.viewType.includes('veil.review')),
      );
      assert.equal(tab.label, 'Veil: samples');
      assert.equal(tab.isActive, true);
    });

    it(HOST_TESTS.badImage, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'veil-bad-image-'));
      copyFileSync(join(workspaceFolder(), 'astronaut.jpg'), join(folder, 'astronaut.jpg'));
      // A JPEG cut off after its first kilobyte: its header reads, its pixels do not.
      writeFileSync(join(folder, 'broken.jpg'), readFileSync(join(workspaceFolder(), 'no-face.jpg')).subarray(0, 1024));
      const result = await detectFaces(folder);
      assert.deepEqual(
        result.failures.map((failure) => failure.file),
        ['broken.jpg'],
      );
      assert.match(result.failures[0].message, /\S{8,}/, 'the failure says nothing');
      assert.ok(result.images.some((image) => image.file === 'astronaut.jpg' && image.faces.length >= 1), 'astronaut.jpg was not detected');
    });

    it(HOST_TESTS.restart, async () => {
      const folder = workspaceFolder();
      await detectFaces(folder); // the daemon is running
      const [killed] = daemonPids();
      assert.ok(killed, 'no daemon process under the extension host');
      process.kill(killed, 'SIGKILL');
      const restarted = await waitFor('a new daemon', () => daemonPids().find((pid) => pid !== killed));
      const result = await detectFaces(folder);
      assert.ok(result.images.length >= 4, `${result.images.length} images after the restart`);
      assert.deepEqual(daemonPids(), [restarted]);
      assert.equal(existsSync(`/proc/${killed}`), false, 'the killed daemon is still there');
    });
  });
}
