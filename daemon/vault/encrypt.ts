/**
 * age encryption to X25519 recipients, with the payload encrypted by node:crypto. age-encryption (pure JS)
 * spends 60-300 ms per 3 MB image in ChaCha20; native ChaCha20-Poly1305 takes a few. The header (file key
 * wrapped to each recipient, header MAC) still comes from age-encryption: its Encrypter hands the file key
 * to every recipient object, so a recipient that wraps nothing receives it, and the header of an empty
 * file encrypted under that key is the header of ours. The payload follows the age v1 spec: a 16-byte nonce,
 * key = HKDF-SHA256(file key, salt nonce, "payload"), 64 KiB chunks sealed with ChaCha20-Poly1305 under an
 * 11-byte big-endian counter and a last-chunk flag. The stock `age` CLI decrypts the result (tested).
 * The chunk functions are exported for streaming: re-encrypting a vault object (reseal.ts) holds one block of
 * chunks at a time, never the object.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Encrypter, type Recipient } from 'age-encryption';

/** Plaintext bytes per payload chunk. */
export const CHUNK = 64 * 1024;
/** The Poly1305 tag ending each sealed chunk. */
export const TAG = 16;
/** The random nonce that starts the payload. */
export const NONCE = 16;
/** What an empty payload adds after the header: the nonce and one empty sealed chunk. */
const EMPTY_PAYLOAD = NONCE + TAG;

class FileKeyCapture implements Recipient {
  fileKey: Uint8Array | undefined;
  wrapFileKey(fileKey: Uint8Array) {
    this.fileKey = fileKey;
    return [];
  }
}

/** A fresh random file key and the age header that wraps it to every recipient (`age1…`). */
export async function headerAndFileKey(recipients: readonly string[]): Promise<{ header: Uint8Array; fileKey: Uint8Array }> {
  const capture = new FileKeyCapture();
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  encrypter.addRecipient(capture);
  const empty = await encrypter.encrypt(new Uint8Array(0));
  if (!capture.fileKey) throw new Error('age-encryption did not hand out the file key');
  return { header: empty.subarray(0, empty.length - EMPTY_PAYLOAD), fileKey: capture.fileKey };
}

/** The payload key of a file key and the payload's nonce. */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** A new payload nonce and its key: what starts the payload of a new encryption under `fileKey`. */
export function newPayload(fileKey: Uint8Array): { nonce: Buffer; key: Buffer } {
  const nonce = randomBytes(NONCE);
  return { nonce, key: payloadKey(fileKey, nonce) };
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/*
 * ChaCha20-Poly1305 is a stream cipher: `final()` adds no bytes (it computes or checks the tag), so the output of
 * `update()` is the whole chunk and needs no copy into a concatenation.
 */

/** Seals plaintext chunk number `counter` (at most CHUNK bytes): ciphertext, then tag. */
export function sealChunk(key: Buffer, counter: number, last: boolean, plaintext: Uint8Array): [Buffer, Buffer] {
  const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(counter, last), { authTagLength: TAG });
  const sealed = cipher.update(plaintext);
  cipher.final();
  return [sealed, cipher.getAuthTag()];
}

/** Opens sealed chunk number `counter`; throws when it fails authentication (damaged, truncated, reordered). */
export function openChunk(key: Buffer, counter: number, last: boolean, sealed: Uint8Array): Buffer {
  const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(counter, last), { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG));
  decipher.final();
  return plaintext;
}

function sealPayload(plaintext: Uint8Array, fileKey: Uint8Array): Buffer {
  const { nonce, key } = newPayload(fileKey);
  const chunks = Math.max(1, Math.ceil(plaintext.length / CHUNK));
  const parts: Buffer[] = [nonce];
  for (let i = 0; i < chunks; i++) parts.push(...sealChunk(key, i, i === chunks - 1, plaintext.subarray(i * CHUNK, (i + 1) * CHUNK)));
  return Buffer.concat(parts);
}

/** The age v1 encryption of `plaintext` to every recipient (`age1…`). */
export async function encryptToRecipients(plaintext: Uint8Array, recipients: readonly string[]): Promise<Buffer> {
  const { header, fileKey } = await headerAndFileKey(recipients);
  return Buffer.concat([header, sealPayload(plaintext, fileKey)]);
}
