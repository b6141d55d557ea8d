/**
 * The models Veil can use: embedded (from an npm package), installed (downloaded, pinned hash) and added
 * (local files, hash recorded when added). Every load hashes the bytes it hands to ONNX Runtime and refuses
 * a mismatch; detectors are cached per model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ErrorCode, type ModelDecoder, type ModelInfo } from '../protocol';
import { VeilError } from '../errors';
import type { Detector } from '../detection/detector';
import { createDetector } from '../detection/createDetector';
import { decoderFor } from '../detection/modelSignature';
import { openSession } from '../detection/session';
import { AddedModels } from './addedModels';
import { downloadTo, type DownloadProgress } from './download';
import { writeAtomically } from './files';
import { sha256Hex } from './hash';
import { FileHashes } from './fileHashes';
import { readRegularFile, type FileRule } from '../storage/regularFile';
import { DEFAULT_MANIFEST_PATH, readManifest, type ManifestModel } from './manifest';

export interface ModelRegistryOptions {
  /** The user's Veil folder (`$VEIL_HOME` or `~/.veil`); installed models live in `<home>/models/`. */
  home: string;
  /** Defaults to the manifest shipped beside the bundle. */
  manifestPath?: string;
}

export interface InstallRequest {
  name: string;
  /** Download from here instead of the manifest's address (mirrors, tests); the pinned hash still applies. */
  url?: string;
}

export interface AddRequest {
  file: string;
  decoder: ModelDecoder;
  name?: string;
}

const ADDED_LICENCE = 'unknown (added from a local file)';

/**
 * The largest model file Veil reads: 256 MB. A model is read whole into memory and handed to ONNX Runtime; the face
 * models Veil decodes are under 1 MB (BlazeFace 0.6 MB, YuNet 0.3 MB), so this leaves room for far larger detectors
 * while a wrong path (a disk image, /dev/zero) is refused before it is read.
 */
export const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;
const MODEL_FILE: FileRule = { what: 'a model file', maxBytes: MAX_MODEL_FILE_BYTES, missingCode: ErrorCode.ModelNotFound, folderCode: ErrorCode.Unreadable };
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A listed model and how to read it: ModelInfo plus the hash the bytes must have. */
interface KnownModel {
  info: ModelInfo;
  expectedSha256: string;
}

export class ModelRegistry {
  readonly modelsDir: string;
  private readonly manifestPath: string;
  private readonly added: AddedModels;
  private readonly detectors = new Map<string, Promise<Detector>>();
  /** Hash status of listed files, computed once per file version (see fileHashes.ts). */
  private readonly hashes = new FileHashes(MODEL_FILE);

  constructor(options: ModelRegistryOptions) {
    this.modelsDir = join(options.home, 'models');
    this.manifestPath = options.manifestPath ?? DEFAULT_MANIFEST_PATH;
    this.added = new AddedModels(this.modelsDir);
  }

  /** Every model: embedded, installable (hashStatus "missing" until installed) and added; the default one says so. */
  async list(): Promise<ModelInfo[]> {
    const models = (await this.known()).map((model) => model.info);
    const best = bestUsable(models);
    return models.map((model) => (model === best ? { ...model, default: true } : model));
  }

  /** The best model that is present and intact, by rank. */
  async defaultModelName(): Promise<string> {
    const best = bestUsable(await this.list());
    if (!best) throw new VeilError(ErrorCode.ModelNotFound, 'no usable face model: the embedded BlazeFace is missing or damaged (reinstall Veil)');
    return best.name;
  }

  /** A detector for a model name or an ONNX file path; default: the best installed model. Cached. */
  async load(nameOrPath?: string): Promise<Detector> {
    const key = nameOrPath ?? (await this.defaultModelName());
    const cached = this.detectors.get(key);
    if (cached) return cached;
    const loading = this.open(key);
    this.detectors.set(key, loading);
    loading.catch(() => this.detectors.delete(key));
    return loading;
  }

  /** Downloads an installable model, checks its pinned sha256, then moves it into place; `cancel` stops the download. */
  async install(request: InstallRequest, onProgress?: (progress: DownloadProgress) => void, cancel?: AbortSignal): Promise<ModelInfo> {
    const manifest = await readManifest(this.manifestPath);
    const entry = manifest.find((model) => model.name === request.name);
    if (!entry) throw new VeilError(ErrorCode.ModelNotFound, `unknown model "${request.name}" (known: ${manifest.map((m) => m.name).join(', ')})`);
    if (!('url' in entry.source)) throw new VeilError(ErrorCode.InvalidParams, `model "${entry.name}" is embedded in Veil: nothing to install`);
    const url = request.url ?? entry.source.url;
    const target = this.installPath(entry);
    await mkdir(this.modelsDir, { recursive: true });
    await writeAtomically(target, async (temp) => {
      const actual = await downloadTo(url, temp, onProgress, cancel);
      if (actual !== entry.sha256) {
        throw new VeilError(ErrorCode.ModelMismatch, `downloaded ${url} has sha256 ${actual}, expected ${entry.sha256} (pinned in the manifest): nothing was installed`);
      }
    });
    return this.info(entry.name);
  }

