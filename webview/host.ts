/** The extension host as the webview sees it: typed messages out, UI state saved across hiding. */
import type { Viewport } from './geometry';
import { isFilter, isOrder } from './imageList';
import { isRedactionMode, type SavedReviewState, type WebviewToExtensionMessage } from './protocol';
import type { SavedUi, UiState } from './store';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class Host {
  private readonly api = acquireVsCodeApi();
  /** The folder under review: saved with the UI state, so that a window reload brings the panel back on it. */
  private folder: string | undefined;

  post(message: WebviewToExtensionMessage): void {
    this.api.postMessage(message);
  }

  /** The UI state saved before the panel was last hidden, if it is still valid, and the video's playhead then. */
  savedUiState(): SavedUi | null {
    const state = this.api.getState();
    const ui = uiStateFrom(state);
    if (!ui) return null;
    const { frame } = state as Record<string, unknown>;
    return { ui, frame: typeof frame === 'number' && Number.isInteger(frame) && frame >= 0 ? frame : 0 };
  }

  reviews(folder: string): void {
    this.folder = folder;
  }

  /** `frame`: the current video's playhead (0 for an image), shown again when the panel is. */
  saveUiState(state: UiState, frame: number): void {
    const saved: UiState & SavedReviewState & { frame: number } = { ...state, frame, folder: this.folder };
    this.api.setState(saved);
  }
}

/** The UI state in a saved state, or null when it is not one; settings added later default when a state lacks them. */
function uiStateFrom(value: unknown): UiState | null {
  if (typeof value !== 'object' || value === null) return null;
  const { file, selectedId, filter, order, viewport, preview, boxesHidden, possibleShown, previewMode } = value as Record<string, unknown>;
  if (
    (file === null || typeof file === 'string') &&
    (selectedId === null || typeof selectedId === 'string') &&
    isFilter(filter) &&
    isOrder(order) &&
    (viewport === null || isViewport(viewport)) &&
    typeof preview === 'boolean'
  ) {
    return { file, selectedId, filter, order, viewport, preview, boxesHidden: boxesHidden === true, possibleShown: possibleShown === true, previewMode: isRedactionMode(previewMode) ? previewMode : null };
  }
  return null;
}

function isViewport(value: unknown): value is Viewport {
  if (typeof value !== 'object' || value === null) return false;
  const viewport = value as Record<string, unknown>;
  return [viewport.scale, viewport.x, viewport.y].every((n) => typeof n === 'number' && Number.isFinite(n)) && (viewport.scale as number) > 0;
}
