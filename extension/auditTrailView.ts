/**
 * The audit trail of one dataset, readable (in the panel, beside the Problems): its entries newest first — time,
 * reviewer, action, image, what happened — filtered by reviewer and by action, AUDIT_PAGE at a time with a "Show
 * more" item. The daemon reads and checks the log (`audit/list`); the extension never parses it. The trail is read
 * again when its dataset changes and after an original was opened.
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import { DEFAULT_AUDIT_PAGE, type AuditAction, type AuditListEntry, type AuditListResult } from '../daemon/protocol';
import { ACTION_LOOKS, entryDescription, entryLabel, entryTooltip } from './auditTrailLabels';
import { DisposableScope } from './disposables';
import { userMessage } from './errors';
import { Throttle } from './throttle';

export const AUDIT_VIEW_ID = 'veil.auditTrail';
/** At most one reading of the log per half second: a detection batch appends a line per image. */
const REFRESH_MS = 500;

export type AuditNode = { kind: 'entry'; root: string; entry: AuditListEntry } | { kind: 'more'; next: number };

export interface AuditFilter {
  /** A reviewer name. */
  actor?: string;
  action?: AuditAction;
}

export class AuditTrailView implements vscode.TreeDataProvider<AuditNode>, vscode.Disposable {
  private readonly scope = new DisposableScope();
  private readonly changed = this.scope.add(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<AuditNode>;
  private readonly refresh = this.scope.add(new Throttle(REFRESH_MS, () => this.reload()));
  private root: string | undefined;
  private filter: AuditFilter = {};
  private entries: AuditListEntry[] = [];
  /** The last page read: its totals, its `next`, and what the filters can pick. */
  private last: AuditListResult | undefined;

  constructor(
    private readonly daemon: { client(): Promise<DaemonClient> },
    private readonly log: vscode.LogOutputChannel,
    datasetChanges: vscode.Event<string | undefined>,
  ) {
    this.view = this.scope.add(vscode.window.createTreeView(AUDIT_VIEW_ID, { treeDataProvider: this }));
    this.scope.add(datasetChanges((root) => this.changedIn(root)));
  }

  /** Shows the trail of the dataset at `root`, unfiltered, from its newest entry. */
  async show(root: string): Promise<AuditListResult> {
    this.root = root;
    this.filter = {};
    this.entries = [];
    return this.read();
  }

  /** The dataset at `root` wrote to its log: its trail, when shown, is read again (at most twice a second). */
  changedIn(root: string | undefined): void {
    if (root !== undefined && root === this.root) this.refresh.request();
  }

  shown(): { root: string; filter: AuditFilter; result: AuditListResult } | undefined {
    return this.root && this.last ? { root: this.root, filter: { ...this.filter }, result: this.last } : undefined;
  }

  async setFilter(filter: AuditFilter): Promise<AuditListResult> {
    this.filter = filter;
    this.entries = [];
    return this.read();
  }

  async showMore(next: number): Promise<void> {
    await this.read(next);
  }

  getChildren(node?: AuditNode): AuditNode[] {
    const { root } = this;
    if (node || !root) return [];
    const nodes: AuditNode[] = this.entries.map((entry) => ({ kind: 'entry', root, entry }));
    return this.last?.next === undefined ? nodes : [...nodes, { kind: 'more', next: this.last.next }];
  }

  getTreeItem(node: AuditNode): vscode.TreeItem {
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`Show ${DEFAULT_AUDIT_PAGE} older entries`);
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: 'veil.showMoreAuditEntries', title: 'Show More', arguments: [node] };
      return item;
    }
    const { entry } = node;
    const item = new vscode.TreeItem(entryLabel(entry));
    item.id = `audit:${node.root}:${entry.seq}`;
    item.description = entryDescription(entry);
    item.tooltip = entryTooltip(entry);
    item.iconPath = ACTION_LOOKS[entry.action].icon;
    if (entry.file && !entry.file.startsWith('.veil/')) {
      item.command = { command: 'vscode.open', title: 'Open Image', arguments: [vscode.Uri.file(join(node.root, entry.file))] };
    }
    return item;
  }

  /** Again from the newest entry, as many as were shown (at least a page). */
  private async reload(): Promise<void> {
    if (!this.root) return;
    try {
      await this.read();
    } catch (error) {
      this.log.warn(`audit trail of ${this.root}: ${userMessage(error)}`);
    }
  }

  /** Reads a page (older than `before`), or the newest entries again. */
  private async read(before?: number): Promise<AuditListResult> {
    const root = this.root;
    if (!root) throw new Error('no audit trail is shown');
    const limit = before === undefined ? Math.max(this.entries.length, DEFAULT_AUDIT_PAGE) : DEFAULT_AUDIT_PAGE;
    const { actor, action } = this.filter;
    const client = await this.daemon.client();
    const result = await client.request('audit/list', { root, limit, before, actor, actions: action && [action] });
    if (root !== this.root) return result; // another dataset was shown meanwhile
    this.entries = before === undefined ? result.entries : [...this.entries, ...result.entries];
    this.last = result;
    this.describe(result);
    this.changed.fire(undefined);
    return result;
  }

  private describe(result: AuditListResult): void {
    const filters = [this.filter.actor && `reviewer ${this.filter.actor}`, this.filter.action && ACTION_LOOKS[this.filter.action].label].filter(Boolean);
    const counted = filters.length > 0 ? `${result.matched} of ${result.total} entries` : `${result.total} entries`;
    this.view.description = `${basename(result.root)} · ${counted}${filters.length > 0 ? ` · ${filters.join(', ')}` : ''}`;
    this.view.message = result.total === 0 ? 'No audit entry yet: the log starts with the first detection.' : result.matched === 0 ? 'No entry matches the filters.' : undefined;
  }

  dispose(): void {
    this.scope.dispose();
  }
}
