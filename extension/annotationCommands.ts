/**
 * "Veil: Export Annotations…" and "Veil: Import Annotations…", the editor's `veil export` and `veil import` (README
 * "Annotations in and out"): the format picked, then where to write (a save dialog) or what to read (an open dialog),
 * through `annotations/export` and `annotations/import`. An import asks whether to take the file's boxes as proposals
 * or, trusted, as decisions (then why: the reason goes into the audit log); any file that does not fit the dataset is
 * shown with its cause, and nothing is imported. "Veil: Export Redacted Regions (COCO)…" writes what committed images had
 * redacted as COCO ignore regions (`redactions/export`), in a file of their own or added to a COCO label file.
 */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { ANNOTATION_FORMATS, ANNOTATION_OUTPUTS, ANNOTATIONS_FOLDER, REDACTIONS_COCO_NAME, mergedLabelsPath, type AnnotationFormat, type AnnotationsExportResult, type AnnotationsImportResult, type RedactionsExportResult } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';
import type { DaemonSupervisor } from './daemonSupervisor';

interface AnnotationDeps extends CommandHost {
  supervisor: DaemonSupervisor;
  index: DatasetIndex;
  /** The audit log of `root` changed (the audit trail view follows). */
  onAudited: (root: string) => void;
}

const FORMAT_LOOKS: Record<AnnotationFormat, { label: string; detail: string }> = {
  coco: { label: 'COCO', detail: 'one JSON file; source, state, score and reviewer as each annotation’s attributes' },
  yolo: { label: 'YOLO', detail: 'a folder: classes.txt and a .txt per image (normalized centres); holds no attributes' },
  voc: { label: 'Pascal VOC', detail: 'a folder: an .xml per image; attributes as extra elements' },
  labelstudio: { label: 'Label Studio', detail: 'one JSON file of tasks: decided boxes as annotations, undecided as predictions' },
};
/** Files that do not fit, shown in the message before the rest are counted (all of them go to the log). */
const SHOWN_PROBLEMS = 3;

async function pickFormat(verb: string): Promise<AnnotationFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    ANNOTATION_FORMATS.map((format) => ({ label: FORMAT_LOOKS[format].label, detail: FORMAT_LOOKS[format].detail, format })),
    { title: `Veil: ${verb} annotations in which format?`, ignoreFocusOut: true },
  );
  return picked?.format;
}

async function datasetRoot(target: unknown, index: DatasetIndex, verb: string): Promise<string | undefined> {
  const folder = await resolveDatasetFolder(target, verb);
  return folder === undefined ? undefined : (index.rootOf(folder) ?? folder);
}

async function exportAnnotations(deps: AnnotationDeps, target: unknown): Promise<AnnotationsExportResult | undefined> {
  const root = await datasetRoot(target, deps.index, 'Export');
  if (!root) return undefined;
  const format = await pickFormat('Export');
  if (!format) return undefined;
  const looks = { ...FORMAT_LOOKS[format], ...ANNOTATION_OUTPUTS[format] };
  const out = await vscode.window.showSaveDialog({
    title: `Veil: where to write the ${looks.label} ${looks.folder ? 'folder (new, or an earlier export)' : 'file'}`,
    defaultUri: vscode.Uri.file(join(root, ANNOTATIONS_FOLDER, looks.defaultName)),
    saveLabel: 'Export',
    ...(looks.folder ? {} : { filters: { JSON: ['json'] } }),
  });
  if (!out) return undefined;
  const result = await (await deps.supervisor.client()).request('annotations/export', { root, format, out: out.fsPath });
  const lost = result.lost.length > 0 ? ` Not in ${looks.label}: ${result.lost.join('; ')}.` : '';
  const skipped = result.skipped.length > 0 ? ` ${result.skipped.length} file(s) skipped (videos, images never detected; see the log).` : '';
  for (const file of result.skipped) deps.log.info(`export ${format}: ${file.file} skipped: ${file.message}`);
  void vscode.window.showInformationMessage(`Veil: ${result.boxes} box(es) of ${result.images} image(s) exported as ${looks.label} to ${result.out}.${lost}${skipped}`, 'Reveal').then((choice) => {
    if (choice === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.out));
  });
  return result;
}

async function trustChoice(): Promise<{ trust: boolean; reason?: string } | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'As Proposals', description: 'each box to be accepted or rejected in the review', trust: false },
      { label: 'As Decisions (Trusted)', description: 'boxes accepted as the file says; asks why (audited)', trust: true },
    ],
    { title: 'Veil: import the boxes as proposals, or trust the file’s decisions?', ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  if (!picked.trust) return { trust: false };
  const reason = await vscode.window.showInputBox({
    title: 'Veil: why is this file trusted?',
    prompt: 'Recorded with your name in the audit log, e.g. "labels reviewed in our previous tool (ticket 42)"',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Say why (Escape cancels)' : undefined),
  });
  return reason === undefined ? undefined : { trust: true, reason };
}

