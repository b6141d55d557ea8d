/**
 * Owns the daemon process and its state (daemonState.ts), shown in the status bar: stopped → starting →
 * running, or start failed with its cause. It starts on first use; a crash of a running daemon restarts it;
 * crashes and failed starts share one budget (4 in 3 minutes, then it stays stopped and says so); a stop is
 * `shutdown`, a grace period, then a kill. The native modules live only in that process: a crash there never
 * takes the extension host down.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DaemonClient } from '../client/daemonClient';
import type { InitializeResult } from '../daemon/protocol';
import { daemonEnvironment, sessionSettings } from './config';
import { presentDaemonState, protocolMismatch, refusalReason, type DaemonState } from './daemonState';
import { causeOf } from './errors';
import { RestartBudget } from './restartBudget';

/** Why a start failed; `retry` is false when starting the same daemon again cannot help. */
class StartFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retry: boolean,
  ) {
    super(`the Veil daemon failed to start: ${reason}`);
    this.name = 'StartFailure';
  }
  static is(value: unknown): value is StartFailure {
    return value instanceof StartFailure;
  }
}

interface Running {
  client: DaemonClient;
  /** Settles once the daemon is initialized, of our protocol version and configured; rejects with a StartFailure. */
  ready: Promise<InitializeResult>;
  /** Set when the process exited, which may happen between its last answer and `ready` settling. */
  exited: boolean;
}

/** What the status bar shows now, with the state behind it (for the extension-host tests). */
export interface ShownDaemonStatus {
  state: DaemonState;
  text: string;
  tooltip: string;
}

