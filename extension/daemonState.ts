/**
 * The daemon's life as the supervisor sees it, and what the status bar shows in each state. No `vscode`
 * import: what a person sees for each state is tested without an editor.
 */
import { PROTOCOL_VERSION } from '../daemon/protocol';

export type DaemonState =
  /** Not started yet (it starts on first use), or stopped on purpose; `reason` when it was stopped for failing. */
  | { kind: 'stopped'; reason?: string }
  | { kind: 'starting' }
  | { kind: 'running'; pid: number | undefined; defaultModel: string }
  /** `retry`: the next request starts it again; otherwise only "Restart Daemon" does (retrying cannot help). */
  | { kind: 'startFailed'; cause: string; retry: boolean }
  | { kind: 'stopping' };

export interface StatusPresentation {
  /** Codicon name, without `$()`. */
  icon: string;
  /** The status-bar text, codicon included. */
  text: string;
  tooltip: string;
  /** Failure states are painted with the theme's error background so they are noticed. */
  error: boolean;
}

const RESTART_HINT = 'Run "Veil: Restart Daemon" to start it again.';
const CLICK_HINT = ' — click to show the log';

function present(icon: string, label: string, tooltip: string, error = false): StatusPresentation {
  return { icon, text: `$(${icon}) ${label}`, tooltip: `${tooltip}${CLICK_HINT}`, error };
}

/** What the status-bar item shows for `state`. */
export function presentDaemonState(state: DaemonState): StatusPresentation {
  switch (state.kind) {
    case 'stopped':
      return state.reason ? present('error', 'Veil: stopped', `${state.reason} ${RESTART_HINT}`, true) : present('shield', 'Veil', 'Veil daemon not running (it starts when a Veil command needs it)');
    case 'starting':
      return present('loading~spin', 'Veil: starting', 'Veil daemon starting');
    case 'running':
      return present('shield', 'Veil', `Veil daemon running (pid ${state.pid ?? '?'}), default model ${state.defaultModel}`);
    case 'startFailed':
      return present('error', 'Veil: start failed', `Veil daemon failed to start: ${state.cause} ${state.retry ? 'The next Veil command tries again.' : RESTART_HINT}`, true);
    case 'stopping':
      return present('loading~spin', 'Veil: stopping', 'Veil daemon stopping');
    default:
      return assertNever(state);
  }
}

/** Why a request cannot be served in `state` without an explicit restart; undefined when it can (starting the daemon if needed). */
export function refusalReason(state: DaemonState): string | undefined {
  if (state.kind === 'stopped' && state.reason) return `${state.reason} ${RESTART_HINT}`;
  if (state.kind === 'startFailed' && !state.retry) return `The Veil daemon failed to start: ${state.cause} ${RESTART_HINT}`;
  return undefined;
}

/**
 * What is wrong when a daemon speaks another protocol version than this extension (an installation mixing two
 * Veil versions); undefined when they match. Requests to such a daemon would fail in ways nobody could explain.
 */
export function protocolMismatch(daemonVersion: unknown, expected = PROTOCOL_VERSION): string | undefined {
  if (daemonVersion === expected) return undefined;
  return `the daemon speaks protocol version ${String(daemonVersion)}, this extension speaks version ${expected}: the installation mixes two Veil versions (reinstall Veil).`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled daemon state ${JSON.stringify(value)}`);
}
