/**
 * The editor's paths to the governance commands, inside a real extension host with the real daemon and the stock
 * `age` CLI: excluding files from commits (and including them again) from the Veil view and the Explorer; managing
 * who can open the originals (add, remove, a rotation cancelled mid-way and finished); showing, editing and applying
 * the policy; creating a signing key, signing commits with `veil.signing.keyFile`, and signing a checkpoint that
 * verify trusts once the policy lists the key.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CommitResult, CheckpointSignResult, ExclusionResult, PolicyChangeResult, PolicyShowResult, RecipientsChangeResult, SignerCreateResult, VerifyResult } from '../../../daemon/protocol';
import type { DatasetsNode } from '../../../extension/datasetsView';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, veil, veilCli, waitFor, workspaceFolder } from './hostHelpers';
import { answerPrompts, type PromptScript } from './promptAnswers';
import { spyOnErrors, windowApi } from './windowSpies';

const AGE = '/usr/bin/age';

interface Asked {
  warnings: Array<{ message: string; detail?: string; buttons: string[] }>;
  errors: string[];
  progress: string[];
  prompts: ReturnType<typeof answerPrompts>;
}

/**
 * Runs a Veil command with its questions answered: the prompts of `script`, every warning (confirmations and
 * non-modal warnings) with the button `warning` (or the first of a list among its buttons), and, with `cancelAt`, the progress cancelled at its first report of
 * `cancelAt` or more done (the notification's Cancel, which a test cannot click). With `until`, the answers stay in
 * place until it settles (for what a command does after it returned: a notification's button).
 */
