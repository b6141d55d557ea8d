/**
 * The evidence file of a compliance report: the evidence, and an Ed25519 signature (the signing keys of audit
 * checkpoints, daemon/audit/signingKey.ts) over its canonical JSON. Canonical: object keys in code-unit order, no
 * whitespace, values as JSON.stringify writes them (RFC 8785's form for the strings, whole and decimal numbers,
 * booleans and nulls the evidence holds), so a checker that parses the file recomputes the very bytes signed, however
 * the file was indented. The file itself is written with its keys sorted and indented, for people to read.
 */
import { sign, verify } from 'node:crypto';
import { isRecord, type Checkpoint } from '../protocol';
import { parsePublicKey, type SigningKey } from '../audit/signingKey';

export const EVIDENCE_FORMAT = 'veil-evidence/1';
const ED25519_SIGNATURE_BYTES = 64;

export interface EvidenceSignature {
  /** The signer's name: the policy's name for the key, or the reviewer's when the policy does not list it. */
  signer: string;
  /** `veil-ed25519:<base64>`. */
  publicKey: string;
  signedAt: string;
  /** base64 of the 64-byte signature. */
  value: string;
}

/** What every evidence holds that a check reads (the rest is for people and the report). */
export interface EvidenceCore {
  dataset: { generatedAt: string };
  chain: Checkpoint;
}

export interface EvidenceFile<E extends EvidenceCore = EvidenceCore> {
  format: typeof EVIDENCE_FORMAT;
  evidence: E;
  /** Null when the report was made without a signing key. */
  signature: EvidenceSignature | null;
}

/** Keys sorted at every level (undefined fields left out, as JSON leaves them out). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value));
}

/** The bytes signed: the format, the evidence and who signed when, never mistaken for a checkpoint's signed statement. */
function signedBytes(evidence: unknown, signer: string, publicKey: string, signedAt: string): Buffer {
  return Buffer.from(canonicalJson({ format: EVIDENCE_FORMAT, evidence, signer, publicKey, signedAt }));
}

/** The evidence file of `evidence`, signed with `key` under the name `signer` when a key is given. */
export function signedEvidence<E extends EvidenceCore>(evidence: E, signer?: { key: SigningKey; name: string }, at = new Date()): EvidenceFile<E> {
  let signature: EvidenceSignature | null = null;
  if (signer) {
    const signedAt = at.toISOString();
    const value = sign(null, signedBytes(evidence, signer.name, signer.key.publicKey, signedAt), signer.key.privateKey).toString('base64');
    signature = { signer: signer.name, publicKey: signer.key.publicKey, signedAt, value };
  }
  return { format: EVIDENCE_FORMAT, evidence, signature };
}

/** The file's text: keys sorted, indented. */
export function evidenceFileText(file: EvidenceFile): string {
  return JSON.stringify(sortedKeys(file), null, 2) + '\n';
}

/** What is wrong with a parsed evidence file's shape (`.field: expected …`), or undefined when it has one. */
export function evidenceFileProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return ': expected an object';
  if (value.format !== EVIDENCE_FORMAT) return `.format: expected "${EVIDENCE_FORMAT}"`;
  const { evidence, signature } = value;
  if (!isRecord(evidence) || !isRecord(evidence.dataset) || typeof evidence.dataset.generatedAt !== 'string') return '.evidence.dataset.generatedAt: expected a time';
  if (!isRecord(evidence.chain) || !Number.isInteger(evidence.chain.entries) || typeof evidence.chain.head !== 'string' || !/^[0-9a-f]{64}$/.test(evidence.chain.head)) {
    return '.evidence.chain: expected {entries, head}';
  }
  if (signature === null) return undefined;
  if (!isRecord(signature) || !['signer', 'publicKey', 'signedAt', 'value'].every((key) => typeof signature[key] === 'string')) {
    return '.signature: expected null or {signer, publicKey, signedAt, value}';
  }
  return undefined;
}

/** Why the file's signature does not verify (whoever's key it is), or undefined when it does. */
export function evidenceSignatureProblem(file: EvidenceFile): string | undefined {
  const { signature } = file;
  if (!signature) return 'the evidence is not signed';
  const key = parsePublicKey(signature.publicKey);
  if (typeof key === 'string') return `its public key is malformed: ${key}`;
  const bytes = Buffer.from(signature.value, 'base64');
  if (bytes.length !== ED25519_SIGNATURE_BYTES) return `its signature is not ${ED25519_SIGNATURE_BYTES} bytes of base64`;
  if (!verify(null, signedBytes(file.evidence, signature.signer, signature.publicKey, signature.signedAt), key, bytes)) {
    return 'its signature does not verify: the evidence, the signer or the time was altered after signing, or another key made it';
  }
  return undefined;
}
