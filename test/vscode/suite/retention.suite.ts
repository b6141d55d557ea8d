/**
 * Retention, purge and restore from the editor, inside a real extension host with the real daemon: an original held
 * and released from the Veil view (the reason asked, each decision audited), originals past retention purged after a
 * dry run and a confirmation (the held one kept), and an original restored for re-review from the view (purpose and
 * key asked), after which the image is listed as unreviewed and verify passes.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RetentionHoldResult, VaultPurgeResult, VaultRestoreResult } from '../../../daemon/protocol';
import type { DatasetsNode, ImageNode } from '../../../extension/datasetsView';
import { backdateCommits } from '../../support/retentionFixtures';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, veil, veilCli, waitFor } from './hostHelpers';
import { answerPrompts, type PromptScript } from './promptAnswers';
import { spyOnErrors, windowApi } from './windowSpies';

const NAMES = ['img-00.jpg', 'img-01.jpg'];

function audit(folder: string): Array<Record<string, unknown>> {
  return readFileSync(join(folder, '.veil', 'audit.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The image nodes of the dataset at `folder`, by group, once `expected` (group → files) is what the Veil view shows. */
async function imagesByGroup(folder: string, expected: Record<string, string[]>): Promise<Map<string, ImageNode>> {
  const tree = veil().exports.datasetsTree;
  const children = async (node?: DatasetsNode) => (await tree.getChildren(node)) ?? [];
  const root = realpathSync(folder);
  let shown = '';
  try {
    return await waitFor('the Veil view to list the images by group', async () => {
      const dataset = (await children()).find((node) => node.kind === 'dataset' && node.root === root);
      if (!dataset) return undefined;
      const groups: Record<string, string[]> = {};
      const images = new Map<string, ImageNode>();
      for (const group of await children(dataset)) {
        if (group.kind !== 'group') continue;
        for (const node of await children(group)) if (node.kind === 'image') images.set(node.image.file, node);
        groups[group.group] = (await children(group)).flatMap((node) => (node.kind === 'image' ? [node.image.file] : [])).sort();
      }
      shown = JSON.stringify(groups);
      return shown === JSON.stringify(expected) ? images : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}: shown ${shown}, expected ${JSON.stringify(expected)}`);
  }
}

/** Runs a Veil command with its prompts answered and every warning answered with `warning`; returns what it asked. */
async function answered<T>(command: string, args: unknown[], script: PromptScript & { warning?: string } = {}) {
  const prompts = answerPrompts(script);
  const errors = spyOnErrors();
  const warnings: Array<{ message: string; detail?: string }> = [];
  const original = windowApi.showWarningMessage;
  windowApi.showWarningMessage = (async (message: string, options?: vscode.MessageOptions) => {
    warnings.push({ message, detail: options?.detail });
    return script.warning;
  }) as typeof windowApi.showWarningMessage;
  try {
    const result = await vscode.commands.executeCommand<T | undefined>(command, ...args);
    assert.deepEqual([errors.messages, prompts.problems], [[], []], `${command} showed errors or refused an answer`);
    return { result, warnings, inputTitles: prompts.inputTitles };
  } finally {
    windowApi.showWarningMessage = original;
    errors.restore();
    prompts.restore();
  }
}

export function retentionSuite(): void {
  describe('retention, purge and restore from the editor, in the VS Code extension host', () => {
    it(HOST_TESTS.retentionFromEditor, async () => {
      const folder = scratchFolder('veil-retention-', Object.fromEntries(NAMES.map((name) => [name, 'astronaut.jpg'])));
      // Two distinct originals (the vault keeps one object per distinct original).
      for (const name of NAMES) appendFileSync(join(folder, name), `distinct original ${name}`);
      const originals = new Map(NAMES.map((name) => [name, readFileSync(join(folder, name))]));
      const identity = join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt');
      await veilCli(['keygen', '--out', identity, '--add-to', folder]);
      await detectFaces(folder);
      await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
      const committed = await imagesByGroup(folder, { committed: NAMES });

      const held = await answered<RetentionHoldResult>('veil.holdOriginal', [committed.get('img-00.jpg')], { inputs: ['legal hold, case 17', ''] });
      assert.deepEqual(held.result?.files, ['img-00.jpg']);
      assert.match(held.inputTitles[0], /why keep the original of img-00\.jpg past its retention\?/);
      assert.deepEqual(Object.entries(audit(folder).at(-1)!).filter(([key]) => ['type', 'file', 'reason', 'until'].includes(key)), [
        ['type', 'retention-hold'],
        ['file', 'img-00.jpg'],
        ['reason', 'legal hold, case 17'],
        ['until', null],
      ]);

      // One day of retention, commits made two days ago: the dry run finds img-01's original past it, img-00's held.
      const policy = join(mkdtempSync(join(tmpdir(), 'veil-policy-')), 'policy.json');
      writeFileSync(policy, JSON.stringify({ retention: { days: 1, action: 'purge' } }));
      await veilCli(['policy', 'apply', folder, policy]);
      backdateCommits(folder, 2);
      const purged = await answered<VaultPurgeResult>('veil.purgeOriginals', [vscode.Uri.file(folder)], { warning: 'Purge' });
      assert.match(purged.warnings[0]?.message ?? '', /^Purge 1 original\(s\) of veil-retention-\w+ past their retention\?$/);
      assert.match(purged.warnings[0]?.detail ?? '', /crypto-shredding/);
      assert.equal(purged.result?.purged.length, 1);
      assert.equal(readdirSync(join(folder, '.veil', 'vault')).filter((name) => name.endsWith('.age')).length, 1, 'the held original is kept');

      await answered('veil.releaseHold', [committed.get('img-00.jpg')], { inputs: ['case closed'] });
      assert.equal(audit(folder).at(-1)!.type, 'retention-release');
      const restored = await answered<VaultRestoreResult>('veil.restoreOriginal', [committed.get('img-00.jpg')], {
        warning: 'Restore',
        inputs: ['model-reevaluation'],
        open: vscode.Uri.file(identity),
      });
      assert.deepEqual([restored.result?.restored, restored.result?.failures], [['img-00.jpg'], []]);
      assert.ok(readFileSync(join(folder, 'img-00.jpg')).equals(originals.get('img-00.jpg')!), 'img-00.jpg holds its original again');
      const [opened, restoredEntry] = audit(folder).filter((entry) => entry.type === 'open-original' || entry.type === 'restore-original');
      assert.deepEqual([opened?.restoredTo, opened?.purpose, restoredEntry?.purpose], ['img-00.jpg', 'model-reevaluation', 'model-reevaluation']);
      await imagesByGroup(folder, { unreviewed: ['img-00.jpg'], committed: ['img-01.jpg'] });
      await veilCli(['verify', folder]);
    });
  });
}
