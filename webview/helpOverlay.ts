/** The `?` overlay: every shortcut and gesture, from the command catalog. Focus moves in and back out. */
import { COMMANDS, GESTURES, shortcutText, type CommandInfo } from './commandCatalog';

export class HelpOverlay {
  private returnFocus: HTMLElement | null = null;

  constructor(
    private readonly dialog: HTMLElement,
    body: HTMLElement,
    private readonly closeButton: HTMLElement,
  ) {
    body.append(...renderGroups(), renderGestures());
    closeButton.addEventListener('click', () => this.close());
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) this.close();
    });
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'Tab') {
        event.preventDefault();
        closeButton.focus();
      }
    });
  }

  get isOpen(): boolean {
    return !this.dialog.hidden;
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  open(): void {
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.dialog.hidden = false;
    this.closeButton.focus();
  }

  /** Closes the overlay; false when it was not open. */
  close(): boolean {
    if (!this.isOpen) return false;
    this.dialog.hidden = true;
    this.returnFocus?.focus();
    return true;
  }
}

function renderGroups(): HTMLElement[] {
  const groups = new Map<string, CommandInfo[]>();
  for (const command of COMMANDS) groups.set(command.group, [...(groups.get(command.group) ?? []), command]);
  return [...groups].map(([group, commands]) => renderTable(group, commands.map((command) => [shortcutText(command), command.label])));
}

function renderGestures(): HTMLElement {
  return renderTable('Mouse', GESTURES);
}

function renderTable(title: string, rows: ReadonlyArray<readonly [string, string]>): HTMLElement {
  const section = document.createElement('section');
  section.className = 'help__group';
  const heading = document.createElement('h3');
  heading.textContent = title;
  const table = document.createElement('dl');
  for (const [keys, action] of rows) {
    const term = document.createElement('dt');
    const kbd = document.createElement('kbd');
    kbd.textContent = keys;
    term.append(kbd);
    const description = document.createElement('dd');
    description.textContent = action;
    table.append(term, description);
  }
  section.append(heading, table);
  return section;
}
