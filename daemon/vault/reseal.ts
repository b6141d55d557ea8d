/**
 * Re-encrypting one vault object to a new set of recipients under a NEW file key, streamed: the header is read and
 * its file key unwrapped with an identity of a current key holder, then the payload goes through block by block
 * (16 chunks, 1 MiB): each chunk is opened with the old payload key and sealed with the new one. What is in memory
 * is one block, whatever the object's size (objects reach 512 MB). Why always a new file key, also when a recipient
 * is only added: see README "Key lifecycle" (age-encryption exposes no way to wrap a chosen file key, and the payload
 * must be read and decrypted anyway to prove the object holds its original before a new hash is audited for it).
 * Nothing is published here: the caller renames the written file into place.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Decrypter } from 'age-encryption';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { vaultObjectRelative } from '../dataset/layout';
import { openStateFile } from '../storage/stateFile';
import { CHUNK, NONCE, TAG, headerAndFileKey, newPayload, openChunk, payloadKey, sealChunk } from './encrypt';

/** The most header read: 64 KiB holds ~600 X25519 stanzas; a header larger than that is no vault object of Veil's. */
const MAX_HEADER_BYTES = 64 * 1024;
const SEALED_CHUNK = CHUNK + TAG;
/** Chunks read, re-encrypted and written per step: 1 MiB, few enough syscalls that the cipher and fsync dominate. */
const BLOCK_CHUNKS = 16;

export interface Resealed {
  /** sha256 of the object as it was read (the ciphertext replaced). */
  previousSha256: string;
  /** sha256 of the object as written. */
  sha256: string;
}

interface OpenedHeader {
  header: Buffer;
  /** Object size in bytes. */
  size: number;
}

function keyError(id: string, message: string): VeilError {
  return new VeilError(ErrorCode.KeyError, message, vaultObjectRelative(id));
}

/** Reads the age header (through its MAC line) from the start of an open object. */
async function readHeader(handle: FileHandle, id: string): Promise<OpenedHeader> {
  const { size } = await handle.stat();
  const head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
  await readFully(handle, head, 0, id);
  // Stanza lines start with "-> " and bodies are base64: the first line starting with "---" is the MAC line.
  const macLine = head.indexOf('\n---');
  const end = macLine < 0 ? -1 : head.indexOf(0x0a, macLine + 1);
  if (!head.subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')) || end < 0) {
    throw keyError(id, 'vault object is malformed (no complete age v1 header in its first 64 KiB)');
  }
  return { header: head.subarray(0, end + 1), size };
}

/** What opens the objects' headers: built once per change, since each identity costs two X25519 key imports to set up. */
export type HeaderOpener = Decrypter;

export function headerOpener(identities: readonly string[]): HeaderOpener {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  return decrypter;
}

/** The file key of an object's header; a KeyError when the opener's identities do not open it. */
async function unwrapFileKey(header: Uint8Array, id: string, opener: HeaderOpener): Promise<Uint8Array> {
  try {
    return await opener.decryptHeader(header);
  } catch (error) {
    throw keyError(id, `vault object cannot be opened with the given identity (${(error as Error).message})`);
  }
}

/** Opens the object at `path` and checks that the opener unwraps its file key: what a change of recipients needs. */
export async function checkOpens(path: string, id: string, opener: HeaderOpener): Promise<void> {
  const handle = await openStateFile(path, vaultObjectRelative(id), 'r');
  try {
    await unwrapFileKey((await readHeader(handle, id)).header, id, opener);
  } finally {
    await handle.close();
  }
}

/** The sealed length of every chunk of a payload of `payloadBytes` (nonce included); refuses a truncated or padded one. */
function sealedChunkLengths(payloadBytes: number, id: string): number[] {
  const sealed = payloadBytes - NONCE;
  const chunks = Math.max(1, Math.ceil(sealed / SEALED_CHUNK));
  const last = sealed - (chunks - 1) * SEALED_CHUNK;
  // Only an empty original has an empty last chunk (a tag alone); any other short last chunk was cut or padded.
  if (last < TAG || (last === TAG && chunks > 1)) throw keyError(id, 'vault object is malformed (its payload ends with a partial chunk: truncated or padded)');
  return Array.from({ length: chunks }, (_, index) => (index === chunks - 1 ? last : SEALED_CHUNK));
}

/** Fills `buffer` from `position` (a read may return less than asked); refuses an object that ends sooner than its size said. */
async function readFully(input: FileHandle, buffer: Buffer, position: number, id: string): Promise<void> {
  for (let filled = 0; filled < buffer.length; ) {
    const { bytesRead } = await input.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw keyError(id, 'vault object changed size while it was read');
    filled += bytesRead;
  }
}

/** Writes `parts` to `out` and feeds them to `hash`. */
async function emit(out: FileHandle, hash: Hash, parts: Buffer[]): Promise<void> {
  for (const part of parts) hash.update(part);
  await out.writev(parts);
}

/**
 * Re-encrypts the object `id` at `source` into `target` (created or truncated, fsync'd, left for the caller to
 * publish), to exactly `recipients` under a new file key. Refuses (KeyError naming the object) a header that
 * `opener` cannot open, a chunk that fails authentication, and a payload that does not decrypt to content whose
 * sha256 is `id`: a damaged object is never given a fresh ciphertext that would pass as sound.
 */
export async function resealObject(source: string, target: string, id: string, opener: HeaderOpener, recipients: readonly string[]): Promise<Resealed> {
  const input = await openStateFile(source, vaultObjectRelative(id), 'r');
  try {
    const { header, size } = await readHeader(input, id);
    const oldKey = await unwrapFileKey(header, id, opener);
    const lengths = sealedChunkLengths(size - header.length, id);
    const before = createHash('sha256').update(header);
    const nonce = Buffer.alloc(NONCE);
    await readFully(input, nonce, header.length, id);
    before.update(nonce);
    const opening = payloadKey(oldKey, nonce);

    const fresh = await headerAndFileKey(recipients);
    const sealing = newPayload(fresh.fileKey);
    const plaintext = createHash('sha256');
    const after = createHash('sha256');
    const output = await openStateFile(target, vaultObjectRelative(id), 'w');
    try {
      await emit(output, after, [Buffer.from(fresh.header), sealing.nonce]);
      let position = header.length + NONCE;
      for (let first = 0; first < lengths.length; first += BLOCK_CHUNKS) {
        const block = lengths.slice(first, first + BLOCK_CHUNKS);
        const bytes = Buffer.allocUnsafe(block.reduce((sum, length) => sum + length, 0));
        await readFully(input, bytes, position, id);
        before.update(bytes);
        position += bytes.length;
        const sealed: Buffer[] = [];
        let offset = 0;
        for (const [index, length] of block.entries()) {
          const counter = first + index;
          const last = counter === lengths.length - 1;
          let chunk: Buffer;
          try {
            chunk = openChunk(opening, counter, last, bytes.subarray(offset, offset + length));
          } catch {
            throw keyError(id, `vault object does not decrypt (chunk ${counter + 1} of ${lengths.length} fails authentication: damaged or truncated)`);
          }
          plaintext.update(chunk);
          sealed.push(...sealChunk(sealing.key, counter, last, chunk));
          offset += length;
        }
        await emit(output, after, sealed);
      }
      if (plaintext.digest('hex') !== id) throw keyError(id, 'vault object decrypts to different content than its name says');
      await output.sync();
      return { previousSha256: before.digest('hex'), sha256: after.digest('hex') };
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}
