/**
 * "Veil: Exclude from Commit…" and "Veil: Include in Commit Again", the editor's `veil exclude` and `veil include`:
 * a person decides that commits leave files as they are (a consenting subject, a video handled elsewhere), with the
 * reason asked in an input box, or takes that back. `dataset/exclude` and `dataset/include` audit each decision
 * before it counts; the dataset is then read again, so the Veil view moves the files to (or out of) its "Excluded
 * from commits" group and an open review drops (or shows) them.
 */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { DaemonClient } from '../client/daemonClient';
import type { ExclusionResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import { isNode } from './datasetsView';
import type { DaemonSupervisor } from './daemonSupervisor';
import type { ImageGroup } from './datasetSnapshot';
import { ReviewPanel } from './reviewPanel';

interface ExclusionDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
}

/** Files of one dataset: `root` as the daemon is given it, each file relative to it or absolute. */
interface Chosen {
  root: string;
  files: string[];
}

/** What each command acts on when run from the palette: files of these groups, or the image an active review shows. */
const EXCLUDE = { verb: 'Exclude', groups: ['unreviewed', 'reviewed', 'failed'], reviewedImage: true } as const;
const INCLUDE = { verb: 'Include', groups: ['excluded'], reviewedImage: false } as const;
type PaletteChoice = { verb: string; groups: readonly ImageGroup[]; reviewedImage: boolean };
/** A context key: the Explorer offers "Include in Commit Again" on these paths. */
const EXCLUDED_PATHS_KEY = 'veil.excludedPaths';

/**
 * The files a command was invoked on: an image of the Veil view, the Explorer's selection (`more[0]`: every selected
 * resource, the clicked one first), or undefined for the palette. Explorer files are grouped by the listed dataset
 * they lie in (else by their folder, which the daemon resolves to its dataset).
 */
function invokedOn(target: unknown, more: unknown[], index: DatasetIndex): Chosen[] | undefined {
  if (isNode(target, 'image')) return [{ root: target.root, files: [target.image.file] }];
  if (!(target instanceof vscode.Uri)) return undefined;
  const selected = Array.isArray(more[0]) && more[0].every((item) => item instanceof vscode.Uri) ? (more[0] as vscode.Uri[]) : [target];
  const byRoot = new Map<string, string[]>();
  for (const uri of selected.filter((candidate) => candidate.scheme === 'file')) {
    const root = index.rootOf(dirname(uri.fsPath)) ?? dirname(uri.fsPath);
    byRoot.set(root, [...(byRoot.get(root) ?? []), uri.fsPath]);
  }
  return [...byRoot].map(([root, files]) => ({ root, files }));
}

/** From the palette: the image an active review shows (when `reviewedImage`), else files picked among a dataset's `groups`. */
async function pickFiles(index: DatasetIndex, { verb, groups, reviewedImage }: PaletteChoice): Promise<Chosen[] | undefined> {
  const review = ReviewPanel.active();
  if (reviewedImage && review?.currentFile) return [{ root: review.root, files: [review.currentFile] }];
  const folder = await resolveDatasetFolder(undefined, verb);
  if (!folder) return undefined;
  const root = index.rootOf(folder) ?? folder;
  const snapshot = index.get(root)?.snapshot;
  if (!snapshot) throw new Error(`${root} is not read yet: open it in the Veil view first`);
  const listed = groups.flatMap((group) => snapshot.list(group).map((image) => ({ label: image.file, description: group })));
  if (listed.length === 0) throw new Error(`${root} has no file to ${verb.toLowerCase()}`);
  const picked = await vscode.window.showQuickPick(listed, { title: `Veil: files to ${verb.toLowerCase()}`, canPickMany: true, ignoreFocusOut: true });
  return picked && picked.length > 0 ? [{ root, files: picked.map((item) => item.label) }] : undefined;
}

function askReason(count: number): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `Veil: why should commits leave ${count === 1 ? 'this file' : `these ${count} files`} as ${count === 1 ? 'it is' : 'they are'}?`,
    prompt: 'Recorded with your name in the review state and the audit log, e.g. "the subject consented (form 12)" or "video: anonymized elsewhere"',
    placeHolder: 'The reason',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Say why (Escape cancels)' : undefined),
  });
}

/**
 * Records the decision for each dataset's files (`request`); after each, the dataset is read again (the Veil view) and
 * its open review reloaded. Returns every dataset's result.
 */
async function decide(deps: ExclusionDeps, chosen: Chosen[], request: (client: DaemonClient, one: Chosen) => Promise<ExclusionResult>): Promise<ExclusionResult[]> {
  const client = await deps.supervisor.client();
  const results: ExclusionResult[] = [];
  for (const one of chosen) {
    const result = await request(client, one);
    deps.log.info(`${one.root}: ${result.files.join(', ')}; audit checkpoint ${JSON.stringify(result.checkpoint)}`);
    deps.index.settled(one.root);
    await ReviewPanel.forRoot(one.root)?.reload();
    results.push(result);
  }
  return results;
}

/** "a.jpg … it" or "3 files … them". */
function described(results: ExclusionResult[]): { files: string; them: string } {
  const files = results.flatMap((result) => result.files);
  return files.length === 1 ? { files: files[0], them: 'it' } : { files: `${files.length} files`, them: 'them' };
}

export function registerExclusionCommands(deps: ExclusionDeps): void {
  followExcludedPaths(deps);
  registerVeilCommand(deps, 'veil.excludeFromCommit', async (target, ...more) => {
    const chosen = invokedOn(target, more, deps.index) ?? (await pickFiles(deps.index, EXCLUDE));
    if (!chosen || chosen.length === 0) return undefined;
    const reason = await askReason(chosen.reduce((sum, { files }) => sum + files.length, 0));
    if (reason === undefined) return undefined;
    const results = await decide(deps, chosen, (client, { root, files }) => client.request('dataset/exclude', { root, files, reason }));
    const { files, them } = described(results);
    void vscode.window.showInformationMessage(`Veil: ${files} excluded from commits ("${reason.trim()}"): commits leave ${them} as ${them === 'it' ? 'it is' : 'they are'}. The decision is in the audit log; "Include in Commit Again" takes it back.`);
    return results;
  });

  registerVeilCommand(deps, 'veil.includeInCommit', async (target, ...more) => {
    const chosen = invokedOn(target, more, deps.index) ?? (await pickFiles(deps.index, INCLUDE));
    if (!chosen || chosen.length === 0) return undefined;
    const results = await decide(deps, chosen, (client, { root, files }) => client.request('dataset/include', { root, files }));
    const { files, them } = described(results);
    void vscode.window.showInformationMessage(`Veil: ${files} included in commits again (audited): commits anonymize ${them} once reviewed, as any other image.`);
    return results;
  });
}

/** Keeps EXCLUDED_PATHS_KEY at the absolute paths of every excluded file of the listed datasets (set again only when they change). */
function followExcludedPaths(deps: ExclusionDeps): void {
  let shown = '';
  const update = () => {
    const paths = deps.index.all().flatMap((dataset) => (dataset.snapshot?.list('excluded') ?? []).map((image) => join(dataset.root, image.file)));
    const key = paths.join('\n');
    if (key === shown) return;
    shown = key;
    void vscode.commands.executeCommand('setContext', EXCLUDED_PATHS_KEY, paths);
  };
  deps.scope.add(deps.index.onDidChange(update));
}
