/** Driving the real workbench page as a person would: the command palette, notifications, the theme, webviews. */
import { join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { SCREENSHOTS, type Workbench } from './workbench';

/** The quick input's text field and its rows: the command palette's, and those of a pick a command opens. */
export const PALETTE_INPUT = '.quick-input-widget input';
export const PALETTE_ROW = '.quick-input-list .monaco-list-row';

/**
 * Runs a command by its palette title ("Veil: Detect Faces in Folder"). An extension's commands appear in the
 * palette a moment after the workbench renders, so the palette is reopened until the title is listed.
 */
export async function runFromPalette(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    // Under load the palette may not open on the first F1 (seen in CI with the walkthrough in front): try again
    // instead of waiting out fill()'s 30 s on an input that is not there.
    const input = page.locator(PALETTE_INPUT);
    const opened = await input.waitFor({ state: 'visible', timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    // A palette that was closing when F1 came (a command just picked in it) hides under the fill: open it again.
    const filled =
      opened &&
      (await input.fill(`>${title}`, { timeout: 5_000 }).then(
        () => true,
        () => false,
      ));
    if (!filled) {
      if (Date.now() > deadline) throw new Error(`the command palette did not open within ${timeoutMs / 1000} s`);
      await page.keyboard.press('Escape');
      continue;
    }
    const row = page.locator(PALETTE_ROW, { hasText: title }).first();
    const listed = await row.waitFor({ timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (listed) return row.click();
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`"${title}" did not appear in the command palette within ${timeoutMs / 1000} s`);
  }
}

/** The first row of the side bar's lists (the Veil view's, the Explorer's) that contains `text`. */
export function sideBarRow(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}

/** Expands the side bar's row that contains `text` (unless it is) and waits until it shows expanded. */
export async function expandSideBarRow(page: Page, text: string | RegExp): Promise<void> {
  const target = sideBarRow(page, text);
  if ((await target.getAttribute('aria-expanded')) !== 'true') await target.click();
  await page.locator('.part.sidebar .monaco-list-row[aria-expanded="true"]', { hasText: text }).first().waitFor({ timeout: 10_000 });
}

/**
 * Runs `action` from the context menu of `row` (an Explorer or Veil view item). An extension's menu items are there a
 * moment after the workbench renders: the menu is opened again until the action is listed.
 */
export async function runFromContextMenu(page: Page, row: Locator, action: string): Promise<void> {
  const item = page.locator('.context-view .monaco-menu').getByText(action, { exact: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    await row.click({ button: 'right' });
    const listed = await item.waitFor({ timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (listed) {
      // Pointed at and chosen with Enter, not clicked: a click while the menu fades in is lost, and a click on the
      // menu's last item ("Exclude from Commit…", under "Review in Veil") was lost every time in the fresh-clone CI
      // while hover + Enter ran it. An Escape only for a menu still there: it would cancel the command's own input box.
      await item.hover();
      await page.keyboard.press('Enter');
      const ran = await item.waitFor({ state: 'hidden', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (ran) return;
    }
    if (listed && !(await item.isVisible())) return;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`"${action}" did not appear in the context menu of ${await row.innerText().catch(() => 'the row')} within 30 s`);
  }
}

export interface NotificationOptions {
  timeoutMs?: number;
  /** Called while the notification center shows the notification (for a screenshot), before it is cleared. */
  whileShown?: () => Promise<void>;
}

/**
 * The text of the notification that contains `text`, read in the notification center: a window with the smoke-test
 * driver (needed to load Veil from the checkout) shows no toasts (code-server 4.139's NotificationsToasts.addToast).
 */
export async function notificationText(page: Page, text: string, { timeoutMs = 60_000, whileShown }: NotificationOptions = {}): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  for (;;) {
    await runFromPalette(page, 'Notifications: Show Notifications');
    const shown = await item.waitFor({ timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (shown) {
      const message = await item.innerText();
      await whileShown?.();
      await runFromPalette(page, 'Notifications: Clear All Notifications');
      return message;
    }
    if (Date.now() > deadline) throw new Error(`no notification saying "${text}" within ${timeoutMs / 1000} s`);
  }
}

/** The content of the active webview editor (VS Code nests it in two iframes). */
export function activeWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').frameLocator('#active-frame');
}

/** Picks a color theme with "Preferences: Color Theme" and waits until the workbench wears it. */
export async function pickColorTheme(page: Page, theme: string, kind: 'vs' | 'vs-dark'): Promise<void> {
  await runFromPalette(page, 'Preferences: Color Theme');
  await page.locator(PALETTE_INPUT).fill(theme);
  await page.locator(PALETTE_ROW, { hasText: theme }).first().click();
  await page.locator(`.monaco-workbench.${kind}`).waitFor({ timeout: 30_000 });
}

/** Runs "Veil: Detect Faces in Folder" and reads its closing notification: "<faces> faces proposed in <images> images". */
export async function detectFromPalette(page: Page): Promise<{ faces: number; images: number; message: string }> {
  await runFromPalette(page, 'Veil: Detect Faces in Folder');
  const message = await notificationText(page, 'faces proposed');
  const match = /(\d+) faces proposed in (\d+) images/.exec(message);
  if (!match) throw new Error(`unexpected notification: ${message}`);
  return { faces: Number(match[1]), images: Number(match[2]), message };
}

const THEMES = {
  // By their current names: VS Code rewrites the older "Default Dark Modern" in a settings file it reads.
  dark: { setting: 'Dark Modern', workbench: 'vs-dark', webview: 'vscode-dark' },
  light: { setting: 'Light Modern', workbench: 'vs', webview: 'vscode-light' },
} as const;
export type ThemeKind = keyof typeof THEMES;

/** Whether a frame's iframe (and the iframes around it) are shown: a webview of a hidden editor is in the DOM too. */
async function frameShown(frame: Frame): Promise<boolean> {
  for (let current: Frame | null = frame; current?.parentFrame(); current = current.parentFrame()) {
    const element = await current.frameElement().catch(() => undefined);
    if (!element || !(await element.isVisible())) return false;
  }
  return true;
}

/** The body classes of the shown webviews' documents (VS Code marks a webview's body vscode-dark or vscode-light). */
async function shownWebviewThemes(page: Page): Promise<string[]> {
  const themes: string[] = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || !(await frameShown(frame))) continue;
    const classes = await frame.evaluate(() => document.body?.className ?? '').catch(() => '');
    const theme = /vscode-(dark|light|high-contrast)/.exec(classes)?.[0];
    if (theme) themes.push(theme);
  }
  return themes;
}

/**
 * Switches the color theme in the folder's settings, as a person editing them does (a quick input or modal dialog that
 * is open stays open, unlike with "Preferences: Color Theme"), and waits until the workbench and each shown webview
 * wear it.
 */
export async function wearTheme(workbench: Workbench, theme: ThemeKind): Promise<void> {
  const { setting, workbench: kind, webview } = THEMES[theme];
  workbench.updateFolderSettings({ 'workbench.colorTheme': setting });
  await workbench.page.locator(`.monaco-workbench.${kind}`).waitFor({ timeout: 30_000 });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const themes = await shownWebviewThemes(workbench.page);
    if (themes.every((shown) => shown === webview)) return;
    if (Date.now() > deadline) throw new Error(`webviews still wear ${themes.join(', ')} 10 s after the switch to ${setting}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Screenshots of the window as it is now in both themes, `<name>-dark.png` and `<name>-light.png` in SCREENSHOTS:
 * taken in the dark theme, switched to the light one and back (the same state, in each theme).
 */
export async function screenshotBothThemes(workbench: Workbench, name: string): Promise<void> {
  await wearTheme(workbench, 'dark');
  await workbench.page.screenshot({ path: join(SCREENSHOTS, `${name}-dark.png`) });
  await wearTheme(workbench, 'light');
  await workbench.page.screenshot({ path: join(SCREENSHOTS, `${name}-light.png`) });
  await wearTheme(workbench, 'dark');
}

/** The quick input (palette, pick, input box, VS Code's own file dialog) that contains `text`. */
export function quickInput(page: Page, text: string | RegExp): Locator {
  return page.locator('.quick-input-widget', { hasText: text });
}

/**
 * Types `path` into VS Code's own file dialog titled `title` (the browser's open and save dialogs are quick inputs) and
 * presses its button. The box is typed into once the dialog has listed its starting folder: it sets the box itself
 * until then.
 */
export async function answerFileDialog(page: Page, title: string, path: string, button: string): Promise<void> {
  const dialog = quickInput(page, title);
  await dialog.locator('.monaco-list-row', { hasText: '..' }).first().waitFor({ timeout: 30_000 });
  await dialog.locator('input').fill(path);
  if ((await dialog.locator('input').inputValue()) !== path) throw new Error(`the file dialog's box holds ${await dialog.locator('input').inputValue()}, not ${path}`);
  await dialog.getByRole('button', { name: button }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
}

/** Types `text` into the input box titled `title`; `beforeEnter` runs with the text typed (for a screenshot), then Enter. */
export async function answerInputBox(page: Page, title: string | RegExp, text: string, beforeEnter?: () => Promise<void>): Promise<void> {
  const input = quickInput(page, title).locator('input');
  await input.waitFor({ timeout: 30_000 });
  await input.fill(text);
  await beforeEnter?.();
  await input.press('Enter');
}

export interface RevealAnswers {
  /** The committed image, as the pick lists it. */
  file: string;
  identity: string;
  /** Typed when the key asks for it. */
  passphrase?: string;
  purpose: string;
  /** Runs with the purpose typed, before it is confirmed (for a screenshot). */
  beforePurposeConfirmed?: () => Promise<void>;
}

/**
 * "Veil: Reveal Original" from the palette, answered as a key holder does: the committed image picked, the key chosen
 * in the file dialog, its passphrase when it has one, the purpose of the opening in words (asked last, just before
 * the opening, in an input box while the dataset's policy lists no purposes). Returns the image preview's image.
 */
export async function revealOriginalFromPalette(page: Page, answers: RevealAnswers): Promise<Locator> {
  await runFromPalette(page, 'Veil: Reveal Original');
  await quickInput(page, 'committed image whose original to reveal').locator('.monaco-list-row', { hasText: answers.file }).first().click();
  await answerFileDialog(page, 'the key (identity file)', answers.identity, 'Use Key');
  if (answers.passphrase !== undefined) await answerInputBox(page, 'passphrase of the key', answers.passphrase);
  await answerInputBox(page, `Purpose of opening ${answers.file}`, answers.purpose, answers.beforePurposeConfirmed);
  await page.locator('.tabs-container .tab.active', { hasText: answers.file }).waitFor({ timeout: 60_000 });
  // VS Code's image preview: the webview shown now (another one, such as the review's, is hidden behind it).
  const preview = page.frameLocator('iframe.webview:visible').frameLocator('#active-frame').locator('img');
  await preview.waitFor({ timeout: 60_000 });
  return preview;
}

/** The size of an image element's picture, once it has loaded. */
export function loadedSize(image: Locator): Promise<{ width: number; height: number }> {
  return image.evaluate(async (element: HTMLImageElement) => {
    if (!element.complete) await new Promise((resolve) => element.addEventListener('load', resolve, { once: true }));
    return { width: element.naturalWidth, height: element.naturalHeight };
  });
}
