/** The toolbar: progress, filter/order/mode pickers, and buttons that run catalog commands. */
import { REDACTION_MODES, type RedactionMode } from '../daemon/protocol';
import type { CommandId } from './commandCatalog';
import type { CommandHandlers } from './commands';
import { FILTERS, isFilter, isOrder, ORDERS } from './imageList';
import { isRedactionMode } from './protocol';
import type { ReviewStore } from './store';

const MODE_LABELS: Record<RedactionMode, string> = { fill: 'Solid fill', pixelate: 'Pixelate', blur: 'Blur' };

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
    changeMode: (mode: RedactionMode) => void,
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
      if (isRedactionMode(elements.mode.value)) changeMode(elements.mode.value);
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
    elements.mode.value = store.settings.mode;
    const preview = elements.toolbar.querySelector('[data-command="preview.toggle"]');
    preview?.setAttribute('aria-pressed', String(store.ui.preview));
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
