/** models/manifest.json: the models Veil knows, where each comes from, and its pinned sha256. */
import { join } from 'node:path';
import { ErrorCode, MODEL_DECODERS, isRecord, type ModelDecoder } from '../protocol';
import { VeilError } from '../errors';
import { readStateText } from '../storage/stateFile';
import { arrayOf, count, finite, object, oneOf, parseChecked, sha256, text, type Check } from '../storage/checks';

/** Where dist/daemon.js (and dist/cli.js) find the manifest shipped beside them. */
export const DEFAULT_MANIFEST_PATH = join(__dirname, '..', 'models', 'manifest.json');

/** Where a manifest model's file comes from: inside an npm package (embedded), or downloaded from a URL. */
export type ManifestSource = { npm: { package: string; file: string } } | { url: string };

export interface ManifestModel {
  name: string;
  decoder: ModelDecoder;
  source: ManifestSource;
  sha256: string;
  bytes: number;
  /** Fixed input size, or "dynamic" when the model takes any size (padded to its alignment). */
  input: { width: number; height: number } | 'dynamic';
  licence: string;
  rank: number;
}

const httpUrl: Check = (value) => (typeof value === 'string' && /^https?:\/\//.test(value) ? undefined : ': expected an http(s) URL');
const source: Check = (value) => (isRecord(value) && 'npm' in value ? object({ npm: object({ package: text, file: text }) }) : object({ url: httpUrl }))(value);
const input: Check = (value) => (value === 'dynamic' ? undefined : object({ width: count, height: count })(value) && ': expected "dynamic" or {width, height}');
const manifestModel = object({ name: text, decoder: oneOf(MODEL_DECODERS), source, sha256, bytes: count, input, licence: text, rank: finite });
const manifestProblem = object({ models: arrayOf(manifestModel) });

/** The manifest's models; a manifest that cannot be read or is malformed is refused naming the file and the field. */
export async function readManifest(path: string): Promise<ManifestModel[]> {
  let text: string;
  try {
    text = await readStateText(path, path);
  } catch (error) {
    if (VeilError.is(error)) throw error;
    throw new VeilError(ErrorCode.Unreadable, `cannot read the model manifest (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): reinstall Veil`, path);
  }
  return parseChecked<{ models: ManifestModel[] }>(text, manifestProblem, 'model manifest', path).models;
}
