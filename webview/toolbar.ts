/** The toolbar: progress, filter/order/mode pickers, and buttons that run catalog commands. */
import { REDACTION_MODES } from '../daemon/protocol';
import type { CommandId } from './commandCatalog';
import type { CommandHandlers } from './commands';
import { FILTERS, isFilter, isOrder, ORDERS } from './imageList';
import { MODE_LABELS } from './previewNote';
import { isRedactionMode } from './protocol';
import type { ReviewStore } from './store';

export interface ToolbarElements {
  toolbar: HTMLElement;
  progressText: HTMLElement;
  progressFill: HTMLElement;
  filter: HTMLSelectElement;
  order: HTMLSelectElement;
  mode: HTMLSelectElement;
}

export class Toolbar {
  constructor(
    private readonly elements: ToolbarElements,
    private readonly store: ReviewStore,
    commands: CommandHandlers,
  ) {
    fillOptions(elements.filter, FILTERS);
    fillOptions(elements.order, ORDERS);
    fillOptions(elements.mode, REDACTION_MODES.map((value) => ({ value, label: MODE_LABELS[value] })));
    elements.filter.addEventListener('change', () => {
      if (isFilter(elements.filter.value)) store.setFilter(elements.filter.value);
    });
    elements.order.addEventListener('change', () => {
      if (isOrder(elements.order.value)) store.setOrder(elements.order.value);
    });
    elements.mode.addEventListener('change', () => {
      if (isRedactionMode(elements.mode.value)) store.setPreviewMode(elements.mode.value);
    });
    elements.toolbar.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLElement>('button[data-command]') : null;
      if (button) commands[button.dataset.command as CommandId]({ large: false });
    });
  }

  /** Brings the pickers and toggles in line with the store. */
  update(): void {
    const { elements, store } = this;
    elements.filter.value = store.ui.filter;
    elements.order.value = store.ui.order;
    elements.mode.value = store.previewedMode;
    // The mode commits use is marked: the panel's preview mode may differ from it.
    for (const option of elements.mode.options) {
      if (isRedactionMode(option.value)) option.textContent = `${MODE_LABELS[option.value]}${option.value === store.settings.mode ? ' (setting)' : ''}`;
    }
    this.press('preview.toggle', store.ui.preview);
    this.press('view.toggleBoxes', store.ui.boxesHidden);
    this.press('view.togglePossible', store.ui.possibleShown);
  }

  private press(id: CommandId, pressed: boolean): void {
    this.elements.toolbar.querySelector(`[data-command="${id}"]`)?.setAttribute('aria-pressed', String(pressed));
  }

  updateProgress(): void {
    const progress = this.store.progress();
    const { progressText, progressFill } = this.elements;
    progressText.textContent =
      `Reviewed ${progress.reviewed} / ${progress.images}\nFaces ${progress.accepted} accepted / ${progress.proposed} proposed`;
    progressFill.style.width = `${progress.images === 0 ? 0 : (100 * progress.reviewed) / progress.images}%`;
  }
}

function fillOptions(select: HTMLSelectElement, options: ReadonlyArray<{ value: string; label: string }>): void {
  select.replaceChildren(...options.map(({ value, label }) => new Option(label, value)));
}
