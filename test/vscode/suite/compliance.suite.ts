/**
 * Monitoring and compliance evidence in a real extension host: the audit trail view heads a flagged log with a "Flags"
 * node and marks the flagged entry; "Create Compliance Report" writes the report, shows it in a webview with scripts
 * off, and "Check Compliance Evidence" finds its signature trusted by the dataset's policy.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AuditListResult, ReportCheckResult, ReportCreateResult } from '../../../daemon/protocol';
import { HOST_TESTS } from './hostContract';
import { scratchFolder, veil, veilCli } from './hostHelpers';
import { spyOnErrors, spyOnWebviews } from './windowSpies';

export function complianceSuite(): void {
  describe('monitoring and compliance evidence from the editor, in the VS Code extension host', () => {
    const config = () => vscode.workspace.getConfiguration('veil');

    it(HOST_TESTS.complianceFromEditor, async () => {
      const folder = scratchFolder('veil-compliance-', { 'a.jpg': 'astronaut.jpg' });
      const keys = mkdtempSync(join(tmpdir(), 'veil-compliance-keys-'));
      await veilCli(['keygen', '--out', join(keys, 'id.txt'), '--add-to', folder]);
      await veilCli(['detect', folder]);
      await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
      // An opening without a purpose: refused (exit 1), and the refusal is logged.
      await veilCli(['open', folder, 'a.jpg', '--identity', join(keys, 'id.txt'), '--out', join(keys, 'a.jpg')]).then(
        () => assert.fail('an opening without a purpose was not refused'),
        () => undefined,
      );
      const publicKey = (await veilCli(['signer', 'create', '--out', join(keys, 'signing.pem')])).trim();
      writeFileSync(join(keys, 'policy.json'), JSON.stringify({ signers: [{ name: 'auditor', publicKey }] }));
      await veilCli(['policy', 'apply', folder, join(keys, 'policy.json')]);

      const opened = await vscode.commands.executeCommand<AuditListResult | undefined>('veil.openAuditTrail', vscode.Uri.file(folder));
      assert.ok(opened, 'veil.openAuditTrail returned nothing');
      const tree = veil().exports.auditTrail;
      const [head, ...entries] = (await tree.getChildren()) ?? [];
      assert.equal(head?.kind, 'flags', 'the trail starts with its flags');
      const headItem = await tree.getTreeItem(head);
      assert.equal(headItem.label, 'Flags (1)');
      const [flag] = (await tree.getChildren(head)) ?? [];
      assert.ok(flag?.kind === 'flag' && flag.flag.kind === 'opening-refused', JSON.stringify(flag));
      const refused = entries.find((node) => node.kind === 'entry' && node.entry.action === 'open-refused');
      assert.ok(refused, 'the refused opening is listed');
      assert.equal(((await tree.getTreeItem(refused)).iconPath as vscode.ThemeIcon).id, 'warning', 'the flagged entry shows a warning');
      const other = entries.find((node) => node.kind === 'entry' && node.entry.action === 'commit');
      assert.notEqual(((await tree.getTreeItem(other!)).iconPath as vscode.ThemeIcon).id, 'warning');

      await config().update('signing.keyFile', join(keys, 'signing.pem'), vscode.ConfigurationTarget.Global);
      const webviews = spyOnWebviews();
      const errors = spyOnErrors();
      try {
        const report = await vscode.commands.executeCommand<ReportCreateResult | undefined>('veil.createReport', vscode.Uri.file(folder));
        assert.ok(report, `veil.createReport returned nothing: ${JSON.stringify(errors.messages)}`);
        assert.ok(existsSync(report.html) && existsSync(report.evidence));
        assert.deepEqual([report.signed?.signer, report.signed?.trusted, report.flags], ['auditor', true, 1]);
        const [panel] = webviews.panels;
        assert.equal(panel?.viewType, 'veil.report');
        assert.equal(panel.webview.options.enableScripts, false);
        assert.match(panel.webview.html, /<h1>Compliance report: veil-compliance-/);

        const checked = await vscode.commands.executeCommand<ReportCheckResult | undefined>('veil.checkReport', vscode.Uri.file(report.evidence));
        assert.deepEqual([checked?.ok, checked?.problems, checked?.signature?.signer], [true, [], 'auditor']);
        assert.deepEqual(errors.messages, []);
        panel.dispose();
      } finally {
        webviews.restore();
        errors.restore();
        await config().update('signing.keyFile', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
