/**
 * Which redaction mode this panel previews. The preview mode is the panel's own (M, the Preview picker); commits
 * use the `veil.redaction.mode` setting: while the preview is on, a note on the image says both when they differ.
 */
import type { RedactionMode } from '../daemon/protocol';
import type { ReviewStore } from './store';

export const MODE_LABELS: Record<RedactionMode, string> = { fill: 'Solid fill', pixelate: 'Pixelate', blur: 'Blur' };

export class PreviewNote {
  constructor(
    private readonly element: HTMLElement,
    private readonly store: ReviewStore,
  ) {}

  update(): void {
    const { preview } = this.store.ui;
    const previewed = this.store.previewedMode;
    const committed = this.store.settings.mode;
    this.element.hidden = !preview;
    this.element.textContent =
      previewed === committed
        ? `Preview: ${MODE_LABELS[previewed]}, as commits redact`
        : `Preview: ${MODE_LABELS[previewed]} (this panel) · commits use ${MODE_LABELS[committed]} (setting)`;
  }
}