async function run<T>(command: string, args: unknown[], script: PromptScript & { warning?: string | string[]; cancelAt?: number; until?: () => Promise<unknown> } = {}): Promise<{ result: T | undefined } & Asked> {
  const prompts = answerPrompts(script);
  const errors = spyOnErrors();
  const originals = { showWarningMessage: windowApi.showWarningMessage, withProgress: windowApi.withProgress };
  const asked: Asked = { warnings: [], errors: errors.messages, progress: [], prompts };
  windowApi.showWarningMessage = (async (message: string, ...rest: unknown[]) => {
    const options = rest[0] !== null && typeof rest[0] === 'object' && !('title' in rest[0]) ? (rest[0] as vscode.MessageOptions) : undefined;
    const buttons = rest.filter((item): item is string => typeof item === 'string');
    asked.warnings.push({ message, detail: options?.detail, buttons });
    return typeof script.warning === 'string' ? script.warning : script.warning?.find((choice) => buttons.includes(choice));
  }) as typeof windowApi.showWarningMessage;
  const withProgress = originals.withProgress.bind(vscode.window);
  windowApi.withProgress = (options, task) =>
    withProgress(options, (progress, token) => {
      const source = new vscode.CancellationTokenSource();
      token.onCancellationRequested(() => source.cancel());
      asked.progress.push(options.title ?? '');
      const recording = {
        report(value: { message?: string; increment?: number }) {
          asked.progress.push(value.message ?? '');
          progress.report(value);
          const done = Number(/^(\d+)\//.exec(value.message ?? '')?.[1] ?? -1);
          if (script.cancelAt !== undefined && done >= script.cancelAt) source.cancel();
        },
      };
      return task(recording, source.token);
    });
  try {
    const result = await vscode.commands.executeCommand<T | undefined>(command, ...args);
    await script.until?.();
    return { result, ...asked };
  } finally {
    Object.assign(windowApi, originals);
    errors.restore();
    prompts.restore();
  }
}

function audit(folder: string): Array<Record<string, unknown> & { type: string }> {
  return readFileSync(join(folder, '.veil', 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** A key made with the CLI, outside every dataset: its identity file and recipient. */
async function cliKey(addTo?: string): Promise<{ identity: string; recipient: string }> {
  const identity = join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt');
  const recipient = (await veilCli(['keygen', '--out', identity, ...(addTo ? ['--add-to', addTo] : [])])).trim();
  return { identity, recipient };
}

/**
 * `images` copies of the astronaut, each made a distinct original by a few bytes after its JPEG's end (the vault keeps
 * one object per distinct original), detected and committed with the CLI to a key made for it.
 */
async function committedWithCli(prefix: string, images: number): Promise<{ folder: string; key: { identity: string; recipient: string } }> {
  const names = Array.from({ length: images }, (_, i) => `img-${String(i).padStart(2, '0')}.jpg`);
  const folder = scratchFolder(prefix, Object.fromEntries(names.map((name) => [name, 'astronaut.jpg'])));
  for (const name of names) appendFileSync(join(folder, name), `distinct original ${name}`);
  const key = await cliKey(folder);
  await veilCli(['detect', folder]);
  await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
  return { folder, key };
}

/** Which vault objects the stock `age` CLI opens with `identity`, of how many. */
function opensWith(folder: string, identity: string): { opened: number; of: number } {
  const vault = join(folder, '.veil', 'vault');
  const objects = readdirSync(vault).filter((name) => name.endsWith('.age'));
  const opened = objects.filter((name) => spawnSync(AGE, ['-d', '-i', identity, '-o', '/dev/null', join(vault, name)]).status === 0).length;
  return { opened, of: objects.length };
}

function tree(): vscode.TreeDataProvider<DatasetsNode> {
  return veil().exports.datasetsTree;
}

async function children(node?: DatasetsNode): Promise<DatasetsNode[]> {
  return (await tree().getChildren(node)) ?? [];
}

/** The Veil view's groups of the dataset at `folder` with their image files, once `expected` says so (group → files). */
async function waitForGroupFiles(folder: string, expected: Record<string, string[]>): Promise<Map<string, DatasetsNode[]>> {
  const root = realpathSync(folder);
  let shown: Record<string, string[]> = {};
  let nodes = new Map<string, DatasetsNode[]>();
  try {
    return await waitFor('the Veil view to show the files by group', async () => {
      const dataset = (await children()).find((node) => node.kind === 'dataset' && node.root === root);
      if (!dataset) return undefined;
      shown = {};
      nodes = new Map();
      for (const group of await children(dataset)) {
        if (group.kind !== 'group') continue;
        const images = (await children(group)).filter((node) => node.kind === 'image');
        nodes.set(group.group, images);
        shown[group.group] = images.map((node) => (node.kind === 'image' ? node.image.file : '')).sort();
      }
      return JSON.stringify(shown) === JSON.stringify(expected) ? nodes : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}: shown ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
  }
}

export function editorGovernanceSuite(): void {
  describe('the governance commands from the editor, in the VS Code extension host', () => {
    it(HOST_TESTS.excludeFromEditor, async () => {
      const folder = scratchFolder('veil-exclude-', { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'astronaut-exif-rotated.jpg', 'c.jpg': 'group/collage.jpg' });
      await detectFaces(folder);
      const before = await waitForGroupFiles(folder, { unreviewed: ['a.jpg', 'b.jpg', 'c.jpg'] });
      const a = before.get('unreviewed')!.find((node) => node.kind === 'image' && node.image.file === 'a.jpg')!;
      assert.equal((await tree().getTreeItem(a)).contextValue, 'veil.image.unreviewed');

      // From the Veil view: the reason asked in an input box, the decision audited, the image moved to its own group.
      const excluded = await run<ExclusionResult[]>('veil.excludeFromCommit', [a], { inputs: ['  the subject consented (form 12) '] });
      assert.deepEqual([excluded.errors, excluded.prompts.problems], [[], []]);
      assert.match(excluded.prompts.inputTitles[0], /why should commits leave this file as it is\?/);
      assert.deepEqual(excluded.result?.map((result) => result.files), [['a.jpg']]);
      const after = await waitForGroupFiles(folder, { unreviewed: ['b.jpg', 'c.jpg'], excluded: ['a.jpg'] });
      const item = await tree().getTreeItem(after.get('excluded')![0]);
      assert.equal(item.contextValue, 'veil.image.excluded');
      assert.match(String(item.description), /^excluded by .+: the subject consented \(form 12\)$/);
      const dataset = (await children()).find((node) => node.kind === 'dataset' && node.root === realpathSync(folder))!;
      assert.match(String((await tree().getTreeItem(dataset)).description), /^3 images · 0 % done · 1 excluded$/);
      const entry = audit(folder).at(-1)!;
      assert.deepEqual([entry.type, entry.file, entry.reason], ['exclude', 'a.jpg', 'the subject consented (form 12)']);

      // An empty reason is refused by the box: nothing is excluded.
      const entries = audit(folder).length;
      const refused = await run('veil.excludeFromCommit', [after.get('unreviewed')![0]], { inputs: ['   '] });
      assert.match(refused.prompts.problems.join(), /Say why/);
      assert.equal(audit(folder).length, entries);

      // From the Explorer, on two selected images: both excluded, each with its own audit entry.
      const two = [vscode.Uri.file(join(folder, 'b.jpg')), vscode.Uri.file(join(folder, 'c.jpg'))];
      const fromExplorer = await run<ExclusionResult[]>('veil.excludeFromCommit', [two[0], two], { inputs: ['video stills, anonymized elsewhere'] });
      assert.deepEqual(fromExplorer.errors, []);
      assert.deepEqual(fromExplorer.result?.flatMap((result) => result.files), ['b.jpg', 'c.jpg']);
      const all = await waitForGroupFiles(folder, { excluded: ['a.jpg', 'b.jpg', 'c.jpg'] });

      // Included again from the view: back in its review group, the decision audited.
      const included = await run<ExclusionResult[]>('veil.includeInCommit', [all.get('excluded')!.find((node) => node.kind === 'image' && node.image.file === 'a.jpg')]);
      assert.deepEqual([included.errors, included.result?.[0].files], [[], ['a.jpg']]);
      await waitForGroupFiles(folder, { unreviewed: ['a.jpg'], excluded: ['b.jpg', 'c.jpg'] });
      assert.deepEqual([audit(folder).at(-1)!.type, audit(folder).at(-1)!.file], ['include', 'a.jpg']);
    });

    it(HOST_TESTS.recipientsFromEditor, async () => {
      const { folder, key } = await committedWithCli('veil-recipients-', 16);
      const second = await cliKey();
      assert.deepEqual(opensWith(folder, second.identity), { opened: 0, of: 16 });

      const listed = await run<unknown>('veil.manageRecipients', [vscode.Uri.file(folder)]);
      const shown = listed.prompts.picks[0].items;
      assert.ok(shown.some((entry) => entry.label === `$(key) ${key.recipient}` && entry.description === 'opens 16 of 16 originals'), JSON.stringify(shown));
      assert.ok(shown.some((entry) => entry.label === '$(add) Add Recipient…') && shown.some((entry) => entry.label === '$(sync) Rotate File Keys…'));

      // Add: asked first (what it does), then the key that opens the originals now; every original re-encrypted with progress.
      const added = await run<RecipientsChangeResult>('veil.addRecipient', [vscode.Uri.file(folder)], { inputs: [second.recipient], open: vscode.Uri.file(key.identity), warning: 'Add Recipient' });
      assert.deepEqual([added.errors, added.prompts.problems], [[], []]);
      assert.match(added.warnings[0].message, /^Add age1\S+ as a recipient of veil-recipients-\w+\?$/);
      assert.deepEqual(added.result?.recipients.sort(), [key.recipient, second.recipient].sort());
      assert.equal(added.progress[0], `Veil: adding ${second.recipient}`);
      assert.ok(added.progress.includes('16/16 originals re-encrypted'), JSON.stringify(added.progress));
      assert.deepEqual(opensWith(folder, second.identity), { opened: 16, of: 16 });

      // Remove: the question says what cannot be undone; afterwards the removed key opens nothing (stock age).
      const removed = await run<RecipientsChangeResult>('veil.removeRecipient', [vscode.Uri.file(folder)], { picks: [second.recipient], open: vscode.Uri.file(key.identity), warning: 'Remove Recipient' });
      assert.deepEqual(removed.errors, []);
      assert.match(removed.warnings[0].detail ?? '', /cannot be recalled/);
      assert.deepEqual(removed.result?.recipients, [key.recipient]);
      assert.deepEqual(opensWith(folder, second.identity), { opened: 0, of: 16 });
      assert.deepEqual(opensWith(folder, key.identity), { opened: 16, of: 16 });

      // No answer to the question: nothing changes.
      const unasked = await run('veil.rotateRecipients', [vscode.Uri.file(folder)], { open: vscode.Uri.file(key.identity) });
      assert.equal(unasked.result, undefined);
      assert.equal(unasked.progress.length, 0, 'it ran without the question answered');

      // A rotation cancelled mid-way: not an error; it says to run it again, and running it again finishes it.
      const entries = audit(folder).length;
      const cancelled = await run<RecipientsChangeResult>('veil.rotateRecipients', [vscode.Uri.file(folder)], { open: vscode.Uri.file(key.identity), warning: 'Rotate File Keys', cancelAt: 1 });
      assert.deepEqual(cancelled.errors, []);
      assert.equal(cancelled.result?.cancelled, true);
      assert.ok((cancelled.result?.changes[0].reencrypted ?? 16) < 16, `the cancel came after every object: ${JSON.stringify(cancelled.result?.changes)}`);
      const again = await run<RecipientsChangeResult>('veil.manageRecipients', [vscode.Uri.file(folder)], { picks: ['Finish the Interrupted Change'], open: vscode.Uri.file(key.identity), warning: 'Rotate File Keys' });
      assert.deepEqual(again.errors, []);
      assert.match(again.prompts.picks[0].title ?? '', /who can open the originals/);
      assert.equal(again.result?.cancelled, false);
      assert.equal(again.result?.changes[0].resumed, true);
      assert.equal((cancelled.result?.changes[0].reencrypted ?? 0) + (again.result?.changes[0].reencrypted ?? 0), 16);
      assert.deepEqual(opensWith(folder, key.identity), { opened: 16, of: 16 });
      assert.ok(audit(folder).slice(entries).some((entry) => entry.type === 'recipients-change'));
      const verified = await vscode.commands.executeCommand<VerifyResult>('veil.verifyDataset', vscode.Uri.file(folder));
      assert.equal(verified?.ok, true, JSON.stringify(verified?.findings));
    });

    it(HOST_TESTS.policyFromEditor, async () => {
      const folder = scratchFolder('veil-policy-', { 'a.jpg': 'astronaut.jpg' });
      await detectFaces(folder);

      // Show: the effective policy, read-only, every field at its default.
      const shown = await run<PolicyShowResult>('veil.showPolicy', [vscode.Uri.file(folder)]);
      assert.equal(shown.result?.present, false);
      const view = vscode.window.activeTextEditor?.document;
      assert.equal(view?.uri.scheme, 'veil-policy');
      assert.deepEqual(JSON.parse(view!.getText()), shown.result?.policy);

      const init = await run<PolicyChangeResult>('veil.initPolicy', [vscode.Uri.file(folder)]);
      assert.deepEqual(init.errors, []);
      assert.ok(existsSync(join(folder, '.veil', 'policy.json')));
      assert.deepEqual([audit(folder).at(-1)!.type, audit(folder).at(-1)!.source], ['policy-change', 'init']);

      // Edit: a draft of the effective policy, changed in the editor, then applied (asked first, audited).
      const draft = await run<vscode.TextDocument>('veil.editPolicy', [vscode.Uri.file(folder)]);
      const document = draft.result!;
      assert.equal(document.isUntitled, true);
      assert.equal(vscode.window.activeTextEditor?.document, document);
      const policy = JSON.parse(document.getText());
      policy.purposes = { ...policy.purposes, required: true, allowed: ['audit', 'clinical-follow-up'] };
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), JSON.stringify(policy, null, 2));
      assert.ok(await vscode.workspace.applyEdit(edit));
      const applied = await run<PolicyChangeResult>('veil.applyPolicy', [], { warning: 'Apply Policy' });
      assert.deepEqual(applied.errors, []);
      assert.match(applied.warnings[0].message, /^Put this policy in place for veil-policy-\w+\?$/);
      assert.deepEqual(JSON.parse(readFileSync(join(folder, '.veil', 'policy.json'), 'utf8')).purposes, policy.purposes);
      const change = audit(folder).at(-1)!;
      assert.deepEqual([change.type, change.source, change.sha256], ['policy-change', 'apply', applied.result?.sha256]);
      assert.equal(document.isClosed, true, 'the applied draft stayed open');
      assert.equal(vscode.window.activeTextEditor?.document.uri.scheme, 'veil-policy');
      await waitFor('the effective policy to show the change', () => (JSON.parse(vscode.window.activeTextEditor!.document.getText()).purposes.required === true ? true : undefined));

      // A malformed draft is refused naming the field; the policy in place and the log stay as they were.
      const bad = await run<vscode.TextDocument>('veil.editPolicy', [vscode.Uri.file(folder)]);
      const badEdit = new vscode.WorkspaceEdit();
      badEdit.replace(bad.result!.uri, new vscode.Range(0, 0, bad.result!.lineCount, 0), JSON.stringify({ ...policy, retention: { days: -3, action: 'report' } }));
      assert.ok(await vscode.workspace.applyEdit(badEdit));
      const entries = audit(folder).length;
      const inPlace = readFileSync(join(folder, '.veil', 'policy.json'), 'utf8');
      const refused = await run('veil.applyPolicy', [], { warning: 'Apply Policy' });
      assert.equal(refused.result, undefined);
      assert.match(refused.errors.join(), /retention\.days/);
      assert.equal(readFileSync(join(folder, '.veil', 'policy.json'), 'utf8'), inPlace);
      assert.equal(audit(folder).length, entries);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it(HOST_TESTS.signingFromEditor, async () => {
      const { folder } = await committedWithCli('veil-signing-', 1);
      const keyFile = join(mkdtempSync(join(tmpdir(), 'veil-signer-')), 'keys', 'signing-key.pem');
      const config = () => vscode.workspace.getConfiguration('veil');
      try {
        // Create: saved where the person chose, readable by them only; "Use for Commits" sets veil.signing.keyFile.
        const created = await run<SignerCreateResult>('veil.createSigner', [], { save: vscode.Uri.file(keyFile), information: [{ when: /signing key written/, press: 'Use for Commits' }] });
        assert.deepEqual(created.errors, []);
        assert.equal(created.result?.keyFile, keyFile);
        assert.match(created.result?.publicKey ?? '', /^veil-ed25519:[A-Za-z0-9+/]{43}=$/);
        assert.equal(statSync(keyFile).mode & 0o777, 0o600);
        await waitFor('veil.signing.keyFile to be set', () => (config().get('signing.keyFile') === keyFile ? true : undefined));

        // A commit from the editor now ends with a signed checkpoint, by a key the policy does not list yet.
        copyFileSync(join(workspaceFolder(), 'astronaut.jpg'), join(folder, 'more.jpg'));
        await detectFaces(folder);
        const committed = await run<CommitResult>('veil.commitDataset', [vscode.Uri.file(folder)], {
          warning: ['Include unreviewed (model boxes only)', 'Commit Anyway…'],
          inputs: ['signing is under test, not detection'],
        });
        assert.deepEqual(committed.errors, []);
        assert.equal(committed.result?.signed?.trusted, false);
        assert.equal(audit(folder).at(-1)!.type, 'checkpoint-signature');

        // Signed on demand; untrusted, it offers to add the key to a policy draft, which is then applied.
        const policyDraft = () =>
          waitFor('the policy draft with the signer', () => {
            const document = vscode.window.activeTextEditor?.document;
            return document?.isUntitled && document.getText().includes(created.result!.publicKey) ? document : undefined;
          });
        const signed = await run<CheckpointSignResult>('veil.signCheckpoint', [vscode.Uri.file(folder)], { warning: 'Add to a Policy…', inputs: ['Custodian'], until: policyDraft });
        assert.deepEqual([signed.errors, signed.prompts.problems], [[], []]);
        assert.equal(signed.result?.trusted, false);
        const draft = await policyDraft();
        assert.deepEqual(JSON.parse(draft.getText()).signers, [{ name: 'Custodian', publicKey: created.result?.publicKey }]);
        const applied = await run<PolicyChangeResult>('veil.applyPolicy', [], { warning: 'Apply Policy' });
        assert.deepEqual(applied.errors, []);

        const trusted = await run<CheckpointSignResult>('veil.signCheckpoint', [vscode.Uri.file(folder)]);
        assert.deepEqual([trusted.result?.trusted, trusted.result?.signer], [true, 'Custodian']);
        const verified = await vscode.commands.executeCommand<VerifyResult>('veil.verifyDataset', vscode.Uri.file(folder));
        assert.equal(verified?.ok, true, JSON.stringify(verified?.findings));
        assert.equal(verified?.signedThrough?.signer, 'Custodian');

        // A relative key path in the setting is refused before anything is committed or signed.
        await config().update('signing.keyFile', 'keys/signing-key.pem', vscode.ConfigurationTarget.Global);
        const entries = audit(folder).length;
        const refused = await run('veil.signCheckpoint', [vscode.Uri.file(folder)]);
        assert.match(refused.errors.join(), /veil\.signing\.keyFile must be an absolute path/);
        assert.equal(audit(folder).length, entries);
      } finally {
        await config().update('signing.keyFile', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
