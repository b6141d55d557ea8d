/** A scope of cleanups: everything registered is disposed together, in reverse order. */
import type * as vscode from 'vscode';

export class DisposableScope implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private disposed = false;

  add<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    while (this.items.length > 0) {
      try {
        this.items.pop()?.dispose();
      } catch {
        // One failing cleanup must not stop the others.
      }
    }
  }
}
