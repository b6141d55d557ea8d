/**
 * What `activate` returns: a read-only view of Veil for the extension-host tests (a status-bar item cannot be
 * read back through the VS Code API) and for other extensions.
 */
import type * as vscode from 'vscode';
import type { AuditNode } from './auditTrailView';
import type { DatasetsNode } from './datasetsView';
import type { ShownDaemonStatus } from './daemonSupervisor';

export interface VeilApi {
  /** The daemon's state and what the status bar shows for it. */
  daemonStatus(): ShownDaemonStatus;
  /** The Veil view's tree, as VS Code reads it (a view's items cannot be read back through the VS Code API either). */
  datasetsTree: vscode.TreeDataProvider<DatasetsNode>;
  /** The image the open review of `root` shows, as its webview last said; undefined without one. */
  reviewedImage(root: string): string | undefined;
  /** The audit trail view's tree, as VS Code reads it. */
  auditTrail: vscode.TreeDataProvider<AuditNode>;
  /** How many revealed originals are held in memory (each until no tab shows it). */
  originalsInMemory(): number;
  /** Each dataset the walkthrough's key step asked about (by root): whether a commit would encrypt its originals to someone. */
  datasetKeys(): Record<string, boolean>;
}
