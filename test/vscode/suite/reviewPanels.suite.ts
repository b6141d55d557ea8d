/**
 * Review panels, the Explorer's "Review in Veil", Veil's search exclusions and its walkthrough, inside a real
 * extension host. Runs after the Veil view suite (the workspace's faces are detected). Defined after mocha's
 * `pre-require`. That a panel comes back after a window reload is proven in the workbench (reviewReload.test.ts).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { faceFileKind } from '../../../daemon/image/formats';
import { WALKTHROUGH_CONTEXT_KEYS } from '../../../extension/walkthroughContext';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, veil, veilCli, waitFor, workspaceFolder } from './hostHelpers';
import { spyOnWebviews } from './windowSpies';

/** The tabs of Veil's review panels, by label. */
function reviewTabs(): Map<string, vscode.Tab> {
  const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
  const reviews = tabs.filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('veil.review'));
  return new Map(reviews.map((tab) => [tab.label, tab]));
}

/** Waits until the tabs of the review panels are those `labels` (in any order), the first of them in front. */
async function waitForReviewTabs(...labels: string[]): Promise<void> {
  const shown = () => [...reviewTabs().values()].map((tab) => `${tab.label}${tab.isActive ? ' (active)' : ''}`).sort();
  const expected = labels.map((label, index) => `${label}${index === 0 ? ' (active)' : ''}`).sort();
  try {
    await waitFor('the review tabs', () => (JSON.stringify(shown()) === JSON.stringify(expected) ? true : undefined), 10_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}: shown ${JSON.stringify(shown())}, expected ${JSON.stringify(expected)}`);
  }
}

/** Opens the review of `folder` at `image` (as a click in the Veil view or the Explorer does) and waits until its webview shows it. */
async function reviewImageAt(folder: string, image: string): Promise<void> {
  await vscode.commands.executeCommand('veil.reviewImage', vscode.Uri.file(join(folder, image)));
  const root = realpathSync(folder);
  await waitFor(`the review of ${root} to show ${image}`, () => (veil().exports.reviewedImage(root) === image ? true : undefined), 60_000);
}

interface WalkthroughStep {
  id: string;
  description: string;
  completionEvents?: string[];
  media: { svg?: string; markdown?: string; image?: string };
}

export function reviewPanelsSuite(): void {
  describe('review panels, the Explorer entry, exclusions and the walkthrough in the VS Code extension host', () => {
    before(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));
    after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

    it(HOST_TESTS.panelPerDataset, async () => {
      const workspace = workspaceFolder();
      const other = scratchFolder('veil-panels-', { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'group/collage.jpg' });
      const webviews = spyOnWebviews();
      try {
        await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(workspace));
        await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(other));
        assert.equal(webviews.panels.length, 2, 'the second dataset did not open a panel of its own');
        await waitForReviewTabs(`Veil: ${basename(other)}`, 'Veil: samples');

        await vscode.commands.executeCommand('veil.openReview', vscode.Uri.file(workspace));
        assert.equal(webviews.panels.length, 2, 'the same dataset opened a second panel');
        await waitForReviewTabs('Veil: samples', `Veil: ${basename(other)}`);

        // Both work: each shows the image asked for.
        await reviewImageAt(other, 'b.jpg');
        await reviewImageAt(workspace, 'astronaut.jpg');

        await vscode.window.tabGroups.close(reviewTabs().get(`Veil: ${basename(other)}`)!);
        await waitForReviewTabs('Veil: samples');
        await reviewImageAt(workspace, 'group/collage.jpg');
        // The closed one opens afresh.
        await reviewImageAt(other, 'a.jpg');
        assert.equal(webviews.panels.length, 3);
      } finally {
        webviews.restore();
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
    });

    it(HOST_TESTS.explorerReviewImage, async () => {
      const menu = (veil().packageJSON.contributes.menus['explorer/context'] as Array<{ command: string; when: string }>).find(
        (item) => item.command === 'veil.reviewImage',
      );
      assert.ok(menu, 'no "Review in Veil" in the Explorer context menu');
      const pattern = /resourceExtname =~ \/(.+)\/(i?)$/.exec(menu.when);
      assert.ok(pattern && menu.when.startsWith('!explorerResourceIsFolder && '), `unexpected when clause: ${menu.when}`);
      const offeredFor = new RegExp(pattern[1], pattern[2]);
      // Exactly the names Veil reads (daemon/image/formats.ts), whatever their case; not those it refuses, nor other files.
      for (const extension of ['.jpg', '.JPEG', '.png', '.webp', '.tif', '.TIFF', '.gif', '.heic', '.mp4', '.svg', '.txt', '.jfif']) {
        const kind = faceFileKind(`x${extension}`);
        assert.equal(offeredFor.test(extension), kind !== undefined && 'reads' in kind, `offered for ${extension}: ${offeredFor.test(extension)}`);
      }

      // An image of the workspace's dataset, in a subfolder: the review of the dataset, at that image.
      await reviewImageAt(workspaceFolder(), 'group/collage.jpg');
      await waitForReviewTabs('Veil: samples');
      // An image in a folder that is no dataset yet: the review of its folder.
      const loose = scratchFolder('veil-loose-', { 'one.jpg': 'astronaut.jpg', 'two.jpg': 'astronaut.jpg' });
      await reviewImageAt(loose, 'two.jpg');
      await waitForReviewTabs(`Veil: ${basename(loose)}`, 'Veil: samples');
    });

    it(HOST_TESTS.veilExcludes, async () => {
      const files = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude') ?? {};
      const search = vscode.workspace.getConfiguration('search').get<Record<string, boolean>>('exclude') ?? {};
      for (const pattern of ['**/.veil/thumbs', '**/.veil/display', '**/.veil/vault']) {
        assert.equal(files[pattern], true, `files.exclude lacks ${pattern}: ${JSON.stringify(files)}`);
        assert.equal(search[pattern], true, `search.exclude lacks ${pattern}: ${JSON.stringify(search)}`);
      }
      // Contributed defaults are merged into VS Code's own, not put in their place.
      assert.equal(files['**/.git'], true, `VS Code's own files.exclude is gone: ${JSON.stringify(files)}`);
      assert.equal(search['**/node_modules'], true, `VS Code's own search.exclude is gone: ${JSON.stringify(search)}`);

      const veilDir = join(workspaceFolder(), '.veil');
      for (const hidden of ['thumbs', 'display', 'vault']) {
        mkdirSync(join(veilDir, hidden), { recursive: true });
        writeFileSync(join(veilDir, hidden, `probe-${hidden}.jpg`), 'not an image');
      }
      const everywhere = await vscode.workspace.findFiles('**/probe-*.jpg', null);
      assert.equal(everywhere.length, 3, 'the probes are not found even without exclusions');
      const quickOpen = await vscode.workspace.findFiles('**/probe-*.jpg');
      assert.deepEqual(quickOpen.map((uri) => uri.fsPath), [], 'a .veil rendition or vault file is found with the default exclusions');
      const auditLog = await vscode.workspace.findFiles('**/.veil/audit.jsonl');
      assert.equal(auditLog.length, 1, 'the audit log (how the Veil view finds datasets) must stay findable');
    });

    it(HOST_TESTS.walkthrough, async () => {
      const contributes = veil().packageJSON.contributes as {
        walkthroughs: Array<{ id: string; title: string; steps: WalkthroughStep[] }>;
        commands: Array<{ command: string }>;
      };
      const [walkthrough] = contributes.walkthroughs;
      assert.ok(walkthrough, 'no walkthrough contributed');
      assert.deepEqual(
        walkthrough.steps.map((step) => step.id),
        ['veil.openDataset', 'veil.detect', 'veil.review', 'veil.createKey', 'veil.commit', 'veil.verify'],
      );
      const contributed = new Set(contributes.commands.map((command) => command.command));
      const contextKeys = new Set<string>(WALKTHROUGH_CONTEXT_KEYS);
      for (const step of walkthrough.steps) {
        assert.ok(step.completionEvents && step.completionEvents.length > 0, `${step.id} is never ticked`);
        for (const event of step.completionEvents) {
          const [kind, name] = event.split(/:(.*)/);
          if (kind === 'onCommand') assert.ok(contributed.has(name), `${step.id} waits for ${name}, which Veil does not contribute`);
          else assert.ok(kind === 'onContext' && contextKeys.has(name), `${step.id} waits for ${event}, which Veil never raises`);
        }
        for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
          assert.ok(contributed.has(command), `${step.id}'s button runs ${command}, which Veil does not contribute`);
        }
        const media = step.media.svg ?? step.media.markdown ?? step.media.image;
        assert.ok(media && existsSync(join(veil().extensionPath, media)), `${step.id}'s media ${media} is missing`);
      }
    });

    it(HOST_TESTS.walkthroughKey, async () => {
      const keys = mkdtempSync(join(tmpdir(), 'veil-walkthrough-keys-'));
      const recipientOf = async (name: string, addTo?: string) => (await veilCli(['keygen', '--out', join(keys, name), ...(addTo ? ['--add-to', addTo] : [])])).trim();
      const applyRoles = async (folder: string, roles: Record<string, { recipients: string[]; mayOpenOriginals: boolean }>) => {
        const file = join(keys, `${basename(folder)}.policy.json`);
        writeFileSync(file, JSON.stringify({ roles }));
        await veilCli(['policy', 'apply', folder, file]);
      };
      // Keys in the policy only: no recipients.txt at all.
      const inPolicy = scratchFolder('veil-walkthrough-policy-key-', { 'a.jpg': 'astronaut.jpg' });
      await applyRoles(inPolicy, { custodian: { recipients: [await recipientOf('custodian.txt')], mayOpenOriginals: true } });
      // An auditor's key in recipients.txt, which the policy holds back: a commit would encrypt to nobody.
      const heldBack = scratchFolder('veil-walkthrough-held-back-', { 'a.jpg': 'astronaut.jpg' });
      await applyRoles(heldBack, { auditor: { recipients: [await recipientOf('auditor.txt', heldBack)], mayOpenOriginals: false } });
      assert.equal(existsSync(join(inPolicy, '.veil', 'recipients.txt')), false);

      await detectFaces(inPolicy);
      await detectFaces(heldBack);
      const [policyRoot, heldBackRoot] = [realpathSync(inPolicy), realpathSync(heldBack)];
      const answers = await waitFor('the key step to ask about both datasets', () => {
        const known = veil().exports.datasetKeys();
        return policyRoot in known && heldBackRoot in known ? known : undefined;
      });
      assert.deepEqual([answers[policyRoot], answers[heldBackRoot]], [true, false]);
      // A commit agrees: it encrypts the first dataset's originals, and refuses the second for want of recipients.
      await veilCli(['commit', inPolicy, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
      await assert.rejects(veilCli(['commit', heldBack, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']), /recipient/);
    });
  });
}
