import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, type CommandInfo, type KeySpec } from '../../../webview/commandCatalog';
import { placeTakesKey } from '../../../webview/focusPlaces';
import { FOCUS_PLACES } from '../../../webview/protocol';
import { REPO_ROOT } from '../../support/paths';

interface Keybinding {
  command: string;
  key: string;
  mac?: string;
  when?: string;
  args?: unknown;
}

const contributes = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).contributes as {
  commands: Array<{ command: string; title: string }>;
  keybindings: Keybinding[];
  menus: { commandPalette: Array<{ command: string; when: string }> };
};
const REVIEW = "activeWebviewPanelId == 'veil.review'";
const commandOf = (info: CommandInfo) => `veil.review.${info.id}`;

/** VS Code's names of the keys the catalog names as `KeyboardEvent.key` (a US layout: `+` is Shift+=, `?` Shift+/). */
const VSCODE_KEYS: Record<string, string> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Enter: 'enter',
  Escape: 'escape',
  Delete: 'delete',
  Backspace: 'backspace',
  PageUp: 'pageup',
  PageDown: 'pagedown',
  '+': 'shift+=',
  '?': 'shift+/',
  ' ': 'space',
  Home: 'home',
  End: 'end',
};

function vscodeKey(spec: KeySpec, shift: boolean, mac: boolean): string {
  const modifiers = [spec.ctrl && (mac ? 'cmd' : 'ctrl'), spec.alt && 'alt', shift && 'shift'].filter(Boolean);
  return [...modifiers, VSCODE_KEYS[spec.key] ?? spec.key.toLowerCase()].join('+');
}

/**
 * The focus places where the key reaches the review: inside the page, where no focused control takes it; a video
 * command's only while a video is shown (its binding comes after the image ones: it wins the keys they share).
 */
function whenFor(info: CommandInfo, spec: KeySpec): string {
  const places = FOCUS_PLACES.filter((place) => place !== 'outside' && !placeTakesKey(place, spec.key));
  const item = info.scope === 'video' ? " && veil.reviewItem == 'video'" : '';
  return `${REVIEW}${item} && veil.reviewFocus =~ /^(${places.join('|')})$/`;
}

/** The catalog's keys as keybindings. The nudges read Shift (10 px): each also has a `shift+` binding with `{ large: true }`. */
function expectedKeybindings(): Keybinding[] {
  return COMMANDS.flatMap((info) =>
    info.keys.flatMap((spec) => {
      const shiftVariants = info.group === 'Move and resize' ? [false, true] : [spec.shift === true];
      return shiftVariants.map((shift) => ({
        command: commandOf(info),
        key: vscodeKey(spec, shift, false),
        ...(spec.ctrl ? { mac: vscodeKey(spec, shift, true) } : {}),
        when: whenFor(info, spec),
        ...(info.group === 'Move and resize' && shift ? { args: { large: true } } : {}),
      }));
    }),
  );
}

describe('the review shortcuts are VS Code keybindings people can rebind (package.json)', () => {
  it('every action of the review is a command, in the palette only while a review is the active editor', () => {
    for (const info of COMMANDS) {
      const command = contributes.commands.find((candidate) => candidate.command === commandOf(info));
      assert.ok(command, `no command ${commandOf(info)}`);
      assert.equal(command.title, info.label);
      assert.deepEqual(contributes.menus.commandPalette.find((entry) => entry.command === commandOf(info))?.when, REVIEW, commandOf(info));
    }
  });

  it('every default key of the review is a keybinding of its action, scoped to the focused review panel', () => {
    const review = contributes.keybindings.filter((binding) => binding.command.startsWith('veil.review.'));
    assert.deepEqual(review, expectedKeybindings());
  });

  it("a video's key shared with an image command is bound after it: VS Code runs the last binding whose `when` holds", () => {
    const review = contributes.keybindings.filter((binding) => binding.command.startsWith('veil.review.'));
    const shared = review.filter((binding) => binding.when?.includes("veil.reviewItem == 'video'") && review.some((other) => other.key === binding.key && !other.when?.includes('veil.reviewItem')));
    assert.deepEqual(shared.map((binding) => binding.key).sort(), ['[', ']', 'a', 'delete', 'left', 'm', 'r', 'right', 'shift+left', 'shift+right', 'u'].sort());
    for (const binding of shared) {
      const last = review.filter((other) => other.key === binding.key).at(-1);
      assert.equal(last, binding, `${binding.key}: the video binding is not the last`);
    }
  });

  it('a keybinding steps aside where a control of the page takes its key, and outside the page', () => {
    const byKey = (key: string) => contributes.keybindings.filter((binding) => binding.key === key && binding.command.startsWith('veil.review.'));
    // The image list moves with its arrows and page keys; a button takes Enter; a picker takes letters.
    assert.deepEqual(byKey('down').map((binding) => binding.when), [`${REVIEW} && veil.reviewFocus =~ /^(stage|button)$/`]);
    assert.deepEqual(byKey('enter').map((binding) => binding.when), [`${REVIEW} && veil.reviewFocus =~ /^(stage|list)$/`]);
    assert.deepEqual(byKey('j').map((binding) => binding.when), [`${REVIEW} && veil.reviewFocus =~ /^(stage|list|button)$/`]);
    assert.deepEqual(byKey('escape').map((binding) => binding.when), [`${REVIEW} && veil.reviewFocus =~ /^(stage|list|button|field)$/`]);
    for (const binding of contributes.keybindings.filter((candidate) => candidate.command.startsWith('veil.review.'))) {
      assert.doesNotMatch(binding.when ?? '', /outside/, `${binding.key} runs outside the page`);
    }
  });
});
