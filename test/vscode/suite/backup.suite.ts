/**
 * Backup and restore from the editor, inside a real extension host with the real daemon: a committed dataset backed up
 * from its folder (the backup folder and what to keep asked), the generation audited; then restored into an empty
 * folder (backup folder, target and key asked), after which the CLI's verify passes on the rebuilt dataset.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BackupCreateResult, BackupRestoreResult } from '../../../daemon/protocol';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, veilCli } from './hostHelpers';
import { answerPrompts, type PromptScript } from './promptAnswers';
import { spyOnErrors, windowApi } from './windowSpies';

const NAMES = ['img-00.jpg', 'img-01.jpg'];

/** Runs a command with its prompts answered, the open dialogs answered in turn with `opens`; returns its result and what it said. */
async function answered<T>(command: string, args: unknown[], opens: string[], script: PromptScript = {}) {
  const prompts = answerPrompts(script);
  const errors = spyOnErrors();
  const queue = [...opens];
  windowApi.showOpenDialog = async () => {
    const next = queue.shift();
    return next === undefined ? undefined : [vscode.Uri.file(next)];
  };
  try {
    const result = await vscode.commands.executeCommand<T | undefined>(command, ...args);
    assert.deepEqual([errors.messages, prompts.problems, queue], [[], [], []], `${command} showed errors, refused an answer or asked less`);
    return { result, information: prompts.information };
  } finally {
    errors.restore();
    prompts.restore();
  }
}

export function backupSuite(): void {
  describe('backup and restore from the editor, in the VS Code extension host', () => {
    it(HOST_TESTS.backupFromEditor, async () => {
      const folder = scratchFolder('veil-backup-', Object.fromEntries(NAMES.map((name) => [name, 'astronaut.jpg'])));
      const identity = join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt');
      await veilCli(['keygen', '--out', identity, '--add-to', folder]);
      await detectFaces(folder);
      await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
      const backupFolder = join(mkdtempSync(join(tmpdir(), 'veil-backup-disk-')), 'backups');

      const backedUp = await answered<BackupCreateResult>('veil.backupDataset', [vscode.Uri.file(folder)], [backupFolder], { picks: ['Also the committed images'] });
      assert.equal(backedUp.result?.generation, 1);
      assert.equal(backedUp.result?.outputs, NAMES.length);
      assert.match(backedUp.information[0]?.message ?? '', /^Veil: backup generation 1 of veil-backup-\w+ written to .*: \d+ blobs \(.*\) written and read back/);
      const log = readFileSync(join(folder, '.veil', 'audit.jsonl'), 'utf8').trimEnd().split('\n');
      assert.equal((JSON.parse(log.at(-1)!) as { type: string }).type, 'backup');

      const target = join(mkdtempSync(join(tmpdir(), 'veil-restored-')), 'dataset');
      const restored = await answered<BackupRestoreResult>('veil.restoreBackup', [], [backupFolder, target, identity]);
      assert.equal(restored.result?.generation, 1);
      assert.equal(restored.result?.outputs, NAMES.length);
      assert.deepEqual(restored.information[0]?.buttons, ['Verify Dataset']);
      assert.deepEqual(readdirSync(target).sort(), ['.veil', ...NAMES]);
      await veilCli(['verify', target, '--identity', identity]);
    });
  });
}
