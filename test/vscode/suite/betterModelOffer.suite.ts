/**
 * The offer to install the better model after a detection with the embedded one, inside a real extension host: it is
 * a status-bar item (which takes no focus), never a notification, quick pick or dialog until the person clicks it.
 * The suite runs first, with a Veil home of its own (`veil.daemon.home`) where YuNet is not installed: the offer is
 * made once per window, after its first detection with the embedded model.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ANSWER_OFFER_COMMAND, OFFER_ITEM_ID } from '../../../extension/betterModelOffer';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, sleep, veil, waitFor } from './hostHelpers';
import { answerPrompts } from './promptAnswers';
import { windowApi } from './windowSpies';

interface ItemSpy {
  items: Array<{ id: string | undefined; item: vscode.StatusBarItem; disposed: boolean }>;
  /** Every question and notification Veil put up: its kind and text. */
  shown: Array<{ kind: string; text: string }>;
  restore(): void;
}

/** Records the status-bar items Veil creates (and their disposal), and everything it shows that could take the focus. */
function spyOnStatusAndFocus(): ItemSpy {
  const originals = {
    createStatusBarItem: windowApi.createStatusBarItem,
    showInformationMessage: windowApi.showInformationMessage,
    showWarningMessage: windowApi.showWarningMessage,
    showErrorMessage: windowApi.showErrorMessage,
    showQuickPick: windowApi.showQuickPick,
    showInputBox: windowApi.showInputBox,
  };
  const spy: ItemSpy = { items: [], shown: [], restore: () => Object.assign(windowApi, originals) };
  windowApi.createStatusBarItem = ((...args: Parameters<typeof vscode.window.createStatusBarItem>) => {
    const item = (originals.createStatusBarItem as (...a: unknown[]) => vscode.StatusBarItem).apply(vscode.window, args);
    const recorded = { id: typeof args[0] === 'string' ? args[0] : undefined, item, disposed: false };
    const dispose = item.dispose.bind(item);
    item.dispose = () => {
      recorded.disposed = true;
      dispose();
    };
    spy.items.push(recorded);
    return item;
  }) as typeof vscode.window.createStatusBarItem;
  for (const kind of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'showQuickPick', 'showInputBox'] as const) {
    const original = originals[kind] as (...args: unknown[]) => Thenable<unknown>;
    (windowApi as Record<string, unknown>)[kind] = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === 'string' ? first : JSON.stringify((first as { title?: string } | undefined)?.title ?? args[1] ?? '');
      spy.shown.push({ kind, text });
      return original.apply(vscode.window, args);
    };
  }
  return spy;
}

export function betterModelOfferSuite(): void {
  describe('the offer of a better model, in the VS Code extension host', () => {
    const config = () => vscode.workspace.getConfiguration('veil');

    before(async () => {
      await veil().activate();
      await config().update('daemon.home', mkdtempSync(join(tmpdir(), 'veil-home-offer-')), vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('veil.restartDaemon');
    });

    after(async () => {
      await config().update('daemon.home', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('veil.restartDaemon');
    });

    it(HOST_TESTS.installOffer, async () => {
      const spy = spyOnStatusAndFocus();
      try {
        const first = await detectFaces(scratchFolder('veil-offer-', { 'a.jpg': 'astronaut.jpg' }));
        assert.equal(first.model, 'blazeface');
        const offer = await waitFor('the offer in the status bar', () => spy.items.find((recorded) => recorded.id === OFFER_ITEM_ID));
        assert.equal(offer.item.text, '$(sparkle) Install yunet?');
        assert.equal(offer.item.command, ANSWER_OFFER_COMMAND);
        const tooltip = offer.item.tooltip as vscode.MarkdownString;
        assert.match(tooltip.value, /found with the embedded blazeface/);
        assert.match(tooltip.value, /AP 73\.5 against 51\.2 .*\(84\.5 with Thorough\)/);
        for (const choice of ['Install', 'Not now', "Don't ask again"]) {
          assert.ok(tooltip.value.includes(`[${choice}](command:${ANSWER_OFFER_COMMAND}?${encodeURIComponent(JSON.stringify([choice]))})`), `no "${choice}" link in ${tooltip.value}`);
        }
        assert.deepEqual(tooltip.isTrusted, { enabledCommands: [ANSWER_OFFER_COMMAND] }, 'the tooltip may run other commands');
        await sleep(1_000); // anything else the offer would put up has arrived by now
        // Only the detection's own closing notification: nothing of the offer.
        assert.deepEqual(
          spy.shown.filter(({ kind, text }) => !(kind === 'showInformationMessage' && /faces proposed in 1 images/.test(text))),
          [],
          'the offer put up something that takes the focus',
        );

        // Clicked: it asks, in a quick pick the person opened; "Not now" takes the item away.
        const asked = answerPrompts({ picks: ['Not now'] });
        try {
          await vscode.commands.executeCommand(offer.item.command as string);
        } finally {
          asked.restore();
        }
        assert.equal(asked.picks.length, 1);
        assert.equal(asked.picks[0].title, 'Veil: the last faces were found with the embedded blazeface');
        assert.deepEqual(
          asked.picks[0].items.map((item) => item.label),
          ['$(cloud-download) Install yunet', '$(clock) Not now', "$(circle-slash) Don't ask again"],
        );
        assert.equal(offer.disposed, true, 'the offer stayed in the status bar after its answer');

        // Offered once: the next detection with the embedded model offers nothing.
        await detectFaces(scratchFolder('veil-offer-again-', { 'a.jpg': 'astronaut.jpg' }));
        await sleep(1_000);
        assert.deepEqual(spy.items.filter((recorded) => recorded.id === OFFER_ITEM_ID).length, 1, 'the offer was made again');
      } finally {
        spy.restore();
      }
    });
  });
}