export class DaemonSupervisor implements vscode.Disposable {
  private running: Running | undefined;
  private current: DaemonState = { kind: 'stopped' };
  private readonly budget = new RestartBudget();
  private starts = 0;
  private readonly restarted = new vscode.EventEmitter<void>();
  /** Fires when a daemon other than the first became ready: views reload, since the new process knows nothing of them. */
  readonly onDidRestart = this.restarted.event;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: vscode.StatusBarItem,
  ) {
    status.command = 'veil.showLog';
    this.render();
    status.show();
  }

  get state(): DaemonState {
    return this.current;
  }

  shown(): ShownDaemonStatus {
    const tooltip = this.status.tooltip;
    return { state: this.current, text: this.status.text, tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '') };
  }

  /** The running, initialized daemon; starts it when needed, also after a failed start (within the budget). */
  async client(): Promise<DaemonClient> {
    const refused = refusalReason(this.current);
    if (refused) throw new Error(refused);
    const running = this.running ?? this.start();
    await running.ready;
    return running.client;
  }

  /**
   * The daemon when it is running and initialized, else undefined: for background work, which must never start one
   * (a view refreshing itself must not spend the restart budget on a daemon that cannot start).
   */
  runningClient(): DaemonClient | undefined {
    return this.current.kind === 'running' ? this.running?.client : undefined;
  }

  /** Stops the daemon (whatever its state) and starts a fresh one; a person asked, so the budget starts again. */
  async restart(): Promise<void> {
    this.budget.reset();
    await this.stop();
    // Clears a failure that made client() refuse; a request that arrived meanwhile may have started a daemon already.
    if (!this.running) this.setState({ kind: 'stopped' });
    await this.client();
  }

  /** Sends the session settings now (one of them changed); a daemon that is not running gets them when it starts. */
  async applySessionSettings(): Promise<void> {
    const running = this.running;
    if (!running) return;
    try {
      await running.ready;
      const { reviewer } = await running.client.request('session/configure', sessionSettings());
      this.log.info(`review decisions and commits are now recorded as reviewer "${reviewer}"`);
    } catch (error) {
      // A daemon that failed or crashed meanwhile is configured by its next start.
      this.log.warn(`the changed settings could not be applied now: ${causeOf(error)}`);
    }
  }

  private start(): Running {
    this.starts += 1;
    this.setState({ kind: 'starting' });
    const client = DaemonClient.spawn({
      daemonPath: join(this.extensionPath, 'dist', 'daemon.js'),
      env: daemonEnvironment(),
      onStderr: (line) => this.log.info(line),
      onExit: (code, signal) => this.onExit(running, code, signal),
    });
    const running: Running = {
      client,
      exited: false,
      ready: this.initialize(client).then(
        (init) => this.started(running, init),
        (error: unknown) => this.startFailed(running, error),
      ),
    };
    // A start nobody awaits (after a crash) must not be an unhandled rejection: its failure is in the status bar.
    running.ready.catch(() => undefined);
    this.running = running;
    return running;
  }

  /** `initialize`, refusal of another protocol version, then the session settings. */
  private async initialize(client: DaemonClient): Promise<InitializeResult> {
    const init = await client.request('initialize', { clientName: 'veil-vscode', clientVersion: vscode.version });
    const mismatch = protocolMismatch(init.protocolVersion);
    if (mismatch) throw new StartFailure(mismatch, false);
    // The reviewer travels by session/configure, as on every change of the setting: one path for it, and a
    // change made while this start was under way is sent again once `ready` settles (applySessionSettings).
    await client.request('session/configure', sessionSettings());
    return init;
  }

  private started(running: Running, init: InitializeResult): InitializeResult {
    if (running.exited) return this.startFailed(running, new StartFailure('the daemon exited right after starting; see the log', true));
    if (this.running !== running) return init; // stopped meanwhile: its caller's requests fail as the process exits
    this.setState({ kind: 'running', pid: running.client.pid, defaultModel: init.defaultModel });
    this.log.info(`daemon ready (pid ${running.client.pid}, protocol ${init.protocolVersion}, daemon ${init.daemonVersion}), default model ${init.defaultModel}`);
    if (this.starts > 1) this.restarted.fire();
    return init;
  }

  private startFailed(running: Running, error: unknown): never {
    const failure = StartFailure.is(error) ? error : new StartFailure(causeOf(error), true);
    if (this.running === running) {
      this.running = undefined;
      // A daemon that cannot serve must not linger; closing it is a deliberate stop, which onExit ignores.
      void running.client.close();
      this.log.error(failure.message);
      const retry = failure.retry && this.budget.spend();
      const cause = failure.retry && !retry ? `${failure.reason} (${this.budget.spent} failed starts or crashes in 3 minutes: no more retries)` : failure.reason;
      this.setState({ kind: 'startFailed', cause, retry });
    }
    throw failure;
  }

  private onExit(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    running.exited = true;
    if (this.running !== running) return; // a deliberate stop, or a failed start already handled
    if (this.current.kind === 'starting') return; // its pending requests are rejected: startFailed takes it from there
    this.running = undefined;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    this.log.warn(`daemon exited unexpectedly (${how})`);
    if (!this.budget.spend()) {
      const reason = `The Veil daemon crashed or failed to start ${this.budget.spent} times in 3 minutes and was stopped (last: ${how}; its log says why).`;
      this.setState({ kind: 'stopped', reason });
      void vscode.window.showErrorMessage(reason, 'Show Log', 'Restart').then((choice) => {
        if (choice === 'Show Log') this.log.show();
        if (choice === 'Restart') void this.restart().catch((e: unknown) => this.log.error(causeOf(e)));
      });
      return;
    }
    this.start();
  }

  private async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    this.setState({ kind: 'stopping' });
    await running.client.close();
    if (!this.running) this.setState({ kind: 'stopped' });
  }

  private setState(state: DaemonState): void {
    this.current = state;
    this.render();
  }

  private render(): void {
    const look = presentDaemonState(this.current);
    this.status.text = look.text;
    this.status.tooltip = look.tooltip;
    this.status.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    const running = this.running;
    this.running = undefined;
    void running?.client.close();
    this.restarted.dispose();
  }
}
