/**
 * The audit trail of one dataset, readable (in the panel, beside the Problems): its entries newest first — time,
 * reviewer, action, image, what happened — filtered by reviewer and by action, AUDIT_PAGE at a time with a "Show
 * more" item. The daemon reads and checks the log (`audit/list`); the extension never parses it. The trail is read
 * again when its dataset changes and after an original was opened. The monitor's flags under the same filter
 * (`audit/monitor`) head the trail in a "Flags" node, and each flagged entry shows a warning icon.
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import { DEFAULT_AUDIT_PAGE, type AuditAction, type AuditFlag, type AuditListEntry, type AuditListResult } from '../daemon/protocol';
import { ACTION_LOOKS, entryDescription, entryLabel, entryTooltip } from './auditTrailLabels';
import { FLAG_ICON, FLAG_LABELS, flagTooltip } from './auditFlagLabels';
import { DisposableScope } from './disposables';
import { userMessage } from './errors';
import { Throttle } from './throttle';

export const AUDIT_VIEW_ID = 'veil.auditTrail';
/** At most one reading of the log per half second: a detection batch appends a line per image. */
const REFRESH_MS = 500;

export type AuditNode =
  | { kind: 'entry'; root: string; entry: AuditListEntry }
  | { kind: 'more'; next: number }
  /** The monitor's flags of the entries shown (`audit/monitor`), above them; each flag a child. */
  | { kind: 'flags'; flags: AuditFlag[] }
  | { kind: 'flag'; flag: AuditFlag };

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
  /** The monitor's flags under the same filter, read with the newest page. */
  private flags: AuditFlag[] = [];

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
    if (node?.kind === 'flags') return node.flags.map((flag) => ({ kind: 'flag', flag }));
    if (node || !root) return [];
    const flags: AuditNode[] = this.flags.length > 0 ? [{ kind: 'flags', flags: this.flags }] : [];
    const nodes: AuditNode[] = [...flags, ...this.entries.map((entry): AuditNode => ({ kind: 'entry', root, entry }))];
    return this.last?.next === undefined ? nodes : [...nodes, { kind: 'more', next: this.last.next }];
  }

  getTreeItem(node: AuditNode): vscode.TreeItem {
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`Show ${DEFAULT_AUDIT_PAGE} older entries`);
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: 'veil.showMoreAuditEntries', title: 'Show More', arguments: [node] };
      return item;
    }
    if (node.kind === 'flags') {
      const item = new vscode.TreeItem(`Flags (${node.flags.length})`, vscode.TreeItemCollapsibleState.Expanded);
      item.description = 'suspicious activity the monitor found';
      item.iconPath = FLAG_ICON;
      return item;
    }
    if (node.kind === 'flag') {
      const item = new vscode.TreeItem(`${FLAG_LABELS[node.flag.kind]}${node.flag.seq === undefined ? '' : ` (entry ${node.flag.seq})`}`);
      item.description = node.flag.message;
      item.tooltip = flagTooltip(node.flag);
      item.iconPath = FLAG_ICON;
      return item;
    }
    const { entry } = node;
    const flagged = this.flags.filter((flag) => flag.seq === entry.seq);
    const item = new vscode.TreeItem(entryLabel(entry));
    item.id = `audit:${node.root}:${entry.seq}`;
    item.description = entryDescription(entry);
    item.tooltip = entryTooltip(entry);
    item.iconPath = ACTION_LOOKS[entry.action].icon;
    if (flagged.length > 0) {
      item.iconPath = FLAG_ICON;
      item.tooltip.supportThemeIcons = true;
      for (const flag of flagged) {
        item.tooltip.appendMarkdown(`\n\n$(warning) **${FLAG_LABELS[flag.kind]}**: `);
        item.tooltip.appendText(flag.message);
      }
    }
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
    const actions = action && [action];
    // The flags do not change with paging: read with the newest page only.
    const [result, monitor] = await Promise.all([
      client.request('audit/list', { root, limit, before, actor, actions }),
      before === undefined ? client.request('audit/monitor', { root, actor, actions }) : undefined,
    ]);
    if (root !== this.root) return result; // another dataset was shown meanwhile
    this.entries = before === undefined ? result.entries : [...this.entries, ...result.entries];
    this.last = result;
    if (monitor) this.flags = monitor.flags;
    this.describe(result);
    this.changed.fire(undefined);
    return result;
  }

  private describe(result: AuditListResult): void {
    const filters = [this.filter.actor && `reviewer ${this.filter.actor}`, this.filter.action && ACTION_LOOKS[this.filter.action].label].filter(Boolean);
    const counted = filters.length > 0 ? `${result.matched} of ${result.total} entries` : `${result.total} entries`;
    const flagged = this.flags.length > 0 ? ` · ${this.flags.length} flagged` : '';
    this.view.description = `${basename(result.root)} · ${counted}${flagged}${filters.length > 0 ? ` · ${filters.join(', ')}` : ''}`;
    this.view.message = result.total === 0 ? 'No audit entry yet: the log starts with the first detection.' : result.matched === 0 ? 'No entry matches the filters.' : undefined;
  }

  dispose(): void {
    this.scope.dispose();
  }
}
