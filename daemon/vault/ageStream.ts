/**
 * age v1 files read and written a block at a time (what is in memory is one block of 16 payload chunks, 1 MiB,
 * whatever the file's size): finding the header, the sealed length of every payload chunk, sealing a byte source to
 * recipients and opening a file with an identity. The payload format is encrypt.ts's (native ChaCha20-Poly1305, the
 * header from age-encryption); the stock `age` CLI reads what is sealed here and writes what is opened here (tested).
 * Used to re-encrypt vault objects (reseal.ts) and to seal and open backup blobs (daemon/backup/).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Decrypter } from 'age-encryption';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { CHUNK, NONCE, TAG, headerAndFileKey, newPayload, openChunk, payloadKey, sealChunk } from './encrypt';
import { MAX_HEADER_BYTES } from './ageFormat';

export const SEALED_CHUNK = CHUNK + TAG;
/** Chunks read, sealed or opened, and written per step: 1 MiB, few enough syscalls that the cipher and fsync dominate. */
export const BLOCK_CHUNKS = 16;

/** How an age file is named in refusals: the file (`.veil/vault/<id>.age`) and what it is ("vault object"). */
export interface AgeFileName {
  file: string;
  what: string;
}

export function ageFileError(name: AgeFileName, problem: string): VeilError {
  return new VeilError(ErrorCode.KeyError, `${name.what} ${problem}`, name.file);
}

/** Fills `buffer` from `position` (a read may return less than asked); refuses a file that ends sooner than its size said. */
export async function readFully(input: FileHandle, buffer: Buffer, position: number, name: AgeFileName): Promise<void> {
  for (let filled = 0; filled < buffer.length; ) {
    const { bytesRead } = await input.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw ageFileError(name, 'changed size while it was read');
    filled += bytesRead;
  }
}

export interface AgeHeader {
  /** The header through its MAC line (and its newline). */
  header: Buffer;
  /** File size in bytes. */
  size: number;
}

/** The first bytes of an open file, as far as a header can reach (ageFormat.ts's MAX_HEADER_BYTES), and its size. */
export async function readAgeHead(handle: FileHandle, name: AgeFileName): Promise<{ head: Buffer; size: number }> {
  const { size } = await handle.stat();
  const head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
  await readFully(handle, head, 0, name);
  return { head, size };
}

/** The age header (through its MAC line) at the start of `head`. */
export function headerIn(head: Buffer, name: AgeFileName): Buffer {
  // Stanza lines start with "-> " and bodies are base64: the first line starting with "---" is the MAC line.
  const macLine = head.indexOf('\n---');
  const end = macLine < 0 ? -1 : head.indexOf(0x0a, macLine + 1);
  if (!head.subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')) || end < 0) {
    throw ageFileError(name, 'is malformed (no complete age v1 header in its first 64 KiB)');
  }
  return head.subarray(0, end + 1);
}

/** Reads the age header (through its MAC line) from the start of an open file. */
export async function readAgeHeader(handle: FileHandle, name: AgeFileName): Promise<AgeHeader> {
  const { head, size } = await readAgeHead(handle, name);
  return { header: headerIn(head, name), size };
}

/** The sealed length of every chunk of a payload of `payloadBytes` (nonce included); refuses a truncated or padded one. */
export function sealedChunkLengths(payloadBytes: number, name: AgeFileName): number[] {
  const sealed = payloadBytes - NONCE;
  const chunks = Math.max(1, Math.ceil(sealed / SEALED_CHUNK));
  const last = sealed - (chunks - 1) * SEALED_CHUNK;
  // Only an empty plaintext has an empty last chunk (a tag alone); any other short last chunk was cut or padded.
  if (last < TAG || (last === TAG && chunks > 1)) throw ageFileError(name, 'is malformed (its payload ends with a partial chunk: truncated or padded)');
  return Array.from({ length: chunks }, (_, index) => (index === chunks - 1 ? last : SEALED_CHUNK));
}

/** The size of what an age file of `size` bytes, whose header is `headerBytes` long, decrypts to. */
export function plaintextBytes(size: number, headerBytes: number, name: AgeFileName): number {
  const lengths = sealedChunkLengths(size - headerBytes, name);
  return lengths.reduce((sum, length) => sum + length, 0) - lengths.length * TAG;
}

