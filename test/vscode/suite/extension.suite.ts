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
import type { VerifyResult } from '../../../daemon/protocol';
import { HOST_TESTS } from './hostContract';
import { detectFaces, EXTENSION_ID, scratchFolder, sleep, veil, veilCli, waitFor, workspaceFolder } from './hostHelpers';
import { spyOnErrors, spyOnProgress, spyOnWebviews, windowApi } from './windowSpies';
import { readReviewImages } from '../../support/reviewFiles';

/** Pids of the daemons this extension host started (its children running dist/daemon.js). */
function daemonPids(): number[] {
  const table = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) => line.includes('dist/daemon.js'))
    .map((line) => Number.parseInt(line.trim(), 10));
}


/** The audit log of a dataset, one entry per line. */
function auditEntries(folder: string): Array<{ type: string; actor: { osUser: string; reviewer: string } }> {
  return readFileSync(join(folder, '.veil', 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

let committed: Promise<string> | undefined;
/** Three images with faces, detected and committed with the CLI (made once, shared by the verify tests). */
function committedDataset(): Promise<string> {
  committed ??= (async () => {
    const folder = scratchFolder('veil-committed-', { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'astronaut-exif-rotated.jpg', 'c.jpg': 'group/collage.jpg' });
    await veilCli(['keygen', '--out', join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt'), '--add-to', folder]);
    await veilCli(['detect', folder]);
    await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
    return folder;
  })();
  return committed;
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
      // The faces proposed are saved as proposals; the model's doubts below the threshold are kept apart as possible faces.
      const savedBoxes = Object.fromEntries(Object.entries(saved.images).map(([file, record]) => [file, record.boxes.filter((box) => box.state !== 'possible').length]));
      assert.deepEqual(savedBoxes, Object.fromEntries(facesByFile));
      assert.ok(
        Object.values(saved.images).every((record) => record.boxes.every((box) => box.source === 'model' && (box.state === 'proposed' || box.state === 'possible'))),
        'a saved box is neither a model proposal nor a possible face',
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
      // Text named like a JPEG. (A JPEG cut short is no failure: it is read as far as its data goes.)
      writeFileSync(join(folder, 'broken.jpg'), 'this is not a JPEG\n');
      const result = await detectFaces(folder);
      assert.deepEqual(
        result.failures.map((failure) => failure.file),
        ['broken.jpg'],
      );
      assert.match(result.failures[0].message, /\S{8,}/, 'the failure says nothing');
      assert.ok(result.images.some((image) => image.file === 'astronaut.jpg' && image.faces.length >= 1), 'astronaut.jpg was not detected');
    });

    it(HOST_TESTS.failureRetry, async () => {
      const missing = vscode.Uri.file(join(mkdtempSync(join(tmpdir(), 'veil-retry-')), 'gone'));
      const shown: Array<{ message: string; buttons: string[] }> = [];
      const original = windowApi.showErrorMessage;
      // The first error is answered with Retry, the second with nothing.
      windowApi.showErrorMessage = (async (message: string, ...buttons: string[]) => {
        shown.push({ message, buttons });
        return shown.length === 1 ? 'Retry' : undefined;
      }) as unknown as typeof windowApi.showErrorMessage;
      try {
        assert.equal(await vscode.commands.executeCommand('veil.detectFaces', missing), undefined);
        await waitFor('the command to run again', () => (shown.length === 2 ? true : undefined));
        for (const { message, buttons } of shown) {
          assert.match(message, /gone/, 'the message names the folder');
          assert.deepEqual(buttons, ['Retry', 'Show Log']);
        }
      } finally {
        windowApi.showErrorMessage = original;
      }
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

    it(HOST_TESTS.startFailed, async () => {
      const api = veil().exports;
      const config = vscode.workspace.getConfiguration('veil');
      // A Veil home that is a file: the daemon process runs, but its `initialize` cannot list the models under it.
      const notAFolder = join(mkdtempSync(join(tmpdir(), 'veil-home-file-')), 'home');
      writeFileSync(notAFolder, 'not a folder\n');
      await config.update('daemon.home', notAFolder, vscode.ConfigurationTarget.Global);
      try {
        await vscode.commands.executeCommand('veil.restartDaemon');
        const shown = api.daemonStatus();
        assert.equal(shown.state.kind, 'startFailed', JSON.stringify(shown));
        assert.equal(shown.text, '$(error) Veil: start failed');
        assert.match(shown.tooltip, /failed to start: cannot read .*ENOTDIR/);
        assert.match(shown.tooltip, /next Veil command tries again/);
        await waitFor('the daemon that failed to start to exit', () => (daemonPids().length === 0 ? true : undefined));
      } finally {
        await config.update('daemon.home', undefined, vscode.ConfigurationTarget.Global);
      }
      // No "Restart Daemon": the next command that needs the daemon starts it again.
      const result = await detectFaces(scratchFolder('veil-after-failed-start-', { 'astronaut.jpg': 'astronaut.jpg' }));
      assert.equal(result.images.length, 1);
      assert.equal(api.daemonStatus().state.kind, 'running');
      assert.equal(api.daemonStatus().text, '$(shield) Veil');
    });

    it(HOST_TESTS.reviewer, async () => {
      const config = vscode.workspace.getConfiguration('veil');
      await detectFaces(scratchFolder('veil-reviewer-before-', { 'astronaut.jpg': 'astronaut.jpg' })); // the daemon is running
      await config.update('review.reviewerName', 'Host Reviewer', vscode.ConfigurationTarget.Global);
      try {
        const folder = scratchFolder('veil-reviewer-', { 'astronaut.jpg': 'astronaut.jpg' });
        await detectFaces(folder);
        const run = auditEntries(folder).find((entry) => entry.type === 'detect-run');
        assert.equal(run?.actor.reviewer, 'Host Reviewer', JSON.stringify(run));
      } finally {
        await config.update('review.reviewerName', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it(HOST_TESTS.verifyProgress, async () => {
      const folder = await committedDataset();
      const progress = spyOnProgress();
      let result: VerifyResult | undefined;
      try {
        result = await vscode.commands.executeCommand<VerifyResult | undefined>('veil.verifyDataset', vscode.Uri.file(folder));
      } finally {
        progress.restore();
      }
      assert.ok(result, 'veil.verifyDataset returned nothing (it failed; see the Veil log)');
      assert.equal(result.checked.images, 3, JSON.stringify(result));
      assert.deepEqual(progress.titles, ['Veil: verifying']);
      const messages = progress.reports.map((report) => report.message ?? '');
      for (const file of ['a.jpg', 'b.jpg', 'c.jpg']) assert.ok(messages.some((message) => message.endsWith(` ${file}`)), `no progress for ${file}: ${messages.join(' | ')}`);
      const increments = progress.reports.map((report) => report.increment ?? 0);
      assert.ok(increments.every((increment) => increment >= 0), `the bar ran backwards: ${increments.join(', ')}`);
      assert.ok(Math.abs(increments.reduce((sum, increment) => sum + increment, 0) - 100) < 1e-6, `the bar ended at ${increments.join(' + ')}`);
    });

    it(HOST_TESTS.verifyCancel, async () => {
      const folder = await committedDataset();
      await detectFaces(scratchFolder('veil-cancel-before-', { 'astronaut.jpg': 'astronaut.jpg' })); // the daemon is running
      const [daemon] = daemonPids();
      assert.ok(daemon, 'no daemon process under the extension host');
      const cancel = new vscode.CancellationTokenSource();
      const progress = spyOnProgress(cancel.token);
      const errors = spyOnErrors();
      // Held still, the daemon reads the request and its cancellation together: it is cancelled before it checks
      // anything, however fast this machine verifies three images.
      process.kill(daemon, 'SIGSTOP');
      try {
        const verifying = vscode.commands.executeCommand<VerifyResult | undefined>('veil.verifyDataset', vscode.Uri.file(folder));
        await waitFor('the verification to start', () => (progress.titles.length > 0 ? true : undefined));
        await sleep(300); // its request is now in the daemon's stdin
        cancel.cancel();
        process.kill(daemon, 'SIGCONT');
        const result = await verifying;
        assert.equal(result, undefined, `the verification ran to its end: ${JSON.stringify(result)}`);
      } finally {
        process.kill(daemon, 'SIGCONT');
        progress.restore();
        errors.restore();
      }
      assert.deepEqual(errors.messages, [], 'a cancellation was shown as an error');
      assert.deepEqual(daemonPids(), [daemon], 'the daemon did not survive the cancellation');
    });

    it(HOST_TESTS.reviewReload, async () => {
      const folder = scratchFolder('veil-reload-', { 'astronaut.jpg': 'astronaut.jpg' });
      await detectFaces(folder);
      const webviews = spyOnWebviews();
      try {
        await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(folder));
      } finally {
        webviews.restore();
      }
      assert.equal(webviews.panels.length, 1, 'the review opened no new webview panel');
      const loads = () => webviews.posted.filter((type) => type === 'dataset/load').length;
      try {
        await waitFor('the review to load its dataset', () => (loads() > 0 ? true : undefined), 60_000);
        const before = loads();
        const [killed] = daemonPids();
        assert.ok(killed, 'no daemon process under the extension host');
        process.kill(killed, 'SIGKILL');
        await waitFor('the review to load its dataset from the new daemon', () => (loads() > before ? true : undefined), 60_000);
        assert.ok(daemonPids().every((pid) => pid !== killed));
      } finally {
        webviews.panels[0]?.dispose();
      }
    });
  });
}
