/**
 * The editor's paths to what the CLI does beyond a review: create a key, manage models, reveal an original, read the
 * audit trail, exclude files from commits, manage recipients, the policy and signing keys, back up and restore, export and
 * import annotations. Each goes through the daemon's methods (`keys/*`, `models/*`, `vault/read`, `audit/list`,
 * `dataset/exclude|include`, `recipients/*`, `policy/*`, `signer/create`, `checkpoint/sign`, `backup/*`, `annotations/*`).
 */
import type * as vscode from 'vscode';
import { registerAuditTrailCommands } from './auditTrailCommands';
import { AuditTrailView } from './auditTrailView';
import type { CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import type { DaemonSupervisor } from './daemonSupervisor';
import { registerBackupCommands } from './backupCommands';
import { registerExclusionCommands } from './exclusionCommands';
import { registerKeyCommands } from './keyCommands';
import { registerPolicyCommands } from './policyCommands';
import { registerRecipientsCommands } from './recipientsCommands';
import { registerSigningCommands } from './signingCommands';
import { registerRetentionCommands } from './retentionCommands';
import { registerModelCommands } from './modelCommands';
import { OriginalDocuments } from './originalDocuments';
import { registerRevealOriginal } from './revealOriginal';
import { registerReportCommands } from './reportCommands';
import { registerAnnotationCommands } from './annotationCommands';

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
  registerReportCommands({ scope, log, supervisor, index });
  registerExclusionCommands({ scope, log, supervisor, index });
  const onAudited = (root: string) => trail.changedIn(root);
  registerRecipientsCommands({ ...deps, onAudited });
  const policies = registerPolicyCommands({ scope, log, supervisor, index, onAudited });
  registerSigningCommands({ scope, log, supervisor, index, policies, onAudited });
  registerRetentionCommands({ ...deps, onAudited });
  registerBackupCommands({ ...deps, onAudited });
  registerAnnotationCommands({ ...deps, onAudited });
  return { trail, originals };
}
