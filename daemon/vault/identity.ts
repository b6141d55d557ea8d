/**
 * age X25519 identities in files the stock `age` CLI reads: the age-keygen text format, optionally wrapped
 * in a passphrase (age scrypt, armored) which `age -d -i FILE` also opens after asking for the passphrase.
 */
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { ErrorCode } from '../protocol';
import { readRegularFile } from '../storage/regularFile';
import { VeilError } from '../errors';
import { writeSynced } from '../storage/durable';

const SECRET_PREFIX = 'AGE-SECRET-KEY-1';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

export interface NewIdentity {
  identity: string;
  recipient: string;
}

export async function createIdentity(): Promise<NewIdentity> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

function identityFileText(key: NewIdentity, now: Date): string {
  return `# created: ${now.toISOString()}\n# public key: ${key.recipient}\n${key.identity}\n`;
}

/**
 * Writes a new identity file with mode 0600, refusing to overwrite one. With a passphrase the file is
 * encrypted with age's scrypt recipient (`scryptLogN` is the work factor; age's default is 18).
 */
export async function writeIdentityFile(path: string, key: NewIdentity, options: { passphrase?: string; scryptLogN?: number } = {}): Promise<void> {
  let text = identityFileText(key, new Date());
  if (options.passphrase !== undefined) {
    const encrypter = new Encrypter();
    encrypter.setScryptWorkFactor(options.scryptLogN ?? 18);
    encrypter.setPassphrase(options.passphrase);
    text = armor.encode(await encrypter.encrypt(text));
  }
  try {
    await writeSynced(path, Buffer.from(text), { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new VeilError(ErrorCode.KeyError, 'already exists; refusing to overwrite an identity', path);
    throw error;
  }
}

/** The passphrase from `VEIL_PASSPHRASE`, when set (for scripts, tests and the daemon, which cannot prompt). */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): (() => Promise<string>) | undefined {
  const value = env.VEIL_PASSPHRASE;
  return value === undefined ? undefined : async () => value;
}

function isPassphraseProtected(text: string): boolean {
  return text.trimStart().startsWith(ARMOR_BEGIN) || text.startsWith('age-encryption.org/v1');
}

/** An identity file is a few hundred bytes (armored with a passphrase, about 1 KB): anything past 1 MB is not one. */
const MAX_IDENTITY_FILE_BYTES = 1024 * 1024;

async function readIdentityFile(path: string): Promise<Buffer> {
  try {
    return await readRegularFile(path, path, { what: 'an identity file', maxBytes: MAX_IDENTITY_FILE_BYTES });
  } catch (error) {
    throw new VeilError(ErrorCode.KeyError, `cannot read identity file (${VeilError.is(error) ? error.message : String(error)})`, path);
  }
}

/** True when the identity file is wrapped in a passphrase (so a client knows to ask for one). */
export async function identityNeedsPassphrase(path: string): Promise<boolean> {
  return isPassphraseProtected((await readIdentityFile(path)).toString('utf8'));
}

/** The secret keys in an identity file; `passphrase` is asked for only when the file is protected. */
export async function loadIdentities(path: string, passphrase?: () => Promise<string>): Promise<string[]> {
  const bytes = await readIdentityFile(path);
  let text = bytes.toString('utf8');
  if (isPassphraseProtected(text)) {
    if (!passphrase) throw new VeilError(ErrorCode.KeyError, 'identity file is passphrase-protected; a passphrase is needed', path);
    const decrypter = new Decrypter();
    decrypter.addPassphrase(await passphrase());
    const sealed = text.trimStart().startsWith(ARMOR_BEGIN) ? armor.decode(text) : new Uint8Array(bytes);
    try {
      text = await decrypter.decrypt(sealed, 'text');
    } catch {
      throw new VeilError(ErrorCode.KeyError, 'wrong passphrase (or the identity file is damaged)', path);
    }
  }
  const keys = text.split('\n').map((line) => line.trim()).filter((line) => line.startsWith(SECRET_PREFIX));
  if (keys.length === 0) throw new VeilError(ErrorCode.KeyError, 'contains no age identity (AGE-SECRET-KEY-1…)', path);
  return keys;
}
