/**
 * Answers the questions Veil asks through `vscode.window` that a test cannot click: save and open dialogs, input boxes
 * (each answer must pass the box's own validation, as a typed one would), quick picks (the first item whose label holds
 * the text), information messages (a button by the message's words). Everything asked is recorded.
 */
import * as vscode from 'vscode';
import { windowApi } from './windowSpies';

export interface PromptScript {
  save?: vscode.Uri;
  open?: vscode.Uri;
  /** Typed into the input boxes, in order. */
  inputs?: string[];
  /** Picked in the quick picks, in order: text the item's label contains. */
  picks?: string[];
  /** The button pressed on an information message matching `when`; other messages are left unanswered. */
  information?: Array<{ when: RegExp; press: string }>;
}

export interface PickShown {
  title: string | undefined;
  items: Array<{ label: string; description?: string }>;
}

export interface PromptLog {
  inputTitles: string[];
  picks: PickShown[];
  information: Array<{ message: string; buttons: string[] }>;
  /** What went against the script: an answer a box refused, a pick with no such item, a question not scripted. */
  problems: string[];
  restore(): void;
}

type Item = string | vscode.QuickPickItem;

function labelOf(item: Item): string {
  return typeof item === 'string' ? item : item.label;
}

export function answerPrompts(script: PromptScript): PromptLog {
  const inputs = [...(script.inputs ?? [])];
  const picks = [...(script.picks ?? [])];
  const originals = {
    showSaveDialog: windowApi.showSaveDialog,
    showOpenDialog: windowApi.showOpenDialog,
    showInputBox: windowApi.showInputBox,
    showQuickPick: windowApi.showQuickPick,
    showInformationMessage: windowApi.showInformationMessage,
  };
  const log: PromptLog = { inputTitles: [], picks: [], information: [], problems: [], restore: () => Object.assign(windowApi, originals) };
  windowApi.showSaveDialog = async () => script.save;
  windowApi.showOpenDialog = async () => (script.open ? [script.open] : undefined);
  windowApi.showInputBox = async (options?: vscode.InputBoxOptions) => {
    log.inputTitles.push(options?.title ?? '');
    const typed = inputs.shift();
    if (typed === undefined) return undefined;
    const refusal = await options?.validateInput?.(typed);
    if (refusal) {
      log.problems.push(`"${options?.title}" refused "${typed}": ${typeof refusal === 'string' ? refusal : refusal.message}`);
      return undefined;
    }
    return typed;
  };
  windowApi.showQuickPick = (async (items: readonly Item[] | Thenable<readonly Item[]>, options?: vscode.QuickPickOptions) => {
    const listed = (await items).filter((item) => typeof item === 'string' || item.kind !== vscode.QuickPickItemKind.Separator);
    log.picks.push({ title: options?.title, items: listed.map((item) => (typeof item === 'string' ? { label: item } : { label: item.label, description: item.description })) });
    const wanted = picks.shift();
    if (wanted === undefined) return undefined;
    const chosen = listed.find((item) => labelOf(item).includes(wanted));
    if (!chosen) log.problems.push(`"${options?.title}" has no item "${wanted}": ${listed.map(labelOf).join(' | ')}`);
    return chosen;
  }) as typeof windowApi.showQuickPick;
  windowApi.showInformationMessage = (async (message: string, ...rest: unknown[]) => {
    const buttons = rest.filter((item): item is string => typeof item === 'string');
    log.information.push({ message, buttons });
    return script.information?.find((answer) => answer.when.test(message))?.press;
  }) as typeof windowApi.showInformationMessage;
  return log;
}
