/**
 * After a detection with the embedded model (BlazeFace), Veil offers once to install the better installable model,
 * saying why with the measured numbers. At most once per window; "Don't ask again" and an install are remembered in
 * the global state for good, "Not now" (or closing the offer) for a week.
 */
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ModelInfo } from '../daemon/protocol';

/** Global-state key of the answer: {answer, at}. */
const ANSWER_KEY = 'veil.models.betterModelOffer';
/** How long "Not now" holds: a week is long enough not to nag, short enough that the offer is not forgotten. */
const NOT_NOW_MS = 7 * 24 * 60 * 60 * 1000;

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

export const OFFER_BUTTONS = { install: 'Install', notNow: 'Not now', never: "Don't ask again" } as const;

interface Answer {
  answer: 'installed' | 'never' | 'not-now';
  at: number;
}

export class BetterModelOffer {
  private offeredInThisWindow = false;

  constructor(
    private readonly memory: vscode.Memento,
    private readonly daemon: { client(): Promise<DaemonClient> },
  ) {}

  /** Called after a detection that used the model named `used`. */
  async afterDetection(used: string): Promise<void> {
    if (this.offeredInThisWindow || this.declined()) return;
    const models = await (await this.daemon.client()).request('models/list', {});
    const model = models.find((candidate) => candidate.name === used);
    if (model?.source !== 'npm') return;
    const better = models.filter((candidate) => candidate.source === 'installed' && candidate.hashStatus === 'missing' && candidate.rank > model.rank).sort((a, b) => b.rank - a.rank)[0];
    if (!better) return;
    this.offeredInThisWindow = true;
    const why = WHY[better.name] ?? `${better.name} ranks above the embedded ${model.name} in Veil's model manifest.`;
    const choice = await vscode.window.showInformationMessage(
      `Veil: these faces were found with the embedded ${model.name}. ${why} Install ${better.name}? It is one download (its sha256 is pinned); "Veil: Manage Models…" installs it later too.`,
      OFFER_BUTTONS.install,
      OFFER_BUTTONS.notNow,
      OFFER_BUTTONS.never,
    );
    if (choice !== OFFER_BUTTONS.install) return this.remember(choice === OFFER_BUTTONS.never ? 'never' : 'not-now');
    // Through the command: a failed or cancelled install is shown (or not) like any other, and offered again later.
    const installed = await vscode.commands.executeCommand<ModelInfo | undefined>('veil.installModel', better.name);
    await this.remember(installed ? 'installed' : 'not-now');
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
