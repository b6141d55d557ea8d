/**
 * The Veil view in the activity bar: the datasets of the DatasetIndex, each with its images grouped by status
 * (unreviewed, reviewed, committed, failed). A group lists its images only when expanded, PAGE_SIZE at a time
 * with a "Show more" item: VS Code builds every item a provider returns; in the workbench a group of 8,800 images
 * listed whole took 1.1 s to show, 500 of them 0.16–0.25 s. Changes are shown at most once per REFRESH_MS: a
 * terminal `veil detect` sends one every ~100 ms.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { DatasetIndex } from './datasetIndex';
import { datasetDescription, datasetTooltip, GROUP_LOOKS, imageDescription, imageLabel, moreLabel } from './datasetLabels';
import { IMAGE_GROUPS, type ImageGroup, type ListedImage } from './datasetSnapshot';
import { DisposableScope } from './disposables';
import { Throttle } from './throttle';

export const DATASETS_VIEW_ID = 'veil.datasets';
/** Images listed per page of a group. */
const PAGE_SIZE = 500;
const REFRESH_MS = 500;

export interface DatasetNode {
  readonly kind: 'dataset';
  readonly root: string;
  /** The dataset folder: what the dataset commands (detect, review, commit, verify) act on when given this item. */
  readonly resourceUri: vscode.Uri;
}
export interface GroupNode {
  readonly kind: 'group';
  readonly root: string;
  readonly group: ImageGroup;
}
export interface ImageNode {
  readonly kind: 'image';
  readonly root: string;
  readonly image: ListedImage;
  /** Its group: a committed image's item offers "Reveal Original" (contextValue `veil.image.committed`). */
  readonly group: ImageGroup;
}
export interface MoreNode {
  readonly kind: 'more';
  readonly parent: GroupNode;
  readonly hidden: number;
}
export type DatasetsNode = DatasetNode | GroupNode | ImageNode | MoreNode;

/** Whether a command's argument is a node of this view of that kind. */
export function isNode<K extends DatasetsNode['kind']>(value: unknown, kind: K): value is Extract<DatasetsNode, { kind: K }> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind;
}

export class DatasetsTree implements vscode.TreeDataProvider<DatasetsNode>, vscode.Disposable {
  private readonly scope = new DisposableScope();
  private readonly changed = this.scope.add(new vscode.EventEmitter<DatasetsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /** Nodes VS Code was given are named again when they change: the same objects, by root (and group). */
  private datasetNodes = new Map<string, DatasetNode>();
  private readonly groupNodes = new Map<string, GroupNode>();
  /** Images listed per group (pages shown so far), by group node. */
  private readonly shown = new Map<GroupNode, number>();
  /** Roots whose state changed since the last refresh; undefined: the list of datasets did. */
  private readonly stale = new Set<string | undefined>();
  /** Roots whose first read was shown: that one is shown at once, the changes after it at most once per REFRESH_MS. */
  private readonly firstReadShown = new Set<string>();
  private readonly refresh = this.scope.add(new Throttle(REFRESH_MS, () => this.showChanges()));

  constructor(private readonly index: DatasetIndex) {
    this.scope.add(
      index.onDidChange((root) => {
        const node = root === undefined ? undefined : this.datasetNodes.get(root);
        if (node && !this.firstReadShown.has(node.root) && this.index.get(node.root)?.snapshot) {
          this.firstReadShown.add(node.root);
          this.changed.fire(node);
          return;
        }
        this.stale.add(root);
        this.refresh.request();
      }),
    );
  }

  // Both switches below cover every node kind: a new kind fails to compile (the function would lack a return).
  async getChildren(node?: DatasetsNode): Promise<DatasetsNode[]> {
    if (!node) {
      const discovery = this.index.discover();
      // Datasets remembered from an earlier window are shown at once; the search adds or drops the others.
      if (this.index.all().length === 0) await discovery;
      const roots = this.index.all().map((dataset) => dataset.root);
      this.datasetNodes = new Map(roots.map((root) => [root, this.datasetNodes.get(root) ?? { kind: 'dataset', root, resourceUri: vscode.Uri.file(root) }]));
      return [...this.datasetNodes.values()];
    }
    switch (node.kind) {
      case 'dataset': {
        const counts = this.index.get(node.root)?.counts();
        return counts ? IMAGE_GROUPS.filter((group) => counts[group] > 0).map((group) => this.groupNode(node.root, group)) : [];
      }
      case 'group': {
        const images = this.index.get(node.root)?.snapshot?.list(node.group) ?? [];
        const shown = this.shown.get(node) ?? PAGE_SIZE;
        const page: DatasetsNode[] = images.slice(0, shown).map((image) => ({ kind: 'image', root: node.root, image, group: node.group }));
        return images.length > shown ? [...page, { kind: 'more', parent: node, hidden: images.length - shown }] : page;
      }
      case 'image':
      case 'more':
        return [];
    }
  }

  getTreeItem(node: DatasetsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'dataset':
        return this.datasetItem(node);
      case 'group': {
        const count = this.index.get(node.root)?.counts()?.[node.group] ?? 0;
        const item = new vscode.TreeItem(GROUP_LOOKS[node.group].label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `group:${node.root}:${node.group}`;
        item.description = count.toLocaleString('en-US');
        item.iconPath = GROUP_LOOKS[node.group].icon;
        return item;
      }
      case 'image':
        return imageItem(node);
      case 'more': {
        const { label, description } = moreLabel(PAGE_SIZE, node.hidden);
        const item = new vscode.TreeItem(label);
        item.id = `more:${node.parent.root}:${node.parent.group}`;
        item.description = description;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'veil.showMoreImages', title: label, arguments: [node] };
        return item;
      }
    }
  }

