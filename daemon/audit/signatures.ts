/**
 * Signed checkpoints: an Ed25519 signature over `{entries, head}` of the audit chain, with the signer's name, public
 * key and the time, kept as a `checkpoint-signature` entry of the log itself. A hash chain can be recomputed by
 * anyone who can write the log; a signature by a key they do not hold cannot, so history up to a signed checkpoint
 * can no longer be rewritten unseen (Certificate Transparency, C2SP signed notes).
 */
import { sign, verify } from 'node:crypto';
import type { Checkpoint } from '../protocol';
import type { Actor } from '../core/callContext';
import type { CheckpointSignatureEvent } from './events';
import { parsePublicKey, type SigningKey } from './signingKey';

type Signed = Pick<CheckpointSignatureEvent, 'checkpoint' | 'signer' | 'publicKey' | 'signedAt'>;

const ED25519_SIGNATURE_BYTES = 64;

/** The bytes signed: every signed field in a fixed order, under a name and version of their own (never mistaken for other signed data). */
function statement({ checkpoint, signer, publicKey, signedAt }: Signed): Buffer {
  return Buffer.from(JSON.stringify({ statement: 'veil-checkpoint/1', entries: checkpoint.entries, head: checkpoint.head, signer, publicKey, signedAt }));
}

/** The entry that records `key`'s signature over `checkpoint`, made now by `actor` under the name `signer`. */
export function signatureEvent(key: SigningKey, checkpoint: Checkpoint, signer: string, actor: Actor, at = new Date()): CheckpointSignatureEvent {
  const signed: Signed = { checkpoint: { entries: checkpoint.entries, head: checkpoint.head }, signer, publicKey: key.publicKey, signedAt: at.toISOString() };
  return { type: 'checkpoint-signature', actor, ...signed, signature: sign(null, statement(signed), key.privateKey).toString('base64') };
}

/** Why the signature of a signature entry does not verify, or undefined when it does (whoever's key it is). */
export function signatureProblem(event: CheckpointSignatureEvent): string | undefined {
  const key = parsePublicKey(event.publicKey);
  if (typeof key === 'string') return `its public key is malformed: ${key}`;
  const signature = Buffer.from(event.signature, 'base64');
  if (signature.length !== ED25519_SIGNATURE_BYTES) return `its signature is not ${ED25519_SIGNATURE_BYTES} bytes of base64`;
  if (!verify(null, statement(event), key, signature)) return 'its signature does not verify: the checkpoint, signer or time it states was altered, or another key made it';
  return undefined;
}
