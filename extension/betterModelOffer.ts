/**
 * After a detection with the embedded model (BlazeFace), Veil offers once to install the better installable model,
 * saying why with the measured numbers. The offer is a status-bar item, never a notification: a notification that
 * appeared when a detection ended took the keyboard focus from the Explorer's context menu the person had opened
 * (the workbench journeys found it), and VS Code has no notification that stays out of the focus order. A status-bar
 * item takes no focus; its tooltip says why, with the answers as links, and a click asks in a quick pick the person
 * opened. At most once per window; the offer counts as "Not now" (asked again after a week) until it is answered,
 * "Don't ask again" and an install are remembered in the global state for good.
 */
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ModelInfo } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';

/** Global-state key of the answer: {answer, at}. */
const ANSWER_KEY = 'veil.models.betterModelOffer';
/** How long "Not now" holds: a week is long enough not to nag, short enough that the offer is not forgotten. */
const NOT_NOW_MS = 7 * 24 * 60 * 60 * 1000;
/** The status-bar item's id: VS Code remembers a person's choice to hide it under this id. */
export const OFFER_ITEM_ID = 'veil.betterModelOffer';
/** Answers the offer: with one of OFFER_CHOICES (the tooltip's links), or with none (a click: a quick pick asks). */
export const ANSWER_OFFER_COMMAND = 'veil.answerModelOffer';

/**
 * Why, per installable model, with the README's numbers ("Benchmarks" → "Detection", bench/detect.ts on the shared
 * face sets): AP on wider-dev, recall of faces ≥ 96 px over the three sets, images a second with decoding on the
 * 2-core development machine.
 */
const WHY: Record<string, string> = {
  yunet:
    'YuNet finds more faces: AP 73.5 against 51.2 for the embedded BlazeFace on WIDER FACE validation images (84.5 with Thorough), ' +
    'all 36 large faces of the test sets against 35, and it runs about 10× faster (171 against 16.6 images a second).',
};

export const OFFER_CHOICES = { install: 'Install', notNow: 'Not now', never: "Don't ask again" } as const;
type Choice = (typeof OFFER_CHOICES)[keyof typeof OFFER_CHOICES];

interface Answer {
  answer: 'installed' | 'never' | 'not-now';
  at: number;
}

interface Offer {
  embedded: ModelInfo;
  better: ModelInfo;
  why: string;
}

function isChoice(value: unknown): value is Choice {
  return Object.values(OFFER_CHOICES).includes(value as Choice);
}

function commandLink(choice: Choice): string {
  return `[${choice}](command:${ANSWER_OFFER_COMMAND}?${encodeURIComponent(JSON.stringify([choice]))})`;
}

function tooltip({ embedded, better, why }: Offer): vscode.MarkdownString {
  const text = new vscode.MarkdownString(
    [
      `**Veil: the last faces were found with the embedded ${embedded.name}.**`,
      why,
      `Install ${better.name}? It is one download (its sha256 is pinned); *Veil: Manage Models…* installs it later too.`,
      Object.values(OFFER_CHOICES).map(commandLink).join(' · '),
    ].join('\n\n'),
  );
  text.isTrusted = { enabledCommands: [ANSWER_OFFER_COMMAND] };
  return text;
}

export class BetterModelOffer {
  private offeredInThisWindow = false;
  private shown: { item: vscode.StatusBarItem; offer: Offer } | undefined;

  constructor(
    private readonly memory: vscode.Memento,
    private readonly daemon: { client(): Promise<DaemonClient> },
    host: CommandHost,
  ) {
    registerVeilCommand(host, ANSWER_OFFER_COMMAND, (choice) => this.answer(choice));
    host.scope.add({ dispose: () => this.hide() });
  }

  /** Called after a detection that used the model named `used`. */
  async afterDetection(used: string): Promise<void> {
    if (this.offeredInThisWindow || this.declined()) return;
    const offer = await this.find(used);
    if (!offer || this.offeredInThisWindow) return;
    this.offeredInThisWindow = true;
    await this.remember('not-now');
    const item = vscode.window.createStatusBarItem(OFFER_ITEM_ID, vscode.StatusBarAlignment.Left);
    item.name = 'Veil: a better face model';
    item.text = `$(sparkle) Install ${offer.better.name}?`;
    item.tooltip = tooltip(offer);
    item.command = ANSWER_OFFER_COMMAND;
    item.accessibilityInformation = { label: `Veil offers to install ${offer.better.name}. ${offer.why}` };
    item.show();
    this.shown = { item, offer };
  }

  /** The better model to offer after a detection with `used`: only after the embedded model, only one not installed. */
  private async find(used: string): Promise<Offer | undefined> {
    const models = await (await this.daemon.client()).request('models/list', {});
    const embedded = models.find((candidate) => candidate.name === used);
    if (embedded?.source !== 'npm') return undefined;
    const better = models.filter((candidate) => candidate.source === 'installed' && candidate.hashStatus === 'missing' && candidate.rank > embedded.rank).sort((a, b) => b.rank - a.rank)[0];
    if (!better) return undefined;
    return { embedded, better, why: WHY[better.name] ?? `${better.name} ranks above the embedded ${embedded.name} in Veil's model manifest.` };
  }

  /** The person's answer (asked now when the offer's item was clicked); the installed model, when they chose to install it. */
  private async answer(given: unknown): Promise<ModelInfo | undefined> {
    const shown = this.shown;
    if (!shown) return undefined;
    const choice = isChoice(given) ? given : await this.ask(shown.offer);
    if (!choice) return undefined; // Escape: the offer stays in the status bar
    this.hide();
    if (choice !== OFFER_CHOICES.install) {
      await this.remember(choice === OFFER_CHOICES.never ? 'never' : 'not-now');
      return undefined;
    }
    // Through the command: a failed or cancelled install is shown (or not) like any other, and offered again later.
    const installed = await vscode.commands.executeCommand<ModelInfo | undefined>('veil.installModel', shown.offer.better.name);
    await this.remember(installed ? 'installed' : 'not-now');
    return installed;
  }

  private async ask({ embedded, better, why }: Offer): Promise<Choice | undefined> {
    const items: Array<vscode.QuickPickItem & { choice: Choice }> = [
      { label: `$(cloud-download) Install ${better.name}`, description: 'one download; its sha256 is pinned', detail: why, choice: OFFER_CHOICES.install },
      { label: '$(clock) Not now', description: 'asked again after a week', choice: OFFER_CHOICES.notNow },
      { label: "$(circle-slash) Don't ask again", description: '"Veil: Manage Models…" installs it any time', choice: OFFER_CHOICES.never },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Veil: the last faces were found with the embedded ${embedded.name}`, placeHolder: `Install ${better.name}?` });
    return picked?.choice;
  }

  private hide(): void {
    this.shown?.item.dispose();
    this.shown = undefined;
  }

  private declined(): boolean {
    const last = this.memory.get<Answer>(ANSWER_KEY);
    if (!last) return false;
    return last.answer !== 'not-now' || Date.now() - last.at < NOT_NOW_MS;
  }

  private remember(answer: Answer['answer']): Thenable<void> {
    return this.memory.update(ANSWER_KEY, { answer, at: Date.now() } satisfies Answer);
  }
}
