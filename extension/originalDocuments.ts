/**
 * Originals shown in the editor without touching the disk: a read-only file system (`veil-original:`) whose files are
 * bytes held in memory. A revealed original gets a URI of its own ending with the image's name, so VS Code opens it
 * in its built-in image preview, which reads it through this provider; nothing is ever written. The bytes are dropped
 * as soon as no tab shows the URI any more.
 *
 * An original too large for memory (a long video) is a file instead, a private temp copy (privateTempCopies.ts) that
 * the editor opens from disk; it is deleted the same way, as soon as no tab shows it, and with the session.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { DisposableScope } from './disposables';
import { PrivateTempCopies } from './privateTempCopies';

export const ORIGINAL_SCHEME = 'veil-original';

/**
 * Held originals are named by their URI without its query: the image preview asks for `<uri>?version=<mtime>` (its
 * cache buster), the tab shows the URI without it.
 */
function keyOf(uri: vscode.Uri): string {
  return `${uri.authority}${uri.path}`;
}

interface HeldOriginal {
  bytes: Uint8Array;
  shownAt: number;
}

/** The URI a tab shows, whatever editor it is (the image preview is a custom editor, a TIFF falls back to text). */
function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  const { input } = tab;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
}

function readOnly(): vscode.FileSystemError {
  return vscode.FileSystemError.NoPermissions('an original is shown read-only, from memory: it is never written');
}

export class OriginalDocuments implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly scope = new DisposableScope();
  private readonly held = new Map<string, HeldOriginal>();
  /** Originals written to disk because they are too large to hold: deleted when no tab shows them. */
  readonly tempCopies = new PrivateTempCopies();
  /** The temp copies given to the editor (one still being written is not: closing another tab must not delete it). */
  private readonly shownCopies = new Set<string>();
  private readonly changes = this.scope.add(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.changes.event;

  constructor() {
    this.scope.add(vscode.workspace.registerFileSystemProvider(ORIGINAL_SCHEME, this, { isReadonly: true, isCaseSensitive: true }));
    // Copies left by a session that crashed (one that ends deletes its own).
    void this.tempCopies.sweepLeftovers();
    this.scope.add(
      vscode.window.tabGroups.onDidChangeTabs(({ closed }) => {
        if (closed.length > 0) this.dropUnshown();
      }),
    );
  }

  /**
   * Holds `bytes` as the original of `file` (dataset-relative) of the dataset `root`, and returns its URI: a random
   * authority (each reveal is its own), then the path the breadcrumbs show, "<dataset> (original, read-only)/<file>".
   */
  hold(root: string, file: string, bytes: Uint8Array): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: ORIGINAL_SCHEME, authority: randomBytes(8).toString('hex'), path: `/${basename(root)} (original, read-only)/${file}` });
    this.held.set(keyOf(uri), { bytes, shownAt: Date.now() });
    return uri;
  }

  /** The temp copy at `path` is shown in a tab: from here on it is deleted when no tab shows it. */
  copyShown(path: string): void {
    this.shownCopies.add(path);
    this.dropUnshown();
  }

  /** How many originals are held in memory now. */
  get count(): number {
    return this.held.size;
  }

  private dropUnshown(): void {
    const uris = vscode.window.tabGroups.all.flatMap((group) => group.tabs.map(tabUri));
    const shown = new Set(uris.filter((uri) => uri?.scheme === ORIGINAL_SCHEME).map((uri) => keyOf(uri as vscode.Uri)));
    for (const key of [...this.held.keys()]) if (!shown.has(key)) this.held.delete(key);
    const shownFiles = new Set(uris.filter((uri) => uri?.scheme === 'file').map((uri) => (uri as vscode.Uri).fsPath));
    for (const path of [...this.shownCopies]) {
      if (shownFiles.has(path)) continue;
      this.shownCopies.delete(path);
      void this.tempCopies.remove(path);
    }
  }

  private original(uri: vscode.Uri): HeldOriginal | undefined {
    return this.held.get(keyOf(uri));
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const original = this.original(uri);
    if (original) return { type: vscode.FileType.File, ctime: original.shownAt, mtime: original.shownAt, size: original.bytes.length, permissions: vscode.FilePermission.Readonly };
    // A folder above a held original (the image preview may look at its folder).
    const prefix = `${keyOf(uri).replace(/\/$/, '')}/`;
    if ([...this.held.keys()].some((key) => key.startsWith(prefix))) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const original = this.original(uri);
    if (!original) throw vscode.FileSystemError.FileNotFound(uri);
    return original.bytes;
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  watch(): vscode.Disposable {
    // Held bytes never change.
    return new vscode.Disposable(() => undefined);
  }

  writeFile(): never {
    throw readOnly();
  }

  createDirectory(): never {
    throw readOnly();
  }

  delete(): never {
    throw readOnly();
  }

  rename(): never {
    throw readOnly();
  }

  dispose(): void {
    this.held.clear();
    this.scope.dispose();
    void this.tempCopies.dispose();
  }
}
