/**
 * Owns the daemon process: starts it on first use, routes its stderr to the log, restarts it after a
 * crash (at most 4 times in 3 minutes, then stops and says so), stops it gracefully on dispose.
 * The native modules live only in that process: a crash there never takes the extension host down.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DaemonClient } from '../daemon/client';
import type { InitializeResult } from '../daemon/protocol';
import { daemonEnvironment, reviewerName } from './config';

const RESTART_LIMIT = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

interface Running {
  client: DaemonClient;
  ready: Promise<InitializeResult>;
}

export class DaemonSupervisor implements vscode.Disposable {
  private running: Running | undefined;
  private readonly crashes: number[] = [];
  private stoppedReason: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the daemon restarted, so views reload their state. */
  readonly onDidRestart = this.changed.event;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: vscode.StatusBarItem,
  ) {
    this.showStatus('$(shield) Veil', 'Veil daemon not started yet');
    status.command = 'veil.showLog';
    status.show();
  }

  /** The running, initialized daemon; starts it when needed. */
  async client(): Promise<DaemonClient> {
    if (this.stoppedReason) throw new Error(`${this.stoppedReason} Run "Veil: Restart Daemon" to try again.`);
    const running = this.running ?? this.start();
    await running.ready;
    return running.client;
  }

  async restart(): Promise<void> {
    this.stoppedReason = undefined;
    this.crashes.length = 0;
    const previous = this.running;
    this.running = undefined;
    await previous?.client.close();
    await this.client();
    this.changed.fire();
  }

  private start(): Running {
    this.showStatus('$(loading~spin) Veil', 'Veil daemon starting');
    const client = DaemonClient.spawn({
      daemonPath: join(this.extensionPath, 'dist', 'daemon.js'),
      env: daemonEnvironment(),
      onStderr: (line) => this.log.info(line),
      onExit: (code, signal) => this.onExit(client, code, signal),
    });
    const ready = client.request('initialize', { clientName: 'veil-vscode', clientVersion: vscode.version, reviewer: reviewerName() });
    const running: Running = { client, ready };
    this.running = running;
    ready.then(
      (init) => this.showStatus('$(shield) Veil', `Veil daemon ready (pid ${client.pid}), default model ${init.defaultModel}`),
      (error) => this.log.error(`daemon failed to initialize: ${String(error)}`),
    );
    return running;
  }

  private onExit(client: DaemonClient, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.running?.client !== client) return; // a deliberate stop
    this.running = undefined;
    this.log.warn(`daemon exited unexpectedly (${signal ?? `code ${code}`})`);
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0] > RESTART_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length > RESTART_LIMIT) {
      this.stoppedReason = `The Veil daemon crashed ${this.crashes.length} times in 3 minutes and was stopped.`;
      this.showStatus('$(error) Veil', this.stoppedReason);
      void vscode.window.showErrorMessage(this.stoppedReason, 'Show Log', 'Restart').then((choice) => {
        if (choice === 'Show Log') this.log.show();
        if (choice === 'Restart') void this.restart();
      });
      return;
    }
    this.start();
    this.changed.fire();
  }

  private showStatus(text: string, tooltip: string): void {
    this.status.text = text;
    this.status.tooltip = `${tooltip} — click to show the log`;
  }

  dispose(): void {
    const running = this.running;
    this.running = undefined;
    void running?.client.close();
    this.changed.dispose();
  }
}
