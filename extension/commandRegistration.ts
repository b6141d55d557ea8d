/**
 * Registers a Veil command: a failure is logged and shown once, with its cause and a Retry that runs the command
 * again on the same target (a daemon that crashed mid-request is restarted by then); a cancellation is not an error.
 */
import * as vscode from 'vscode';
import type { DisposableScope } from './disposables';
import { isCancellation, userMessage } from './errors';

const RETRY = 'Retry';
const SHOW_LOG = 'Show Log';

export interface CommandHost {
  scope: DisposableScope;
  log: vscode.LogOutputChannel;
}

/**
 * `target`: what VS Code passes first — a folder URI (explorer, tests), an item of the Veil view, or nothing (palette);
 * `more`: what follows it (the Explorer passes every selected resource second).
 */
export function registerVeilCommand(host: CommandHost, id: string, run: (target?: unknown, ...more: unknown[]) => Promise<unknown>): void {
  host.scope.add(
    vscode.commands.registerCommand(id, async (target?: unknown, ...more: unknown[]) => {
      try {
        return await run(target, ...more);
      } catch (error) {
        if (isCancellation(error)) return undefined;
        host.log.error(`${id}: ${userMessage(error)}`);
        void vscode.window.showErrorMessage(`Veil: ${userMessage(error)}`, RETRY, SHOW_LOG).then((choice) => {
          if (choice === RETRY) void vscode.commands.executeCommand(id, target, ...more);
          if (choice === SHOW_LOG) host.log.show();
        });
        return undefined;
      }
    }),
  );
}
