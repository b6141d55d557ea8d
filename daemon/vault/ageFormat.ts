/**
 * What can be checked about an age v1 file without a key (C2SP age spec): the header's grammar, that every
 * X25519 stanza carries a 32-byte share and a 32-byte wrapped key, a 32-byte header MAC, and that the payload
 * is a nonce plus whole STREAM chunks (a truncated or padded payload cannot be). Bytes flipped inside the
 * ciphertext are only caught by decrypting, or by comparing with a recorded hash.
 */
const VERSION_LINE = 'age-encryption.org/v1';
const CHUNK = 64 * 1024;
const TAG = 16;
const NONCE = 16;
const BASE64_LINE = 64;

function base64Bytes(text: string): number | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) return undefined;
  return Math.floor((text.length * 3) / 4);
}

function payloadProblem(payloadBytes: number): string | undefined {
  if (payloadBytes < NONCE + TAG) return 'payload is shorter than a nonce and one chunk';
  const chunks = payloadBytes - NONCE;
  if (chunks === TAG) return undefined; // empty plaintext: one empty final chunk
  const last = chunks % (CHUNK + TAG);
  if (last !== 0 && last <= TAG) return 'payload ends with a partial chunk (truncated or padded)';
  return undefined;
}

/** The most of a file the header is looked for in: 64 KiB holds ~600 X25519 stanzas; a larger header is no file of Veil's. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Returns why `bytes` is not a well-formed age file, or undefined when its structure is sound. */
export function ageStructureProblem(bytes: Uint8Array): string | undefined {
  return ageHeadProblem(bytes.subarray(0, MAX_HEADER_BYTES), bytes.length);
}

/**
 * The same check from the file's first MAX_HEADER_BYTES (`head`) and its size alone: what a file too large to read
 * whole (a video's original) is checked with before it is opened a block at a time.
 */
export function ageHeadProblem(head: Uint8Array, size: number): string | undefined {
  const lines = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, MAX_HEADER_BYTES)).toString('latin1').split('\n');
  if (lines[0] !== VERSION_LINE) return 'not an age v1 file (bad version line)';
  let offset = VERSION_LINE.length + 1;
  let stanzas = 0;
  let index = 1;
  while (index < lines.length && lines[index].startsWith('-> ')) {
    const args = lines[index].slice(3).split(' ');
    if (args.some((arg) => arg.length === 0)) return `stanza ${stanzas + 1} has an empty argument`;
    offset += lines[index].length + 1;
    index++;
    let bodyBytes = 0;
    for (;;) {
      const line = lines[index];
      if (line === undefined) return 'header is incomplete';
      const decoded = base64Bytes(line);
      if (decoded === undefined || line.length > BASE64_LINE) return `stanza ${stanzas + 1} has a malformed body`;
      bodyBytes += decoded;
      offset += line.length + 1;
      index++;
      if (line.length < BASE64_LINE) break;
    }
    if (args[0] === 'X25519' && (args.length !== 2 || base64Bytes(args[1]) !== 32 || bodyBytes !== 32)) {
      return `X25519 stanza ${stanzas + 1} is malformed`;
    }
    stanzas++;
  }
  if (stanzas === 0) return 'header has no recipient stanza';
  const macLine = lines[index];
  if (macLine === undefined || !macLine.startsWith('--- ') || base64Bytes(macLine.slice(4)) !== 32 || macLine.length !== 47) {
    return 'header MAC line is missing or malformed';
  }
  offset += macLine.length + 1;
  if (offset > size) return 'header is incomplete';
  return payloadProblem(size - offset);
}
