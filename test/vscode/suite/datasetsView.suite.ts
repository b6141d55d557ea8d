/**
 * The Veil view inside a real extension host: its tree read as VS Code reads it (through the provider Veil
 * registered), its items' commands executed as a click or a context menu executes them. Runs after the extension
 * suite, which detected faces in the workspace. Defined after mocha's `pre-require`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AuditListResult, CommitResult, ImageStatus, VerifyResult } from '../../../daemon/protocol';
import type { DatasetsNode } from '../../../extension/datasetsView';
import { readReviewImages } from '../../support/reviewFiles';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, veil, veilCli, waitFor, workspaceFolder } from './hostHelpers';
import { answerDialogs, spyOnErrors } from './windowSpies';

const GROUP_LABELS: Record<ImageStatus, string> = { unreviewed: 'Unreviewed', reviewed: 'Reviewed', committed: 'Committed' };

function tree(): vscode.TreeDataProvider<DatasetsNode> {
  return veil().exports.datasetsTree;
}

async function item(node: DatasetsNode): Promise<vscode.TreeItem> {
  return tree().getTreeItem(node);
}

async function children(node?: DatasetsNode): Promise<DatasetsNode[]> {
  return (await tree().getChildren(node)) ?? [];
}

/** The view's item of the dataset at `folder` (the view names datasets by their real path). */
async function datasetNode(folder: string): Promise<DatasetsNode> {
  const root = realpathSync(folder);
  return waitFor(`the Veil view to list ${root}`, async () => (await children()).find((node) => node.kind === 'dataset' && node.root === root));
}

/** The dataset's groups as the view shows them: label → count. */
async function groupsShown(node: DatasetsNode): Promise<Record<string, string>> {
  const shown: Record<string, string> = {};
  for (const group of await children(node)) {
    const { label, description } = await item(group);
    shown[String(label)] = String(description);
  }
  return shown;
}

/** Waits until the view shows `expected` groups for the dataset, and returns its item's description. */
async function waitForGroups(node: DatasetsNode, expected: Record<string, string>, timeoutMs = 20_000): Promise<string> {
  let last: Record<string, string> = {};
  try {
    await waitFor('the Veil view to show the counts', async () => ((last = await groupsShown(node)), JSON.stringify(last) === JSON.stringify(expected) ? true : undefined), timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}: shown ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
  }
  return String((await item(node)).description);
}

/** What the review files on disk say: image count per status, as the view's groups show them. */
function groupsOnDisk(folder: string): Record<string, string> {
  const counts = new Map<string, number>();
  for (const record of Object.values(readReviewImages(folder))) counts.set(GROUP_LABELS[record.status], (counts.get(GROUP_LABELS[record.status]) ?? 0) + 1);
  return Object.fromEntries(Object.values(GROUP_LABELS).flatMap((label) => (counts.has(label) ? [[label, String(counts.get(label))]] : [])));
}

