/**
 * "Veil: Manage Models…", the editor's `veil models list|install|add`: a quick pick of `models/list` (name, source,
 * hash status, the default), from which a model not installed is installed (`models/install`, under a cancellable
 * progress notification counting the bytes) and a local ONNX file is added (`models/add`, with its decoder).
 */
import { basename, extname } from 'node:path';
import * as vscode from 'vscode';
import { MODEL_DECODERS, type HashStatus, type ModelDecoder, type ModelInfo, type ModelSource } from '../daemon/protocol';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DaemonSupervisor } from './daemonSupervisor';
import { withDaemonProgress } from './progressNotification';

interface ModelCommandDeps extends CommandHost {
  supervisor: DaemonSupervisor;
}

const SOURCE_WORDS: Record<ModelSource, string> = { npm: 'embedded', installed: 'installable', added: 'added from a file' };
const HASH_WORDS: Record<HashStatus, string> = { ok: 'sha256 verified', mismatch: 'sha256 MISMATCH: refused', missing: 'not installed' };
const HASH_ICONS: Record<HashStatus, string> = { ok: '$(pass)', mismatch: '$(error)', missing: '$(cloud-download)' };
const DECODER_WORDS: Record<ModelDecoder, string> = {
  blazeface: 'MediaPipe BlazeFace full-range: 256×256 input, anchor outputs',
  yunet: 'YuNet: any input size, cls/obj/bbox outputs per stride 8, 16, 32',
};

/** A model whose pinned file can be downloaded: installable, and not (intact) on disk. */
function needsInstall(model: ModelInfo): boolean {
  return model.source === 'installed' && model.hashStatus !== 'ok';
}

function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
}

type ModelsPick = vscode.QuickPickItem & { model?: ModelInfo };

const ADD_FILE: ModelsPick = { label: '$(add) Add a Model File…', description: 'a local .onnx file (air-gapped sites)' };

function modelItem(model: ModelInfo): ModelsPick {
  return {
    label: `${HASH_ICONS[model.hashStatus]} ${model.name}${model.default ? ' (default)' : ''}`,
    description: `${model.decoder} · ${SOURCE_WORDS[model.source]} · ${HASH_WORDS[model.hashStatus]}${needsInstall(model) ? ' · select to install' : ''}`,
    detail: `${model.licence} · ${model.path}`,
    model,
  };
}

/** Downloads `name` (from `url`, else the manifest's address) and checks its pinned sha256 in the daemon. */
async function installModel(deps: ModelCommandDeps, name: string, url?: string): Promise<ModelInfo> {
  const installed = await withDaemonProgress(
    deps.supervisor,
    `Veil: installing ${name}`,
    (client, options) => client.request('models/install', { name, url }, options),
    { describe: ({ done, total }) => (total > 0 ? `${kilobytes(done)} of ${kilobytes(total)}` : kilobytes(done)) },
  );
  deps.log.info(`installed ${installed.name} (sha256 ${installed.sha256} verified) at ${installed.path}`);
  const used = installed.default ? '; detection now uses it' : '';
  void vscode.window.showInformationMessage(`Veil: ${installed.name} installed, its sha256 verified against the pinned one${used}.`);
  return installed;
}

/** The address to download from: the manifest's (undefined), a mirror typed in, or null when the person cancelled. */
async function askDownloadAddress(name: string): Promise<string | undefined | null> {
  const official = { label: 'From the official address', description: 'the one pinned in Veil’s model manifest', mirror: false };
  const mirror = { label: 'From another address…', description: 'a mirror or a local server; the pinned sha256 still applies', mirror: true };
  const picked = await vscode.window.showQuickPick([official, mirror], { title: `Veil: install ${name}`, ignoreFocusOut: true });
  if (!picked) return null;
  if (!picked.mirror) return undefined;
  const url = await vscode.window.showInputBox({
    title: `Veil: address to download ${name} from`,
    prompt: 'An http(s) URL of the model file',
    ignoreFocusOut: true,
    validateInput: (value) => (/^https?:\/\/\S+$/.test(value) ? undefined : 'An http:// or https:// address'),
  });
  return url ?? null;
}

async function addModelFile(deps: ModelCommandDeps): Promise<ModelInfo | undefined> {
  const [file] = (await vscode.window.showOpenDialog({ title: 'Veil: the ONNX model file to add', canSelectMany: false, openLabel: 'Add Model', filters: { 'ONNX model': ['onnx'] } })) ?? [];
  if (!file) return undefined;
  const decoder = await vscode.window.showQuickPick(
    MODEL_DECODERS.map((name) => ({ label: name, description: DECODER_WORDS[name] })),
    { title: `Veil: which decoder reads ${basename(file.fsPath)}?`, ignoreFocusOut: true },
  );
  if (!decoder) return undefined;
  const name = await vscode.window.showInputBox({
    title: 'Veil: name of the added model',
    value: basename(file.fsPath, extname(file.fsPath)),
    prompt: 'As `veil.detection.model` and `veil detect --model` will name it',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'A name' : undefined),
  });
  if (name === undefined) return undefined;
  const client = await deps.supervisor.client();
  const added = await client.request('models/add', { file: file.fsPath, decoder: decoder.label as ModelDecoder, name: name.trim() });
  deps.log.info(`added ${added.name} (${added.decoder}, sha256 ${added.sha256}) at ${added.path}`);
  void vscode.window.showInformationMessage(`Veil: model ${added.name} added (${added.decoder}${added.default ? '; detection now uses it' : ''}).`);
  return added;
}

export function registerModelCommands(deps: ModelCommandDeps): void {
  // For the offer after an embedded-model detection, with the error handling of every command.
  registerVeilCommand(deps, 'veil.installModel', async (name) => {
    if (typeof name !== 'string') throw new Error('Install Model needs the name of a model');
    return installModel(deps, name);
  });

  registerVeilCommand(deps, 'veil.manageModels', async () => {
    const models = await (await deps.supervisor.client()).request('models/list', {});
    const items: ModelsPick[] = [...models.map(modelItem), { label: '', kind: vscode.QuickPickItemKind.Separator }, ADD_FILE];
    const picked = await vscode.window.showQuickPick(items, { title: 'Veil: face detection models', placeHolder: 'Select a model not installed to install it', ignoreFocusOut: true });
    if (picked === ADD_FILE) return addModelFile(deps);
    if (!picked?.model || !needsInstall(picked.model)) return picked?.model;
    const url = await askDownloadAddress(picked.model.name);
    return url === null ? undefined : installModel(deps, picked.model.name, url);
  });
}
