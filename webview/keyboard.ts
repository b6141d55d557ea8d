/**
 * Runs the review's commands by id (VS Code's keybindings send them as actions) and, outside VS Code, the catalog's
 * shortcuts from the page's own key presses.
 */
import { COMMANDS, matchesKey, type CommandId } from './commandCatalog';
import type { CommandContext, CommandHandlers } from './commands';
import { focusPlaceOf, placeTakesKey } from './focusPlaces';

/** Commands that still work while the help overlay is open. */
const WHILE_HELP_IS_OPEN: ReadonlySet<CommandId> = new Set(['help.toggle', 'box.deselect']);

export type CommandRunner = (id: CommandId, context: CommandContext) => void;

export function createCommandRunner(commands: CommandHandlers, isHelpOpen: () => boolean): CommandRunner {
  return (id, context) => {
    if (isHelpOpen() && !WHILE_HELP_IS_OPEN.has(id)) return;
    commands[id](context);
  };
}

/**
 * The page runs the catalog's shortcuts itself (no VS Code keybindings send them). While a video is shown its
 * commands run, and take their keys from the image commands (as the keybindings' `veil.reviewItem` does in VS Code).
 */
export function installPageShortcuts(run: CommandRunner, videoShown: () => boolean): void {
  document.addEventListener('keydown', (event) => {
    // A key the focused control took (the filmstrip's arrows prevent their default) or takes (a picker's letters).
    if (event.defaultPrevented || placeTakesKey(focusPlaceOf(event.target instanceof Element ? event.target : null, true), event.key)) return;
    const video = videoShown();
    const matching = COMMANDS.filter((info) => (info.scope !== 'video' || video) && info.keys.some((spec) => matchesKey(spec, event)));
    const command = matching.find((info) => info.scope === 'video') ?? matching[0];
    if (!command) return;
    event.preventDefault();
    run(command.id, { large: event.shiftKey });
  });
}