/** The file key of a header; a KeyError when the opener's identities do not open it. */
export async function unwrapFileKey(header: Uint8Array, name: AgeFileName, opener: Decrypter): Promise<Uint8Array> {
  try {
    return await opener.decryptHeader(header);
  } catch (error) {
    throw ageFileError(name, `cannot be opened with the given identity (${(error as Error).message})`);
  }
}

/** Bytes to seal, read a block at a time: a buffer in memory or an open file. */
export interface ByteSource {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { size: buffer.length, read: async (position, length) => buffer.subarray(position, position + length) };
}

/** The file open in `handle`, of `size` bytes (as its stat said when opened); refuses one that shrinks meanwhile. */
export function fileSource(handle: FileHandle, size: number, name: AgeFileName): ByteSource {
  return {
    size,
    read: async (position, length) => {
      const buffer = Buffer.allocUnsafe(length);
      await readFully(handle, buffer, position, name);
      return buffer;
    },
  };
}

/** Where sealed or opened bytes go, a block at a time, in order. */
export type ByteSink = (parts: Buffer[]) => Promise<void>;

/** Seals `source` to `recipients` (`age1…`) under a new file key into `sink`; returns the sha256 of the plaintext. */
export async function sealStreamed(source: ByteSource, recipients: readonly string[], sink: ByteSink): Promise<string> {
  const { header, fileKey } = await headerAndFileKey(recipients);
  const { nonce, key } = newPayload(fileKey);
  await sink([Buffer.from(header), nonce]);
  const plaintext = createHash('sha256');
  const chunks = Math.max(1, Math.ceil(source.size / CHUNK));
  for (let first = 0; first < chunks; first += BLOCK_CHUNKS) {
    const count = Math.min(BLOCK_CHUNKS, chunks - first);
    const block = await source.read(first * CHUNK, Math.min(count * CHUNK, source.size - first * CHUNK));
    plaintext.update(block);
    const sealed: Buffer[] = [];
    for (let index = 0; index < count; index++) {
      const counter = first + index;
      sealed.push(...sealChunk(key, counter, counter === chunks - 1, block.subarray(index * CHUNK, (index + 1) * CHUNK)));
    }
    await sink(sealed);
  }
  return plaintext.digest('hex');
}

/**
 * Opens the age file in `input` with `opener` (a Decrypter holding the identities, reseal.ts's `headerOpener`) into `sink`; returns the sha256 of the plaintext and its size. Refuses
 * (KeyError naming the file) a header the opener cannot open and a chunk that fails authentication.
 */
export async function openStreamed(input: FileHandle, name: AgeFileName, opener: Decrypter, sink: ByteSink): Promise<{ sha256: string; bytes: number }> {
  const { header, size } = await readAgeHeader(input, name);
  const fileKey = await unwrapFileKey(header, name, opener);
  const lengths = sealedChunkLengths(size - header.length, name);
  const nonce = Buffer.alloc(NONCE);
  await readFully(input, nonce, header.length, name);
  const key = payloadKey(fileKey, nonce);
  const plaintext = createHash('sha256');
  let bytes = 0;
  let position = header.length + NONCE;
  // One read buffer for every block (the sink is done with a block before the next is read): a new one per block left
  // tens of MB of garbage to the collector on a 200 MB object (test/daemon/videoOriginalsStreamed.test.ts).
  const buffer = Buffer.allocUnsafe(Math.min(BLOCK_CHUNKS, lengths.length) * SEALED_CHUNK);
  for (let first = 0; first < lengths.length; first += BLOCK_CHUNKS) {
    const block = lengths.slice(first, first + BLOCK_CHUNKS);
    const sealed = buffer.subarray(0, block.reduce((sum, length) => sum + length, 0));
    await readFully(input, sealed, position, name);
    position += sealed.length;
    const opened: Buffer[] = [];
    let offset = 0;
    for (const [index, length] of block.entries()) {
      const counter = first + index;
      try {
        opened.push(openChunk(key, counter, counter === lengths.length - 1, sealed.subarray(offset, offset + length)));
      } catch {
        throw ageFileError(name, `does not decrypt (chunk ${counter + 1} of ${lengths.length} fails authentication: damaged or truncated)`);
      }
      offset += length;
    }
    for (const part of opened) {
      plaintext.update(part);
      bytes += part.length;
    }
    await sink(opened);
  }
  return { sha256: plaintext.digest('hex'), bytes };
}