  /**
   * Adds a local ONNX file (air-gapped sites). A file whose hash is pinned in the manifest becomes that
   * model, installed; any other is copied to `<home>/models/added/` and its hash recorded in added.json.
   */
  async add(request: AddRequest): Promise<ModelInfo> {
    const bytes = await this.readModelFile(request.file);
    const actual = sha256Hex(bytes);
    await this.checkDecoder(bytes, request.decoder, request.file);
    const pinned = (await readManifest(this.manifestPath)).find((model) => model.sha256 === actual && 'url' in model.source);
    if (pinned && pinned.decoder === request.decoder && (request.name === undefined || request.name === pinned.name)) {
      await this.putInPlace(bytes, this.installPath(pinned));
      return this.info(pinned.name);
    }
    const name = request.name ?? basename(request.file, extname(request.file));
    await this.checkNewName(name);
    const file = `${name}.onnx`;
    await this.putInPlace(bytes, join(this.modelsDir, 'added', file));
    await this.added.record({ name, decoder: request.decoder, file, sha256: actual, addedAt: new Date().toISOString() });
    // Re-adding a name may change its bytes: the next load reads them. A detector already handed out stays usable.
    this.detectors.delete(name);
    return this.info(name);
  }

  /** Releases every cached detector (the daemon calls this on shutdown). */
  async dispose(): Promise<void> {
    const loaded = [...this.detectors.values()];
    this.detectors.clear();
    const detectors = await Promise.all(loaded.map((loading) => loading.catch(() => undefined)));
    await Promise.all(detectors.map((detector) => detector?.dispose()));
  }

  /** One listed model by name (as `list` lists it: the default says so). */
  async info(name: string): Promise<ModelInfo> {
    const model = (await this.list()).find((m) => m.name === name);
    if (!model) throw new VeilError(ErrorCode.ModelNotFound, `unknown model "${name}"`);
    return model;
  }

  private installPath(entry: ManifestModel): string {
    const url = 'url' in entry.source ? entry.source.url : `${entry.name}.onnx`;
    return join(this.modelsDir, basename(new URL(url, 'file:///').pathname));
  }

  private async known(): Promise<KnownModel[]> {
    const fromManifest = (await readManifest(this.manifestPath)).map(async (entry): Promise<KnownModel> => {
      const embedded = 'npm' in entry.source;
      const path = 'npm' in entry.source ? this.resolveNpm(entry.source.npm) : this.installPath(entry);
      const info: ModelInfo = {
        name: entry.name,
        decoder: entry.decoder,
        source: embedded ? 'npm' : 'installed',
        path,
        sha256: entry.sha256,
        hashStatus: await this.hashStatusOf(path, entry.sha256),
        licence: entry.licence,
        rank: entry.rank,
      };
      return { info, expectedSha256: entry.sha256 };
    });
    const manifest = await Promise.all(fromManifest);
    const rankOf = (decoder: ModelDecoder) => Math.max(0, ...manifest.filter((m) => m.info.decoder === decoder).map((m) => m.info.rank));
    const added = (await this.added.read()).map(async (record): Promise<KnownModel> => {
      const path = join(this.modelsDir, 'added', record.file);
      const info: ModelInfo = {
        name: record.name,
        decoder: record.decoder,
        source: 'added',
        path,
        sha256: record.sha256,
        hashStatus: await this.hashStatusOf(path, record.sha256),
        licence: ADDED_LICENCE,
        // Just below the manifest's model of the same kind: an added YuNet beats BlazeFace, never the pinned YuNet.
        rank: rankOf(record.decoder) - 1,
      };
      return { info, expectedSha256: record.sha256 };
    });
    return [...manifest, ...(await Promise.all(added))];
  }

  /** The model file inside its npm package; a path that reads as missing when the package is absent. */
  private resolveNpm(source: { package: string; file: string }): string {
    try {
      return join(dirname(require.resolve(`${source.package}/package.json`)), source.file);
    } catch {
      return join(this.modelsDir, 'npm-package-missing', source.package, source.file);
    }
  }

