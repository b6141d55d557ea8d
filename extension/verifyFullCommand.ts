/**
 * "Verify All Data (Read Every Object)…": `veil verify --full` from the editor, a backup tool's read-all-data check
 * (README "What `veil verify` proves"). On a dataset (the Veil view, a folder, or asked): with a custodian's key, every
 * vault object is decrypted and authenticated, else hash-checked against the audit log; either way every object of the
 * vault is read, also those no commit names. The findings go to the Problems panel as Verify Dataset's do.
 */
import * as vscode from 'vscode';
import type { VerifyResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import { askIdentity, type UnlockedIdentity } from './identityPrompt';
import { withDaemonProgress } from './progressNotification';
import { reportVerify, type VerifyDiagnostics } from './verifyDiagnostics';

interface VerifyFullDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  /** The global state: the identity file used last. */
  memory: vscode.Memento;
  diagnostics: VerifyDiagnostics;
}

const WITH_KEY = "With a custodian's key";
const WITHOUT_KEY = 'Without a key';

/** The identity to decrypt with, `null` for none; undefined when the person cancelled. */
async function askKey(deps: VerifyFullDeps): Promise<UnlockedIdentity | null | undefined> {
  const items = [
    { label: WITH_KEY, detail: 'Decrypt and authenticate every original: proves each holds the image it was committed as' },
    { label: WITHOUT_KEY, detail: "Hash-check every object against the audit log: proves none changed, not that they decrypt (the Veil log says so)" },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Veil: read every object of the vault', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.label === WITHOUT_KEY) return null;
  const client = await deps.supervisor.client();
  return askIdentity(client, deps.memory, "Veil: a custodian's key (identity file) to decrypt every original with");
}

export function registerVerifyFullCommand(deps: VerifyFullDeps): void {
  registerVeilCommand(deps, 'veil.verifyFullDataset', async (target): Promise<VerifyResult | undefined> => {
    const root = await resolveDatasetFolder(target, 'Verify');
    if (!root) return undefined;
    const key = await askKey(deps);
    if (key === undefined) return undefined;
    const result = await withDaemonProgress(deps.supervisor, 'Veil: reading every object', (client, options) => client.request('dataset/verify', { root, full: true, ...key }, options));
    reportVerify(result, deps.diagnostics, deps.log, `read every object${key ? ', decrypted with the key,' : ''} and verified`);
    return result;
  });
}