async function importAnnotations(deps: AnnotationDeps, target: unknown): Promise<AnnotationsImportResult | undefined> {
  const root = await datasetRoot(target, deps.index, 'Import');
  if (!root) return undefined;
  const format = await pickFormat('Import');
  if (!format) return undefined;
  const looks = { ...FORMAT_LOOKS[format], ...ANNOTATION_OUTPUTS[format] };
  const [file] =
    (await vscode.window.showOpenDialog({
      title: `Veil: the ${looks.label} ${looks.folder ? 'folder' : 'file'} to import`,
      defaultUri: vscode.Uri.file(dirname(root)),
      canSelectFiles: !looks.folder || format === 'voc',
      canSelectFolders: looks.folder,
      canSelectMany: false,
      openLabel: 'Import',
    })) ?? [];
  if (!file) return undefined;
  const choice = await trustChoice();
  if (!choice) return undefined;
  const result = await (await deps.supervisor.client()).request('annotations/import', { root, format, file: file.fsPath, ...choice });
  if (!result.imported) {
    for (const problem of result.problems) deps.log.warn(`import ${file.fsPath}: ${problem.file}: ${problem.message}`);
    const shown = result.problems.slice(0, SHOWN_PROBLEMS).map((problem) => `${problem.file}: ${problem.message}`).join('; ');
    const more = result.problems.length > SHOWN_PROBLEMS ? ` (and ${result.problems.length - SHOWN_PROBLEMS} more in the log)` : '';
    void vscode.window.showErrorMessage(`Veil: nothing imported: ${result.problems.length} file(s) do not fit the dataset: ${shown}${more}`);
    return result;
  }
  deps.onAudited(root);
  void vscode.window.showInformationMessage(
    `Veil: ${result.boxes} box(es) imported on ${result.images} image(s)${choice.trust ? ' as decisions' : ' as proposals'}; ${result.sameFace} left out where a decided box lies on the same face.`,
  );
  return result;
}

/** The COCO label file to add the regions to, undefined for a file of their own, null when the person cancelled. */
async function labelFileToMerge(root: string): Promise<vscode.Uri | undefined | null> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'A File of Their Own', description: `${ANNOTATIONS_FOLDER}/${REDACTIONS_COCO_NAME}: every committed image`, merge: false },
      { label: 'Added to a COCO Label File…', description: 'its images, ids, categories and annotations kept as they are', merge: true },
    ],
    { title: 'Veil: export the redacted regions as COCO ignore regions, where?', ignoreFocusOut: true },
  );
  if (!picked) return null;
  if (!picked.merge) return undefined;
  const [file] = (await vscode.window.showOpenDialog({ title: 'Veil: the COCO label file to add the redacted regions to', defaultUri: vscode.Uri.file(root), canSelectMany: false, filters: { JSON: ['json'] }, openLabel: 'Add Regions' })) ?? [];
  return file ?? null;
}

/** "Veil: Export Redacted Regions (COCO)…", the editor's `veil export --format coco --redactions [--merge]`. */
async function exportRedactions(deps: AnnotationDeps, target: unknown): Promise<RedactionsExportResult | undefined> {
  const root = await datasetRoot(target, deps.index, 'Export');
  if (!root) return undefined;
  const merge = await labelFileToMerge(root);
  if (merge === null) return undefined;
  const defaultUri = vscode.Uri.file(merge ? mergedLabelsPath(merge.fsPath) : join(root, ANNOTATIONS_FOLDER, REDACTIONS_COCO_NAME));
  const out = await vscode.window.showSaveDialog({ title: 'Veil: where to write the COCO file', defaultUri, saveLabel: 'Export', filters: { JSON: ['json'] } });
  if (!out) return undefined;
  const result = await (await deps.supervisor.client()).request('redactions/export', { root, out: out.fsPath, ...(merge ? { merge: merge.fsPath } : {}) });
  for (const file of result.skipped) deps.log.info(`export redacted regions: ${file.file}: ${file.message}`);
  const skipped = result.skipped.length > 0 ? ` ${result.skipped.length} file(s) without regions (videos, label images not committed; see the log).` : '';
  void vscode.window.showInformationMessage(`Veil: ${result.regions} redacted region(s) of ${result.images} image(s) written as COCO ignore regions to ${result.out}.${skipped}`, 'Reveal').then((choice) => {
    if (choice === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.out));
  });
  return result;
}

export function registerAnnotationCommands(deps: AnnotationDeps): void {
  registerVeilCommand(deps, 'veil.exportAnnotations', (target) => exportAnnotations(deps, target));
  registerVeilCommand(deps, 'veil.importAnnotations', (target) => importAnnotations(deps, target));
  registerVeilCommand(deps, 'veil.exportRedactions', (target) => exportRedactions(deps, target));
}