  private async open(nameOrPath: string): Promise<Detector> {
    const known = (await this.known()).find((model) => model.info.name === nameOrPath);
    if (known) return this.openKnown(known);
    if (!looksLikePath(nameOrPath)) {
      const names = (await this.list()).map((m) => m.name).join(', ');
      throw new VeilError(ErrorCode.ModelNotFound, `unknown model "${nameOrPath}" (known: ${names}; or give a path to an .onnx file)`);
    }
    return this.openPath(resolve(nameOrPath));
  }

  private async openKnown({ info, expectedSha256 }: KnownModel): Promise<Detector> {
    if (info.hashStatus === 'missing') {
      const hint = info.source === 'installed' ? `: run \`veil models install ${info.name}\` or \`veil models add <file> --decoder ${info.decoder}\`` : '';
      throw new VeilError(ErrorCode.ModelNotFound, `model "${info.name}" is not installed (${info.path} is absent)${hint}`);
    }
    const bytes = await this.readModelFile(info.path);
    const actual = sha256Hex(bytes);
    if (actual !== expectedSha256) {
      throw new VeilError(ErrorCode.ModelMismatch, `model file ${info.path} has sha256 ${actual}, expected ${expectedSha256}: refusing to load "${info.name}" (reinstall or re-add it)`);
    }
    return createDetector({ ...info, hashStatus: 'ok' }, await openSession(bytes));
  }

  /** A model given by path: its decoder comes from a known hash, else from its tensor layout. */
  private async openPath(path: string): Promise<Detector> {
    const bytes = await this.readModelFile(path);
    const actual = sha256Hex(bytes);
    const twin = (await this.known()).find((model) => model.expectedSha256 === actual);
    const session = await this.openOnnx(bytes, path);
    const decoder = twin?.info.decoder ?? decoderFor(session);
    if (!decoder) {
      await session.release();
      throw new VeilError(ErrorCode.InvalidParams, `${path} is not a face model Veil can decode (neither BlazeFace nor YuNet outputs)`);
    }
    const info: ModelInfo = { name: path, decoder, source: 'added', path, sha256: actual, hashStatus: 'ok', licence: twin?.info.licence ?? ADDED_LICENCE, rank: 0 };
    return createDetector(info, session);
  }

  private async checkDecoder(bytes: Buffer, decoder: ModelDecoder, file: string): Promise<void> {
    const session = await this.openOnnx(bytes, file);
    const found = decoderFor(session);
    await session.release();
    if (found !== decoder) {
      throw new VeilError(ErrorCode.InvalidParams, `${file} does not have the ${decoder} model's inputs and outputs${found ? ` (it looks like ${found})` : ''}`);
    }
  }

  private async checkNewName(name: string): Promise<void> {
    if (!MODEL_NAME.test(name)) throw new VeilError(ErrorCode.InvalidParams, `model name "${name}" must be letters, digits, ".", "_" or "-"`);
    const clash = (await this.known()).find((m) => m.info.name === name && m.info.source !== 'added');
    if (clash) throw new VeilError(ErrorCode.InvalidParams, `"${name}" is the name of a model Veil ships or installs: choose another with --name`);
  }

  /** Writes the bytes that were read and hashed (never the source path again: it may have changed since). */
  private async putInPlace(bytes: Buffer, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    await writeAtomically(target, (temp) => writeFile(temp, bytes));
  }

  private async openOnnx(bytes: Buffer, file: string) {
    try {
      return await openSession(bytes);
    } catch (error) {
      throw new VeilError(ErrorCode.InvalidParams, `${file} is not a loadable ONNX model: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  /** The bytes of a model file: a regular file within MAX_MODEL_FILE_BYTES (never a device or a FIFO). */
  private async readModelFile(path: string): Promise<Buffer> {
    try {
      return await readRegularFile(path, path, MODEL_FILE);
    } catch (error) {
      if (!VeilError.is(error)) throw error;
      throw new VeilError(error.code, `cannot read model file ${path}: ${error.message}`);
    }
  }

  private async hashStatusOf(path: string, expected: string): Promise<ModelInfo['hashStatus']> {
    try {
      return (await this.hashes.sha256(path)) === expected ? 'ok' : 'mismatch';
    } catch {
      return 'missing';
    }
  }
}

function looksLikePath(value: string): boolean {
  return value.includes('/') || value.includes('\\') || value.toLowerCase().endsWith('.onnx');
}

/** The default model: the best by rank of those present and intact. */
function bestUsable(models: readonly ModelInfo[]): ModelInfo | undefined {
  return models.filter((model) => model.hashStatus === 'ok').sort((a, b) => b.rank - a.rank)[0];
}
