/**
 * The review's shortcuts as VS Code keybindings (`contributes.keybindings`), so that people can rebind them in
 * Keyboard Shortcuts: every action of the review (webview/commandCatalog.ts) is a command `veil.review.<action>`,
 * forwarded to the active review panel, whose webview runs it. The webview runs no shortcut of its own in VS Code
 * (it would run twice: VS Code sees every key pressed in a webview).
 *
 * The keybindings are scoped to the review (`activeWebviewPanelId == 'veil.review'`) and to where the focus is in
 * it: the webview reports its focus place (`focus/changed`), kept here in the `veil.reviewFocus` context key, and each
 * keybinding's `when` clause steps aside where the focused control takes the key (the image list its arrows, a picker
 * its letters, a button Enter) or the focus is outside the page (the Explorer's own letters).
 */
import * as vscode from 'vscode';
import { COMMANDS, type CommandId } from '../webview/commandCatalog';
import type { FocusPlace } from '../webview/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';

const REVIEW_FOCUS_CONTEXT = 'veil.reviewFocus';
/** What the focused review shows: `image` or `video` (the video keybindings, catalog scope `video`, need `video`). */
const REVIEW_ITEM_CONTEXT = 'veil.reviewItem';

export type ReviewItemKind = 'image' | 'video';

/** What a review action is sent to: the review panel VS Code shows as the active editor. */
export interface ReviewActionTarget {
  postAction(action: CommandId, large: boolean): void;
}

function reviewCommandId(action: CommandId): string {
  return `veil.review.${action}`;
}

export function registerReviewKeybindings(host: CommandHost, activePanel: () => ReviewActionTarget | undefined): void {
  for (const { id } of COMMANDS) {
    // `large`: the keybinding's args of the Shift variants of the nudges (10 px instead of 1).
    registerVeilCommand(host, reviewCommandId(id), async (args) => activePanel()?.postAction(id, isLargeStep(args)));
  }
}

function isLargeStep(args: unknown): boolean {
  return typeof args === 'object' && args !== null && (args as { large?: unknown }).large === true;
}

/** The panel whose webview reported the focus last. */
let focusOwner: object | undefined;
/** What each panel shows (set when it opens an image or a video). */
const itemKinds = new WeakMap<object, ReviewItemKind>();
let itemShown: ReviewItemKind | undefined;

/** Keeps `veil.reviewItem` on what the focused review panel shows. */
function showItemOf(panel: object): void {
  const kind = itemKinds.get(panel) ?? 'image';
  if (kind === itemShown) return;
  itemShown = kind;
  void vscode.commands.executeCommand('setContext', REVIEW_ITEM_CONTEXT, kind);
}

/** A review panel now shows an image or a video: the keys of the one the focus is in follow. */
export function setReviewItem(panel: object, kind: ReviewItemKind): void {
  itemKinds.set(panel, kind);
  if (focusOwner === undefined || focusOwner === panel) showItemOf(panel);
}

/**
 * A review webview says where its focus is. An `outside` counts only from the panel that had the focus: when it moves
 * from one review to another, the second may report before the first.
 */
export function setReviewFocus(panel: object, place: FocusPlace): void {
  if (place === 'outside' && focusOwner !== panel) return;
  focusOwner = panel;
  showItemOf(panel);
  void vscode.commands.executeCommand('setContext', REVIEW_FOCUS_CONTEXT, place);
}
