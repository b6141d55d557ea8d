/**
 * What `activate` returns: a read-only view of Veil for the extension-host tests (a status-bar item cannot be
 * read back through the VS Code API) and for other extensions.
 */
import type { ShownDaemonStatus } from './daemonSupervisor';

export interface VeilApi {
  /** The daemon's state and what the status bar shows for it. */
  daemonStatus(): ShownDaemonStatus;
}