/** A scratch dataset of two faces whose originals can be encrypted (a recipient added). */
async function committableFolder(prefix: string): Promise<string> {
  const folder = scratchFolder(prefix, { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'group/collage.jpg' });
  await veilCli(['keygen', '--out', join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt'), '--add-to', folder]);
  return folder;
}

function reviewTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .find((tab) => tab.isActive && tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('veil.review'));
}

export function datasetsViewSuite(): void {
  describe('the Veil view in the VS Code extension host', () => {
    it(HOST_TESTS.viewListsDataset, async () => {
      const folder = workspaceFolder();
      const node = await datasetNode(folder);
      const images = Object.keys(readReviewImages(folder)).sort();
      assert.ok(images.length >= 4, `the extension suite detected ${images.length} images`);
      const description = await waitForGroups(node, groupsOnDisk(folder));
      assert.equal(description, `${images.length} images · 0 % done`);
      assert.equal((await item(node)).label, 'samples');
      assert.equal((await item(node)).contextValue, 'veil.dataset');
      const [unreviewed] = await children(node);
      const listed = await Promise.all((await children(unreviewed)).map(async (image) => ({ node: image, item: await item(image) })));
      assert.deepEqual(
        listed.map(({ node: image }) => (image.kind === 'image' ? image.image.file : image.kind)),
        images,
      );
      const collage = listed.find(({ node: image }) => image.kind === 'image' && image.image.file === 'group/collage.jpg');
      assert.match(String(collage?.item.description), /^group · \d+ faces$/);
    });

    it(HOST_TESTS.viewFollowsOtherProcess, async () => {
      const folder = await committableFolder('veil-view-cli-');
      await detectFaces(folder);
      const node = await datasetNode(folder);
      assert.equal(await waitForGroups(node, { Unreviewed: '2' }), '2 images · 0 % done');
      const refreshed: unknown[] = [];
      const listening = tree().onDidChangeTreeData?.((changed) => refreshed.push(...(Array.isArray(changed) ? changed : [changed])));
      try {
        // Another process: the CLI runs its own daemon; the editor's daemon hears of it through the review log.
        await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
        assert.equal(await waitForGroups(node, { Committed: '2' }, 10_000), '2 images · 100 % done');
        // VS Code is told to ask again (at most twice a second), for this dataset's item or the whole tree.
        await waitFor('the view to be refreshed', () => (refreshed.some((changed) => changed === undefined || changed === null || changed === node) ? true : undefined), 2_000);
      } finally {
        listening?.dispose();
      }
    });

    it(HOST_TESTS.commitAsksWithCounts, async () => {
      const keyless = scratchFolder('veil-commit-keyless-', { 'a.jpg': 'astronaut.jpg' });
      const withKey = await committableFolder('veil-commit-counts-');
      const dialogs = answerDialogs({});
      const errors = spyOnErrors();
      try {
        await detectFaces(keyless);
        assert.equal(await vscode.commands.executeCommand('veil.commitDataset', vscode.Uri.file(keyless)), undefined);
        assert.deepEqual(dialogs.warnings, [], 'asked to commit a dataset that has no recipients');
        assert.equal(errors.messages.length, 1);
        assert.match(errors.messages[0], /has no recipients yet.*create a key/);

        await detectFaces(withKey);
        // No answer to the question: nothing is committed, and the question said what would happen.
        assert.equal(await vscode.commands.executeCommand('veil.commitDataset', vscode.Uri.file(withKey)), undefined);
        assert.equal(dialogs.warnings.length, 1);
        assert.match(dialogs.warnings[0], /^0 of 2 images are reviewed \(2 not yet, 0 already committed\)\. .*redacted with fill/);
        assert.deepEqual(Object.values(readReviewImages(withKey)).map((record) => record.status), ['unreviewed', 'unreviewed']);
      } finally {
        errors.restore();
        dialogs.restore();
      }
    });

    it(HOST_TESTS.viewDatasetActions, async () => {
      const folder = await committableFolder('veil-view-actions-');
      const dialogs = answerDialogs({ folder: vscode.Uri.file(folder), warningChoices: ['Include unreviewed (model boxes only)', 'Commit Anyway…'], input: 'test fixture: the view actions are under test, not detection' });
      try {
        // The welcome button's command: a folder picked, opened for review, listed.
        await vscode.commands.executeCommand('veil.openFolder');
        const node = await datasetNode(folder);
        assert.equal(await waitForGroups(node, { Unreviewed: '2' }), '2 images · 0 % done');
        // Another dataset's review in front: the actions must act on their item, not on the active review.
        await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(workspaceFolder()));
        await waitFor('the workspace review in front', () => (reviewTab()?.label === 'Veil: samples' ? true : undefined));

        const detected = await detectFaces(node);
        assert.deepEqual(detected.images.map((image) => image.file).sort(), ['a.jpg', 'b.jpg']);
        assert.deepEqual(Object.keys(readReviewImages(folder)).sort(), ['a.jpg', 'b.jpg']);

        const committed = await vscode.commands.executeCommand<CommitResult | undefined>('veil.commitDataset', node);
        assert.ok(committed, 'veil.commitDataset returned nothing (it failed; see the Veil log)');
        assert.deepEqual([...committed.committed].sort(), ['a.jpg', 'b.jpg']);
        // Asked first; then the possible faces the model doubted on these unreviewed images refused it until a reason was given.
        assert.equal(dialogs.warnings.length, 2, dialogs.warnings.join(' | '));
        assert.match(dialogs.warnings[1], /commit refused: .*possible face/i);
        assert.equal(await waitForGroups(node, { Committed: '2' }), '2 images · 100 % done');

        const verified = await vscode.commands.executeCommand<VerifyResult | undefined>('veil.verifyDataset', node);
        assert.ok(verified, 'veil.verifyDataset returned nothing (it failed; see the Veil log)');
        assert.equal(verified.checked.images, 2, JSON.stringify(verified.checked));

        const trail = await vscode.commands.executeCommand<AuditListResult | undefined>('veil.openAuditTrail', node);
        assert.equal(trail?.root, realpathSync(folder));
        const actions = trail.entries.map((entry) => entry.action);
        assert.ok(actions.includes('detect-run') && actions.includes('commit'), `audit entries shown: ${actions.join(', ')}`);
      } finally {
        dialogs.restore();
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
    });

    it(HOST_TESTS.viewImageClick, async () => {
      const folder = workspaceFolder();
      const root = realpathSync(folder);
      const node = await datasetNode(folder);
      const [unreviewed] = await children(node);
      const images = await children(unreviewed);
      const click = async (file: string) => {
        const image = images.find((candidate) => candidate.kind === 'image' && candidate.image.file === file);
        assert.ok(image, `${file} is not listed`);
        const { command } = await item(image);
        assert.ok(command, `${file} has no command to run on a click`);
        await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
        await waitFor(`the review to show ${file}`, () => (veil().exports.reviewedImage(root) === file ? true : undefined), 60_000);
      };
      // Neither is the first image (astronaut-exif-rotated.jpg), which a new review shows anyway.
      await click('group/collage.jpg');
      assert.equal(reviewTab()?.label, 'Veil: samples');
      await click('astronaut.jpg');
    });
  });
}