  /** The next page of a group's images. */
  showMore(node: MoreNode): void {
    this.shown.set(node.parent, (this.shown.get(node.parent) ?? PAGE_SIZE) + PAGE_SIZE);
    this.changed.fire(node.parent);
  }

  private datasetItem(node: DatasetNode): vscode.TreeItem {
    const dataset = this.index.get(node.root);
    const item = new vscode.TreeItem(basename(node.root), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `dataset:${node.root}`;
    item.contextValue = 'veil.dataset';
    item.iconPath = new vscode.ThemeIcon('folder-library');
    const counts = dataset?.counts();
    if (counts) {
      item.description = datasetDescription(counts);
      item.tooltip = datasetTooltip(node.root, counts, dataset?.snapshot === undefined);
    } else if (dataset?.error) {
      item.description = 'cannot be read';
      item.tooltip = `${node.root}: ${dataset.error}`;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    } else {
      item.description = 'counting…';
      item.tooltip = node.root;
    }
    return item;
  }

  private groupNode(root: string, group: ImageGroup): GroupNode {
    const key = `${root}\n${group}`;
    let node = this.groupNodes.get(key);
    if (!node) {
      node = { kind: 'group', root, group };
      this.groupNodes.set(key, node);
    }
    return node;
  }

  private showChanges(): void {
    const roots = [...this.stale];
    this.stale.clear();
    const nodes = roots.map((root) => (root === undefined ? undefined : this.datasetNodes.get(root)));
    // A dataset VS Code was not given yet (or a change of the list): the whole tree is asked again.
    if (nodes.includes(undefined)) this.changed.fire(undefined);
    else for (const node of nodes) this.changed.fire(node);
  }

  dispose(): void {
    this.scope.dispose();
  }
}

function imageItem(node: ImageNode): vscode.TreeItem {
  const { image } = node;
  const item = new vscode.TreeItem(imageLabel(image));
  item.id = `image:${node.root}:${image.file}`;
  item.contextValue = `veil.image.${node.group}`;
  item.description = imageDescription(image);
  item.tooltip = 'failure' in image ? `${image.file}: ${image.failure}` : image.file;
  if ('failure' in image) item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground'));
  else if ('excluded' in image) {
    // Not in the review (commits leave it as it is): "Include in Commit Again" brings it back.
    item.iconPath = new vscode.ThemeIcon('circle-slash');
    item.tooltip = `${image.file}: excluded from commits by ${image.excluded.by} on ${image.excluded.at.slice(0, 10)}: ${image.excluded.reason}`;
  } else {
    item.iconPath = new vscode.ThemeIcon(image.durationS === undefined ? 'file-media' : 'device-camera-video');
    item.command = { command: 'veil.reviewImage', title: 'Review Image', arguments: [node] };
  }
  return item;
}

/** The view, registered with VS Code; returns its tree (the extension-host tests read it through the API). */
export function registerDatasetsView(scope: DisposableScope, index: DatasetIndex): DatasetsTree {
  const tree = scope.add(new DatasetsTree(index));
  scope.add(vscode.window.createTreeView(DATASETS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }));
  return tree;
}
