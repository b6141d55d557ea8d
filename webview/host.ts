/** The extension host as the webview sees it: typed messages out, UI state saved across hiding. */
import type { Viewport } from './geometry';
import { isFilter, isOrder } from './imageList';
import type { WebviewToExtensionMessage } from './protocol';
import type { UiState } from './store';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class Host {
  private readonly api = acquireVsCodeApi();

  post(message: WebviewToExtensionMessage): void {
    this.api.postMessage(message);
  }

  /** The UI state saved before the panel was last hidden, if it is still valid. */
  savedUiState(): UiState | null {
    const state = this.api.getState();
    return isUiState(state) ? state : null;
  }

  saveUiState(state: UiState): void {
    this.api.setState(state);
  }
}

function isUiState(value: unknown): value is UiState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    (state.file === null || typeof state.file === 'string') &&
    (state.selectedId === null || typeof state.selectedId === 'string') &&
    isFilter(state.filter) &&
    isOrder(state.order) &&
    (state.viewport === null || isViewport(state.viewport)) &&
    typeof state.preview === 'boolean'
  );
}

function isViewport(value: unknown): value is Viewport {
  if (typeof value !== 'object' || value === null) return false;
  const viewport = value as Record<string, unknown>;
  return [viewport.scale, viewport.x, viewport.y].every((n) => typeof n === 'number' && Number.isFinite(n)) && (viewport.scale as number) > 0;
}
