/** models/manifest.json: the models Veil knows, where each comes from, and its pinned sha256. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, isRecord, type ModelDecoder } from '../protocol';
import { VeilError } from '../errors';

/** Where dist/daemon.js (and dist/cli.js) find the manifest shipped beside them. */
export const DEFAULT_MANIFEST_PATH = join(__dirname, '..', 'models', 'manifest.json');

export type ModelSource = { npm: { package: string; file: string } } | { url: string };

export interface ManifestModel {
  name: string;
  decoder: ModelDecoder;
  source: ModelSource;
  sha256: string;
  bytes: number;
  /** Fixed input size, or "dynamic" when the model takes any size (padded to its alignment). */
  input: { width: number; height: number } | 'dynamic';
  licence: string;
  rank: number;
}

const DECODERS: readonly ModelDecoder[] = ['blazeface', 'yunet'];
const SHA256 = /^[0-9a-f]{64}$/;

function isSource(value: unknown): value is ModelSource {
  if (!isRecord(value)) return false;
  if (isRecord(value.npm)) return typeof value.npm.package === 'string' && typeof value.npm.file === 'string';
  return typeof value.url === 'string' && /^https?:\/\//.test(value.url);
}

function isInput(value: unknown): value is ManifestModel['input'] {
  return value === 'dynamic' || (isRecord(value) && Number.isInteger(value.width) && Number.isInteger(value.height));
}

export function isManifestModel(value: unknown): value is ManifestModel {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    DECODERS.includes(value.decoder as ModelDecoder) &&
    isSource(value.source) &&
    typeof value.sha256 === 'string' &&
    SHA256.test(value.sha256) &&
    Number.isInteger(value.bytes) &&
    isInput(value.input) &&
    typeof value.licence === 'string' &&
    typeof value.rank === 'number'
  );
}

export async function readManifest(path: string): Promise<ManifestModel[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new VeilError(ErrorCode.Internal, `cannot read the model manifest ${path}: ${(error as Error).message}`);
  }
  const models = isRecord(parsed) && Array.isArray(parsed.models) ? parsed.models : null;
  const invalid = models?.findIndex((model) => !isManifestModel(model));
  if (!models || invalid !== -1) {
    throw new VeilError(ErrorCode.Internal, `model manifest ${path} is malformed${models ? ` (entry ${invalid})` : ''}`);
  }
  return models as ManifestModel[];
}
