/** Routes key presses to commands through the catalog's shortcuts. */
import { COMMANDS, matchesKey, type CommandId } from './commandCatalog';
import type { CommandHandlers } from './commands';

/** Commands that still work while the help overlay is open. */
const WHILE_HELP_IS_OPEN: ReadonlySet<CommandId> = new Set(['help.toggle', 'box.deselect']);

export function installKeyboard(commands: CommandHandlers, isHelpOpen: () => boolean): void {
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || isTypingTarget(event.target, event.key)) return;
    const command = COMMANDS.find((info) => info.keys.some((spec) => matchesKey(spec, event)));
    if (!command || (isHelpOpen() && !WHILE_HELP_IS_OPEN.has(command.id))) return;
    event.preventDefault();
    commands[command.id]({ large: event.shiftKey });
  });
}

/** Keys that a focused form control needs for itself (typing in a select, Enter on a button). */
function isTypingTarget(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('select, input, textarea')) return key !== 'Escape';
  return target.closest('button') !== null && (key === 'Enter' || key === ' ');
}
