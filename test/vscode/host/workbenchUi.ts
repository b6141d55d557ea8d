/** Driving the real workbench page as a person would: the command palette, notifications, the theme, webviews. */
import type { FrameLocator, Page } from 'playwright-core';

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
    if (!opened) {
      if (Date.now() > deadline) throw new Error(`the command palette did not open within ${timeoutMs / 1000} s`);
      await page.keyboard.press('Escape');
      continue;
    }
    await input.fill(`>${title}`, { timeout: 5_000 });
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

/** The text of the notification that contains `text`, read in the notification center (toasts hide themselves). */
export async function notificationText(page: Page, text: string, timeoutMs = 60_000): Promise<string> {
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
