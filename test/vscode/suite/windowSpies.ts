/**
 * Spies on what Veil shows through `vscode.window`: progress notifications, error messages, webview messages.
 * VS Code hands one API object to each extension, and this suite is loaded from the extension's own folder, so
 * replacing a function of `vscode.window` here replaces it for Veil too. Each spy restores the original.
 */
import * as vscode from 'vscode';

export type WindowApi = typeof vscode.window;
/** `vscode.window` with its functions replaceable (each spy puts the original back). */
export const windowApi = vscode.window as { -readonly [K in keyof WindowApi]: WindowApi[K] };

export interface ProgressSpy {
  titles: string[];
  reports: Array<{ message?: string; increment?: number }>;
  restore(): void;
}

/**
 * Records the progress Veil's commands report; with `cancel`, the command gets that token instead of the
 * notification's Cancel button (which a test cannot click).
 */
export function spyOnProgress(cancel?: vscode.CancellationToken): ProgressSpy {
  const original = windowApi.withProgress;
  const spy: ProgressSpy = { titles: [], reports: [], restore: () => (windowApi.withProgress = original) };
  const withProgress = original.bind(vscode.window);
  windowApi.withProgress = (options, task) =>
    withProgress(options, (progress, token) => {
      spy.titles.push(options.title ?? '');
      const recording = {
        report(value: { message?: string; increment?: number }) {
          spy.reports.push(value);
          progress.report(value);
        },
      };
      return task(recording, cancel ?? token);
    });
  return spy;
}

export interface ErrorSpy {
  messages: string[];
  restore(): void;
}

/** Records the error notifications Veil shows. */
export function spyOnErrors(): ErrorSpy {
  const original = windowApi.showErrorMessage;
  const spy: ErrorSpy = { messages: [], restore: () => (windowApi.showErrorMessage = original) };
  windowApi.showErrorMessage = ((message: string, ...rest: never[]) => {
    spy.messages.push(message);
    return (original as (...args: unknown[]) => Thenable<unknown>).call(vscode.window, message, ...rest);
  }) as WindowApi['showErrorMessage'];
  return spy;
}

export interface WebviewSpy {
  /** The `type` of every message posted to the webviews created while the spy was on. */
  posted: string[];
  panels: vscode.WebviewPanel[];
  /** Stops recording new panels (messages to those already created keep being recorded). */
  restore(): void;
}

/** Records the messages Veil posts to the webview panels it creates while the spy is on. */
export function spyOnWebviews(): WebviewSpy {
  const original = windowApi.createWebviewPanel;
  const spy: WebviewSpy = { posted: [], panels: [], restore: () => (windowApi.createWebviewPanel = original) };
  windowApi.createWebviewPanel = (...args) => {
    const panel = original.apply(vscode.window, args);
    const post = panel.webview.postMessage.bind(panel.webview);
    panel.webview.postMessage = (message: unknown) => {
      spy.posted.push(String((message as { type?: unknown } | undefined)?.type));
      return post(message);
    };
    spy.panels.push(panel);
    return panel;
  };
  return spy;
}

export interface DialogAnswers {
  /** The questions Veil asked with a warning (its modal confirmations). */
  warnings: string[];
  restore(): void;
}

/**
 * Answers the dialogs a test cannot click: the folder picker with `folder`, a warning's question with the first of
 * `warningChoices` among its buttons, an input box with `input`.
 */
export function answerDialogs(answers: { folder?: vscode.Uri; warningChoices?: string[]; input?: string }): DialogAnswers {
  const originals = { showOpenDialog: windowApi.showOpenDialog, showWarningMessage: windowApi.showWarningMessage, showInputBox: windowApi.showInputBox };
  const spy: DialogAnswers = { warnings: [], restore: () => Object.assign(windowApi, originals) };
  windowApi.showOpenDialog = async () => (answers.folder ? [answers.folder] : undefined);
  windowApi.showWarningMessage = (async (message: string, ...rest: unknown[]) => {
    spy.warnings.push(message);
    const buttons = rest.filter((item): item is string => typeof item === 'string');
    return answers.warningChoices?.find((choice) => buttons.includes(choice));
  }) as WindowApi['showWarningMessage'];
  windowApi.showInputBox = async () => answers.input;
  return spy;
}
