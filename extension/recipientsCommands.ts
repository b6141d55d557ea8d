/**
 * The editor's `veil recipients list|add|remove|rotate`: who can open a dataset's originals, and changing it.
 * "Manage Recipients…" lists them (`recipients/list`: each with the originals it opens, former ones too) and leads to
 * the changes; "Add Recipient…", "Remove Recipient…" and "Rotate File Keys…" each ask first (what the change does
 * and what it cannot undo), then an identity that opens the originals, and run under a cancellable progress
 * notification: every original is re-encrypted under a new file key, and a cancelled or interrupted change is
 * finished by running it again (commits are refused until then).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { RecipientChange, RecipientOpens, RecipientsChangeResult, RecipientsListResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';
import { askIdentity } from './identityPrompt';
import { withDaemonProgress } from './progressNotification';

interface RecipientsDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  /** The global state: the identity file used last. */
  memory: vscode.Memento;
  /** Told after each change, which the audit log now records. */
  onAudited: (root: string) => void;
}

/** What cannot be undone by removing a key or rotating: said before the change and after it, as the CLI does. */
const NOT_RECALLED = 'Copies taken before (backups, opened originals, old copies of the vault) still open with the keys they were encrypted to: they cannot be recalled.';

const CHANGE_TITLES: Record<RecipientChange, string> = { add: 'adding', remove: 'removing', rotate: 'rotating the file keys of' };
/** Each change's command: (dataset target, recipient) — the recipient is asked for when it is not given. */
const CHANGE_COMMANDS: Record<RecipientChange, string> = { add: 'veil.addRecipient', remove: 'veil.removeRecipient', rotate: 'veil.rotateRecipients' };

/** The dataset root a command acts on (a Veil view item, a folder, the open review, or asked); undefined: cancelled. */
async function datasetRoot(target: unknown, index: DatasetIndex, verb: string): Promise<string | undefined> {
  const folder = await resolveDatasetFolder(target, verb);
  return folder && (index.rootOf(folder) ?? folder);
}

/** A recipient in a quick pick: the originals it opens beside it (short: a recipient is 62 characters), the rest below. */
function recipientWords({ listed, opens, roles }: RecipientOpens, objects: number): { description: string; detail: string } {
  const where = listed ? 'commits encrypt to it' : 'former: commits no longer encrypt to it';
  return { description: `opens ${opens} of ${objects} originals`, detail: [where, ...(roles.length > 0 ? [`roles: ${roles.join(', ')}`] : [])].join(' · ') };
}

/** Everything the list says besides the recipients: objects without a record, former recipients, an unfinished change. */
function listNotes(list: RecipientsListResult): string[] {
  return [
    ...(list.unknown > 0 ? [`${list.unknown} original(s) have no record of their recipients (written before Veil kept one): Rotate File Keys re-encrypts and records them.`] : []),
    ...(list.recipients.some((entry) => !entry.listed && entry.opens > 0) ? ['A former recipient still opens originals: Rotate File Keys re-encrypts them to the current recipients only.'] : []),
    ...(list.unfinished ? [`A change of recipients (${list.unfinished.change}${list.unfinished.recipient ? ` ${list.unfinished.recipient}` : ''}) was interrupted: run it again to finish it; commits are refused until then.`] : []),
  ];
}

/** The change's question: what it does, and (for remove and rotate) what it cannot undo. */
function question(change: RecipientChange, root: string, objects: number, recipient?: string): { message: string; detail: string; button: string } {
  const originals = `every original of ${basename(root)} (${objects})`;
  switch (change) {
    case 'add':
      return {
        message: `Add ${recipient} as a recipient of ${basename(root)}?`,
        detail: `Its key will open ${originals} and those of later commits: each is re-encrypted under a new file key. Needs a key that opens them now.`,
        button: 'Add Recipient',
      };
    case 'remove':
      return {
        message: `Remove ${recipient} from the recipients of ${basename(root)}?`,
        detail: `Its key will open none of ${originals}: each is re-encrypted under a new file key without it. ${NOT_RECALLED} Needs a key that opens them now.`,
        button: 'Remove Recipient',
      };
    case 'rotate':
      return {
        message: `Re-encrypt ${originals} under new file keys?`,
        detail: `Each is encrypted again to the current recipients only (a former recipient loses access). ${NOT_RECALLED} Needs a key that opens them now.`,
        button: 'Rotate File Keys',
      };
  }
}

