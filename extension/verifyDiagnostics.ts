/**
 * What `dataset/verify` found, in the Problems panel: one Error per finding on the file it names (an image, or a
 * `.veil/` file such as the audit log, at the line a chain finding names), on the dataset folder when it names none.
 * A click opens the file. Each verify of a dataset replaces that dataset's entries: a clean one leaves none. What a
 * run could not prove (`limits`) is no finding: the Veil log says it. `reportVerify` tells a result the same way for
 * every verify command (Verify Dataset, Verify All Data).
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { VerifyFinding, VerifyResult } from '../daemon/protocol';

/** "line 7: …": an audit-chain finding names its line. */
const LINE = /^line (\d+):/;

function diagnosticOf(finding: VerifyFinding): vscode.Diagnostic {
  const line = Number(LINE.exec(finding.message)?.[1] ?? 1) - 1;
  const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), finding.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = 'Veil';
  diagnostic.code = finding.kind;
  return diagnostic;
}

export class VerifyDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('Veil');
  /** The files each dataset's last verify put entries on, by dataset root. */
  private readonly shown = new Map<string, vscode.Uri[]>();

  show(result: VerifyResult): void {
    for (const uri of this.shown.get(result.root) ?? []) this.collection.delete(uri);
    const byFile = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const finding of result.findings) {
      const uri = vscode.Uri.file(finding.file === undefined ? result.root : join(result.root, finding.file));
      const entry = byFile.get(uri.toString()) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(diagnosticOf(finding));
      byFile.set(uri.toString(), entry);
    }
    this.collection.set([...byFile.values()].map(({ uri, diagnostics }) => [uri, diagnostics]));
    this.shown.set(result.root, [...byFile.values()].map(({ uri }) => uri));
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** A verify's result told: each finding in the log and in Problems, what it could not prove in the log, and a notification. */
export function reportVerify(result: VerifyResult, diagnostics: VerifyDiagnostics, log: vscode.LogOutputChannel, what = 'verified'): void {
  for (const finding of result.findings) log.warn(`verify ${finding.kind}: ${finding.file ? `${finding.file}: ` : ''}${finding.message}`);
  for (const limit of result.limits) log.info(`verify could not prove: ${limit}`);
  diagnostics.show(result);
  const checked = `${result.checked.images} images, ${result.checked.auditEntries} audit entries, ${result.checked.vaultObjects} vault objects`;
  if (result.ok) void vscode.window.showInformationMessage(`Veil: ${what} ${checked}; no findings.`);
  else {
    void vscode.window.showErrorMessage(`Veil: verify found ${result.findings.length} problem(s) in ${checked}; each is in the Problems panel.`, 'Show Problems', 'Show Log').then((choice) => {
      if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      else if (choice) log.show();
    });
  }
}
