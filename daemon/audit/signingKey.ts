/**
 * Ed25519 keys that sign audit checkpoints (node:crypto, no dependency): the private key is PKCS#8 PEM in a file of
 * its own (mode 0600, outside every dataset); the public key is one line, `veil-ed25519:<base64 of its 32 bytes>`,
 * that a policy lists and a person can compare by eye.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { writeSynced } from '../storage/durable';
import { readRegularFile } from '../storage/regularFile';

const PUBLIC_KEY_PREFIX = 'veil-ed25519:';
/** A PEM key is a few hundred bytes: anything larger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface SigningKey {
  privateKey: KeyObject;
  /** Its public key in the `veil-ed25519:` form. */
  publicKey: string;
}

function publicKeyText(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  return PUBLIC_KEY_PREFIX + Buffer.from(x ?? '', 'base64url').toString('base64');
}

/**
 * The key a `veil-ed25519:` line names, or what is wrong with the line. Only the canonical base64 of exactly 32
 * bytes is accepted, so one key has one spelling and lists of keys compare as text.
 */
export function parsePublicKey(text: string): KeyObject | string {
  if (!text.startsWith(PUBLIC_KEY_PREFIX)) return `expected "${PUBLIC_KEY_PREFIX}<base64>" (as \`veil signer create\` prints it)`;
  const base64 = text.slice(PUBLIC_KEY_PREFIX.length);
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== base64) return `expected the base64 of 32 bytes after "${PUBLIC_KEY_PREFIX}"`;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch (error) {
    return `not an Ed25519 public key (${(error as Error).message})`;
  }
}

/** Writes a new key pair's private key to `path` (a new file, mode 0600, never over an existing one); returns its public key. */
export async function writeNewSigningKey(path: string, asTyped: string): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    await writeSynced(path, Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new VeilError(ErrorCode.KeyError, 'already exists; refusing to overwrite a signing key', asTyped);
    throw error;
  }
  return publicKeyText(publicKey);
}

/** The signing key in the PEM file at `path` (named `asTyped` in errors): a KeyError unless it is an Ed25519 private key. */
export async function loadSigningKey(path: string, asTyped: string): Promise<SigningKey> {
  const pem = await readRegularFile(path, asTyped, { what: 'a signing key (PEM)', maxBytes: MAX_KEY_FILE_BYTES, missingCode: ErrorCode.KeyError });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new VeilError(ErrorCode.KeyError, 'is not a private key in PEM (create one with `veil signer create --out FILE`)', asTyped);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new VeilError(ErrorCode.KeyError, `is an ${privateKey.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 signing key`, asTyped);
  return { privateKey, publicKey: publicKeyText(createPublicKey(privateKey)) };
}
