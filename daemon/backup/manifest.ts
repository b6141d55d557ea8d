/**
 * A backup generation's manifest: plain text, one record per line, fields separated by one space, the path always
 * last, so that a POSIX shell's `while read -r kind blob sha bytes path` restores it with the stock `age` CLI alone
 * (the README's drill). Stored age-encrypted to the custodians (`datasets/<dataset id>/<generation>.age`):
 *
 * ```
 * veil-backup-manifest 1
 * dataset <dataset id> <dataset root as it was>
 * generation <n>
 * created <ISO time>
 * covers <audit entries> <head>            the audit entries the generation holds
 * sealed <blob> <sha256> <bytes> <path>    a file (or a part of one), age-encrypted: its plaintext has this sha256 and size
 * copied <blob> <sha256> <bytes> <path>    a file stored as it is (a vault object: the blob's name is its sha256)
 * original <vault object> <file>           a committed image and the vault object holding its original
 * end <records>                            the number of sealed, copied and original lines
 * ```
 *
 * Paths are relative to the dataset root, with forward slashes; the parts of one path (the audit log's) come in order
 * and are concatenated. A `%`, a control character, and a space at either end of a path are written `%XX`, so a line
 * never breaks and `read` never trims a name.
 */
import { ErrorCode, type Checkpoint } from '../protocol';
import { VeilError } from '../errors';
import { isSha256Hex } from '../storage/hash';
import { lineHash } from '../audit/chain';

export const MANIFEST_FORMAT = 'veil-backup-manifest 1';

/** A file of the dataset, or a part of one, as a blob of the backup folder. */
export interface StoredPart {
  kind: 'sealed' | 'copied';
  /** sha256 of the blob's bytes: its name in `blobs/`. */
  blob: string;
  /** sha256 and size of the content (for a copied blob, the blob itself). */
  sha256: string;
  bytes: number;
  /** Relative to the dataset root. */
  path: string;
}

export interface OriginalRecord {
  vaultObject: string;
  file: string;
}

export interface Manifest {
  datasetId: string;
  /** The dataset root when the generation was written (a restore goes wherever it is told). */
  root: string;
  generation: number;
  createdAt: string;
  covers: Checkpoint;
  parts: StoredPart[];
  originals: OriginalRecord[];
}

const ENCODED = /[%\u0000-\u001f\u007f]|^ | $/g;

export function encodePath(path: string): string {
  return path.replace(ENCODED, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function decodePath(encoded: string): string {
  return encoded.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function formatManifest(manifest: Manifest): string {
  const records = [
    ...manifest.parts.map((part) => `${part.kind} ${part.blob} ${part.sha256} ${part.bytes} ${encodePath(part.path)}`),
    ...manifest.originals.map((original) => `original ${original.vaultObject} ${encodePath(original.file)}`),
  ];
  return [
    MANIFEST_FORMAT,
    `dataset ${manifest.datasetId} ${encodePath(manifest.root)}`,
    `generation ${manifest.generation}`,
    `created ${manifest.createdAt}`,
    `covers ${manifest.covers.entries} ${manifest.covers.head}`,
    ...records,
    `end ${records.length}`,
    '',
  ].join('\n');
}

function malformed(file: string, line: number, problem: string): VeilError {
  return new VeilError(ErrorCode.Corrupt, `not a valid backup manifest: line ${line}: ${problem}`, file);
}

const DATASET_ID = /^[0-9a-f]{16}$/;

/** A dataset's id (its folder in a backup): the first 16 hex digits of the hash of its audit log's first line. */
export function datasetIdOf(firstLogLine: string): string {
  return lineHash(firstLogLine).slice(0, 16);
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** Parses a manifest's text, refusing (Corrupt, naming `file` and the line) anything not written by `formatManifest`. */
export function parseManifest(text: string, file: string): Manifest {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = (index: number, key: string): string[] => {
    const fields = (lines[index] ?? '').split(' ');
    if (fields[0] !== key) throw malformed(file, index + 1, `expected "${key} …"`);
    return fields.slice(1);
  };
  if (lines[0] !== MANIFEST_FORMAT) throw malformed(file, 1, `expected "${MANIFEST_FORMAT}"`);
  const [datasetId, ...rootParts] = header(1, 'dataset');
  if (!DATASET_ID.test(datasetId ?? '') || rootParts.length === 0) throw malformed(file, 2, 'expected a dataset id of 16 hex digits and its root');
  const generation = wholeNumber(header(2, 'generation')[0]);
  if (generation === undefined || generation < 1) throw malformed(file, 3, 'expected a generation number');
  const [createdAt] = header(3, 'created');
  if (!createdAt || Number.isNaN(Date.parse(createdAt))) throw malformed(file, 4, 'expected an ISO time');
  const [entriesText, head] = header(4, 'covers');
  const entries = wholeNumber(entriesText);
  if (entries === undefined || !isSha256Hex(head)) throw malformed(file, 5, 'expected an entry count and a head hash');
  const manifest: Manifest = { datasetId: datasetId!, root: decodePath(rootParts.join(' ')), generation, createdAt, covers: { entries, head: head! }, parts: [], originals: [] };
  const last = lines.length - 1;
  for (let index = 5; index < last; index++) {
    const [kind, ...fields] = lines[index]!.split(' ');
    if (kind === 'sealed' || kind === 'copied') {
      const [blob, sha256, bytesText, ...path] = fields;
      const bytes = wholeNumber(bytesText);
      if (!isSha256Hex(blob) || !isSha256Hex(sha256) || bytes === undefined || path.length === 0) throw malformed(file, index + 1, `expected "${kind} <blob> <sha256> <bytes> <path>"`);
      if (kind === 'copied' && blob !== sha256) throw malformed(file, index + 1, 'a copied blob is named by its own sha256');
      manifest.parts.push({ kind, blob: blob!, sha256: sha256!, bytes, path: decodePath(path.join(' ')) });
    } else if (kind === 'original') {
      const [vaultObject, ...path] = fields;
      if (!isSha256Hex(vaultObject) || path.length === 0) throw malformed(file, index + 1, 'expected "original <vault object> <file>"');
      manifest.originals.push({ vaultObject: vaultObject!, file: decodePath(path.join(' ')) });
    } else {
      throw malformed(file, index + 1, `unknown record "${kind}"`);
    }
  }
  const [count] = header(last, 'end');
  if (wholeNumber(count) !== manifest.parts.length + manifest.originals.length) throw malformed(file, last + 1, 'the record count differs: the manifest is incomplete');
  return manifest;
}
