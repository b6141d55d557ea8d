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
import { vaultObjectRelative } from '../dataset/layout';
import { openStateFile } from '../storage/stateFile';
import { NONCE, headerAndFileKey, newPayload, openChunk, payloadKey, sealChunk } from './encrypt';
import { BLOCK_CHUNKS, ageFileError, readAgeHeader, readFully, sealedChunkLengths, unwrapFileKey, type AgeFileName } from './ageStream';

export interface Resealed {
  /** sha256 of the object as it was read (the ciphertext replaced). */
  previousSha256: string;
  /** sha256 of the object as written. */
  sha256: string;
}

function objectName(id: string): AgeFileName {
  return { file: vaultObjectRelative(id), what: 'vault object' };
}

/** What opens the objects' headers: built once per change, since each identity costs two X25519 key imports to set up. */
export type HeaderOpener = Decrypter;

export function headerOpener(identities: readonly string[]): HeaderOpener {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  return decrypter;
}

/** Opens the object at `path` and checks that the opener unwraps its file key: what a change of recipients needs. */
export async function checkOpens(path: string, id: string, opener: HeaderOpener): Promise<void> {
  const handle = await openStateFile(path, vaultObjectRelative(id), 'r');
  try {
    await unwrapFileKey((await readAgeHeader(handle, objectName(id))).header, objectName(id), opener);
  } finally {
    await handle.close();
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
  const name = objectName(id);
  const input = await openStateFile(source, name.file, 'r');
  try {
    const { header, size } = await readAgeHeader(input, name);
    const oldKey = await unwrapFileKey(header, name, opener);
    const lengths = sealedChunkLengths(size - header.length, name);
    const before = createHash('sha256').update(header);
    const nonce = Buffer.alloc(NONCE);
    await readFully(input, nonce, header.length, name);
    before.update(nonce);
    const opening = payloadKey(oldKey, nonce);

    const fresh = await headerAndFileKey(recipients);
    const sealing = newPayload(fresh.fileKey);
    const plaintext = createHash('sha256');
    const after = createHash('sha256');
    const output = await openStateFile(target, name.file, 'w');
    try {
      await emit(output, after, [Buffer.from(fresh.header), sealing.nonce]);
      let position = header.length + NONCE;
      for (let first = 0; first < lengths.length; first += BLOCK_CHUNKS) {
        const block = lengths.slice(first, first + BLOCK_CHUNKS);
        const bytes = Buffer.allocUnsafe(block.reduce((sum, length) => sum + length, 0));
        await readFully(input, bytes, position, name);
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
            throw ageFileError(name, `does not decrypt (chunk ${counter + 1} of ${lengths.length} fails authentication: damaged or truncated)`);
          }
          plaintext.update(chunk);
          sealed.push(...sealChunk(sealing.key, counter, last, chunk));
          offset += length;
        }
        await emit(output, after, sealed);
      }
      if (plaintext.digest('hex') !== id) throw ageFileError(name, 'decrypts to different content than its name says');
      await output.sync();
      return { previousSha256: before.digest('hex'), sha256: after.digest('hex') };
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}