function resultMessage(result: RecipientsChangeResult): { text: string; failed: boolean } {
  const parts = result.changes.map((outcome) => {
    const what = outcome.change === 'rotate' ? 'new file keys for every original' : `${outcome.change === 'add' ? 'added' : 'removed'} ${outcome.recipient}`;
    const failed = outcome.failures.length > 0 ? ` ${outcome.failures.length} keep their old recipients (see the log)` : '';
    return `${outcome.resumed ? 'finished an interrupted change: ' : ''}${what}: ${outcome.reencrypted} of ${outcome.objects} original(s) re-encrypted now.${failed}`;
  });
  if (parts.length === 0) parts.push('nothing to do: every original is already encrypted to the recipients as asked.');
  if (result.cancelled) parts.push('Cancelled: run the same command again to finish (commits are refused until then).');
  return { text: `Veil: ${parts.join(' ')} Recipients now: ${result.recipients.length}.`, failed: result.cancelled || result.changes.some((outcome) => outcome.failures.length > 0) };
}

export function registerRecipientsCommands(deps: RecipientsDeps): void {
  /** Asks, then runs `change` (a rewrap of every original) with progress; undefined when the person cancelled a question. */
  async function change(root: string, kind: RecipientChange, recipient?: string): Promise<RecipientsChangeResult | undefined> {
    const client = await deps.supervisor.client();
    const { objects } = await client.request('recipients/list', { root });
    const asked = question(kind, root, objects, recipient);
    const confirmed = await vscode.window.showWarningMessage(asked.message, { modal: true, detail: asked.detail }, asked.button);
    if (confirmed !== asked.button) return undefined;
    const unlocked = await askIdentity(client, deps.memory, `Veil: a key (identity file) that opens the originals of ${basename(root)} now`);
    if (!unlocked) return undefined;
    const params = { root, ...unlocked };
    const result = await withDaemonProgress(
      deps.supervisor,
      `Veil: ${CHANGE_TITLES[kind]} ${recipient ?? basename(root)}`,
      (running, options) =>
        kind === 'rotate' ? running.request('recipients/rotate', params, options) : running.request(kind === 'add' ? 'recipients/add' : 'recipients/remove', { ...params, recipient: recipient! }, options),
      { describe: ({ done, total }) => `${done}/${total} originals re-encrypted` },
    );
    deps.onAudited(root);
    for (const outcome of result.changes) for (const failure of outcome.failures) deps.log.warn(`recipients ${outcome.change}: ${failure.file}: ${failure.message}`);
    deps.log.info(`recipients of ${root} now: ${result.recipients.join(', ')}; audit checkpoint ${JSON.stringify(result.checkpoint)}`);
    const { text, failed } = resultMessage(result);
    if (failed) {
      void vscode.window.showWarningMessage(text, 'Run Again', 'Show Log').then((choice) => {
        // Through the command: a failure of the second run is shown like any other.
        if (choice === 'Run Again') void vscode.commands.executeCommand(CHANGE_COMMANDS[kind], vscode.Uri.file(root), recipient);
        else if (choice) deps.log.show();
      });
    } else void vscode.window.showInformationMessage(kind === 'add' ? text : `${text} ${NOT_RECALLED}`);
    return result;
  }

  async function askRecipient(): Promise<string | undefined> {
    const typed = await vscode.window.showInputBox({
      title: 'Veil: the recipient to add',
      prompt: 'The public key (age1…) of the person or machine that may open the originals, as "Create Key…" or `age-keygen -y` prints it',
      placeHolder: 'age1…',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === '' ? 'Paste a recipient (age1…)' : undefined),
    });
    return typed?.trim();
  }

  async function pickListed(root: string, title: string): Promise<string | undefined> {
    const list = await (await deps.supervisor.client()).request('recipients/list', { root });
    const listed = list.recipients.filter((entry) => entry.listed);
    if (listed.length === 0) throw new Error(`${root} has no recipient to remove`);
    const picked = await vscode.window.showQuickPick(
      listed.map((entry) => ({ label: entry.recipient, ...recipientWords(entry, list.objects) })),
      { title, ignoreFocusOut: true },
    );
    return picked?.label;
  }

  const given = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

  registerVeilCommand(deps, CHANGE_COMMANDS.add, async (target, recipientGiven) => {
    const root = await datasetRoot(target, deps.index, 'Add Recipient');
    const recipient = root && (given(recipientGiven) ?? (await askRecipient()));
    return root && recipient ? change(root, 'add', recipient) : undefined;
  });

  registerVeilCommand(deps, CHANGE_COMMANDS.remove, async (target, recipientGiven) => {
    const root = await datasetRoot(target, deps.index, 'Remove Recipient');
    const recipient = root && (given(recipientGiven) ?? (await pickListed(root, `Veil: the recipient to remove from ${basename(root)}`)));
    return root && recipient ? change(root, 'remove', recipient) : undefined;
  });

  registerVeilCommand(deps, CHANGE_COMMANDS.rotate, async (target) => {
    const root = await datasetRoot(target, deps.index, 'Rotate');
    return root ? change(root, 'rotate') : undefined;
  });

  registerVeilCommand(deps, 'veil.manageRecipients', async (target) => {
    const root = await datasetRoot(target, deps.index, 'Manage Recipients');
    if (!root) return undefined;
    const list = await (await deps.supervisor.client()).request('recipients/list', { root });
    type Action = vscode.QuickPickItem & { run?: () => Promise<unknown> };
    const separator = (label: string): Action => ({ label, kind: vscode.QuickPickItemKind.Separator });
    const items: Action[] = [
      separator(`${list.objects} encrypted original(s)`),
      ...list.recipients.map((entry) => ({
        label: `${entry.listed ? '$(key)' : '$(history)'} ${entry.recipient}`,
        description: recipientWords(entry, list.objects).description,
        // A listed recipient can be removed; a former one is dropped by a rotation.
        detail: `${recipientWords(entry, list.objects).detail} — ${entry.listed ? 'select to remove it' : 'select to rotate the file keys: every original encrypted to the current recipients only'}`,
        run: entry.listed ? () => change(root, 'remove', entry.recipient) : () => change(root, 'rotate'),
      })),
      separator('changes'),
      ...(list.unfinished
        ? [{ label: '$(debug-continue) Finish the Interrupted Change…', description: `${list.unfinished.change} ${list.unfinished.recipient ?? ''}`.trim(), run: () => change(root, list.unfinished!.change, list.unfinished!.recipient) }]
        : []),
      {
        label: '$(add) Add Recipient…',
        description: 'a key that may open the originals',
        run: async () => {
          const recipient = await askRecipient();
          return recipient ? change(root, 'add', recipient) : undefined;
        },
      },
      { label: '$(sync) Rotate File Keys…', description: 'every original under a new file key, to the current recipients', run: () => change(root, 'rotate') },
    ];
    const notes = listNotes(list);
    const picked = await vscode.window.showQuickPick(items, {
      title: `Veil: who can open the originals of ${basename(root)}`,
      placeHolder: notes.join(' ') || 'Select a recipient to remove it, or a change',
      ignoreFocusOut: true,
    });
    return picked?.run ? picked.run() : list;
  });
}
