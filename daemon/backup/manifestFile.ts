/**
 * A generation's manifest file read back: decrypted with a custodian's identity (it is sealed to them), parsed, and
 * checked to be the generation its name says. What a restore rebuilds from, and what a prune learns from which blobs a
 * kept generation needs.
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { openStateFile } from '../storage/stateFile';
import { sha256OfRegularFile } from '../storage/regularFile';
import { openStreamed } from '../vault/ageStream';
import type { HeaderOpener } from '../vault/reseal';
import { generationPath, type BackupFolder } from './destination';
import { parseManifest, type Manifest } from './manifest';

const ANY_SIZE = { what: 'a backup manifest', maxBytes: Number.MAX_SAFE_INTEGER };

export function damaged(file: string, problem: string): VeilError {
  return new VeilError(ErrorCode.Corrupt, `the backup is damaged: ${problem}`, file);
}

/** The manifest of `generation`, and the sha256 of its file (what the dataset's `backup` entry records). */
export async function readManifest(folder: BackupFolder, datasetId: string, generation: number, opener: HeaderOpener): Promise<{ manifest: Manifest; sha256: string }> {
  const path = generationPath(folder, datasetId, generation);
  const { sha256 } = await sha256OfRegularFile(path, path, ANY_SIZE);
  const chunks: Buffer[] = [];
  const handle = await openStateFile(path, path, 'r');
  try {
    await openStreamed(handle, { file: path, what: 'the manifest' }, opener, async (parts) => void chunks.push(...parts));
  } finally {
    await handle.close();
  }
  const manifest = parseManifest(Buffer.concat(chunks).toString('utf8'), path);
  if (manifest.datasetId !== datasetId || manifest.generation !== generation) {
    throw damaged(path, `the manifest says dataset ${manifest.datasetId} generation ${manifest.generation}, not what its name says`);
  }
  return { manifest, sha256 };
}
