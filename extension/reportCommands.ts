/**
 * The editor's `veil report` (README "Compliance report"): *Create Compliance Report* runs `report/create` under a
 * cancellable progress notification (the dataset is verified in full, faces searched for again), then shows the page in
 * a webview with scripts off (the page itself has none, and its Content-Security-Policy forbids them and anything
 * external) and offers it in the browser. The evidence is signed with `veil.signing.keyFile`, or a key picked then.
 * *Check Compliance Evidence…* checks an evidence file (`report/check`) against its dataset's trusted signers.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ReportCheckResult, ReportCreateResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import { signingKeyFile, veilHome } from './config';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import { withDaemonProgress } from './progressNotification';

interface ReportDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
}

export const REPORT_VIEW_TYPE = 'veil.report';
const OPEN_IN_BROWSER = 'Open in Browser';
const CHECK_EVIDENCE = 'Check Evidence';

/** The key that signs the evidence: the setting's, else one picked, else none (null). Undefined: the person cancelled. */
async function signingKey(): Promise<string | null | undefined> {
  const configured = signingKeyFile();
  if (configured) return configured;
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Sign with a Key File…', description: 'an Ed25519 key from Create Signing Key (set veil.signing.keyFile to skip this question)', sign: true },
      { label: 'Do Not Sign', description: 'the evidence is written unsigned (unless the daemon has VEIL_SIGNING_KEY): checking it fails', sign: false },
    ],
    { title: 'Veil: sign the compliance evidence?', ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  if (!pick.sign) return null;
  const [file] =
    (await vscode.window.showOpenDialog({ title: 'Veil: the signing key', defaultUri: vscode.Uri.file(veilHome()), canSelectFiles: true, canSelectMany: false, openLabel: 'Sign' })) ?? [];
  return file ? file.fsPath : undefined;
}

/** Shows the report's page in a webview: no script runs, nothing is loaded from anywhere (everything is inline). */
async function showReport(result: ReportCreateResult): Promise<vscode.WebviewPanel> {
  const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, `Veil report: ${basename(result.root)}`, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  panel.webview.html = await readFile(result.html, 'utf8');
  return panel;
}

function checkedMessage(result: ReportCheckResult): string {
  const signed = result.signature ? `signed by ${result.signature.signer} at ${result.signature.signedAt}` : 'not signed';
  const head = `audit log at ${result.checkpoint.entries} entries`;
  return result.ok ? `Veil: the evidence of ${result.generatedAt} is authentic: ${signed}, ${head}, still held by the dataset's log.` : `Veil: the evidence of ${result.generatedAt} (${signed}) fails: ${result.problems.join('; ')}.`;
}

async function checkEvidence(deps: ReportDeps, file: string): Promise<ReportCheckResult> {
  const result = await (await deps.supervisor.client()).request('report/check', { file });
  for (const problem of result.problems) deps.log.warn(`report check ${file}: ${problem}`);
  if (result.ok) void vscode.window.showInformationMessage(checkedMessage(result));
  else void vscode.window.showErrorMessage(checkedMessage(result));
  return result;
}

export function registerReportCommands(deps: ReportDeps): void {
  registerVeilCommand(deps, 'veil.createReport', async (target) => {
    const folder = await resolveDatasetFolder(target, 'Report');
    if (!folder) return undefined;
    const root = deps.index.rootOf(folder) ?? folder;
    const key = await signingKey();
    if (key === undefined) return undefined;
    const result = await withDaemonProgress(deps.supervisor, 'Veil: verifying the dataset for its compliance report', (client, options) =>
      client.request('report/create', { root, signingKey: key ?? undefined }, options),
    );
    deps.log.info(`compliance report of ${root}: ${result.html}, evidence ${result.evidence}${result.signed ? `, signed by ${result.signed.signer}` : ', unsigned'}`);
    await showReport(result);
    const counts = `${result.findings === 0 ? 'no findings' : `${result.findings} finding(s)`}, ${result.flags === 0 ? 'nothing flagged' : `${result.flags} flag(s)`}`;
    void vscode.window.showInformationMessage(`Veil: compliance report of ${basename(root)} written (${counts}); its evidence is ${result.signed ? `signed by ${result.signed.signer}` : 'not signed'}.`, OPEN_IN_BROWSER, CHECK_EVIDENCE).then((choice) => {
      if (choice === OPEN_IN_BROWSER) void vscode.env.openExternal(vscode.Uri.file(result.html));
      if (choice === CHECK_EVIDENCE) void checkEvidence(deps, result.evidence).catch((error: unknown) => deps.log.warn(`report check: ${String(error)}`));
    });
    return result;
  });

  registerVeilCommand(deps, 'veil.checkReport', async (target) => {
    const given = target instanceof vscode.Uri && target.fsPath.endsWith('.json') ? target : undefined;
    const [file] = given
      ? [given]
      : ((await vscode.window.showOpenDialog({ title: "Veil: a report's evidence file (.veil/reports/report-….json)", canSelectFiles: true, canSelectMany: false, filters: { 'Veil evidence': ['json'] }, openLabel: 'Check' })) ?? []);
    if (!file) return undefined;
    return checkEvidence(deps, file.fsPath);
  });
}
