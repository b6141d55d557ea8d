/**
 * Issue #9: Veil's decryption of vault objects runs the C2SP age test vectors (CCTV, the `cctv-age` npm package,
 * public domain), so a change in `age-encryption` that opens a malformed file or refuses a valid one fails here.
 * Vault objects are binary age files encrypted to X25519 recipients, so the vectors that apply are those with
 * identities, unarmored, without a passphrase; the others test features Veil does not use to open originals.
 */
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import * as vectors from 'cctv-age';
import { decryptObject, decryptUnchecked } from '../../../daemon/vault/vault';
import { ageStructureProblem } from '../../../daemon/vault/ageFormat';
import { VeilError } from '../../../daemon/errors';
import { ErrorCode } from '../../../daemon/protocol';
import { sha256Hex } from '../../../daemon/storage/hash';

interface Vector {
  name: string;
  expect: string;
  payload?: string;
  identities: string[];
  body: Uint8Array;
}

/** A vector file: `key: value` lines, a blank line, then the age file (zlib-compressed when it says so). */
function parseVector(name: string, bytes: Uint8Array): Vector & { armored: boolean; passphrase: boolean } {
  const buffer = Buffer.from(bytes);
  const split = buffer.indexOf('\n\n');
  const meta = buffer.subarray(0, split).toString('utf8').split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as const);
  const value = (key: string) => meta.find(([k]) => k === key)?.[1];
  const raw = buffer.subarray(split + 2);
  return {
    name,
    expect: value('expect') ?? '',
    payload: value('payload'),
    identities: meta.filter(([k]) => k === 'identity').map(([, v]) => v),
    body: value('compressed') === 'zlib' ? inflateSync(raw) : raw,
    armored: value('armored') === 'yes',
    passphrase: meta.some(([k]) => k === 'passphrase'),
  };
}

const all = Object.entries(vectors as unknown as Record<string, Uint8Array>).map(([name, bytes]) => parseVector(name, bytes));
const applicable = all.filter((v) => v.identities.length > 0 && !v.armored && !v.passphrase);

describe('C2SP age test vectors against Veil’s vault decryption (issue #9)', () => {
  it('covers the vectors that apply to vault objects (at least 80 of 143), with both outcomes', () => {
    console.log(`      ${applicable.length} of ${all.length} vectors apply (identities, unarmored, no passphrase)`);
    assert.ok(all.length >= 140, `only ${all.length} vectors in cctv-age`);
    assert.ok(applicable.length >= 80, `only ${applicable.length} applicable vectors`);
    assert.ok(applicable.some((v) => v.expect === 'success') && applicable.some((v) => v.expect !== 'success'));
  });

  it('opens every valid file to exactly its payload, with the key-less structure check passing it', async () => {
    const valid = applicable.filter((v) => v.expect === 'success');
    for (const vector of valid) {
      assert.ok(vector.payload, `${vector.name}: a success vector names its payload hash`);
      assert.equal(ageStructureProblem(vector.body), undefined, `${vector.name}: a valid file refused without a key`);
      const plaintext = await decryptObject(vector.body, vector.payload, vector.identities);
      assert.equal(sha256Hex(plaintext), vector.payload, vector.name);
    }
  });

  it('refuses every malformed, tampered or foreign file with a KeyError naming the object', async () => {
    const invalid = applicable.filter((v) => v.expect !== 'success');
    for (const vector of invalid) {
      const id = `vector-${vector.name}`;
      const error = await decryptUnchecked(vector.body, id, vector.identities).then(
        () => assert.fail(`${vector.name} (${vector.expect}) decrypted`),
        (e: unknown) => e,
      );
      assert.ok(VeilError.is(error), `${vector.name}: ${String(error)}`);
      assert.equal(error.code, ErrorCode.KeyError, vector.name);
      assert.match(error.file ?? '', new RegExp(id));
    }
  });
});
