/**
 * The editor's paths to what the CLI does beyond a review: create a key, manage models, reveal an original, read the
 * audit trail. Each goes through the daemon's methods (`keys/*`, `models/*`, `vault/read`, `audit/list`).
 */
import type * as vscode from 'vscode';
import { registerAuditTrailCommands } from './auditTrailCommands';
import { AuditTrailView } from './auditTrailView';
import type { CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import type { DaemonSupervisor } from './daemonSupervisor';
import { registerKeyCommands } from './keyCommands';
import { registerModelCommands } from './modelCommands';
import { OriginalDocuments } from './originalDocuments';
import { registerRevealOriginal } from './revealOriginal';

interface EditorPathDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  /** The global state (the identity file used last). */
  memory: vscode.Memento;
}

export function registerEditorPaths(deps: EditorPathDeps): { trail: AuditTrailView; originals: OriginalDocuments } {
  const { scope, log, supervisor, index } = deps;
  const trail = scope.add(new AuditTrailView(supervisor, log, index.onDidChange));
  const originals = scope.add(new OriginalDocuments());
  registerKeyCommands({ scope, log, supervisor, datasets: index });
  registerModelCommands({ scope, log, supervisor });
  registerRevealOriginal({ ...deps, documents: originals, onOpened: (root) => trail.changedIn(root) });
  registerAuditTrailCommands({ scope, log, index, trail });
  return { trail, originals };
}
