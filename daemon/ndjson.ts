/**
 * NDJSON framing of the daemon protocol (daemon/protocol.ts), used by both ends: the daemon's RPC server and
 * the client (client/daemonClient.ts). One JSON message per line; JSON.stringify never emits a raw newline.
 *
 * Lines are bounded: a line longer than the reader's limit is discarded as it streams, never held whole (a 100 MB
 * line once took the daemon 3.7 GB), and reported once through `onOversized` with its first bytes.
 */
import type { Readable, Writable } from 'node:stream';

/**
 * The longest request the daemon reads: 8 MB. Requests are small: the largest a client sends is `dataset/detect`
 * naming its files, 0.27 MB for 10,000 files (measured), or a `review/update` of one image's boxes (~150 bytes a box).
 */
export const MAX_REQUEST_LINE_BYTES = 8 * 1024 * 1024;

/**
 * The longest message the client reads from its daemon: 256 MB. Answers grow with the dataset: `dataset/open` of
 * 10,000 detected images (three boxes each) is 7.2 MB (measured), so this holds about 350,000 such images; it stays
 * well below V8's longest string (~512 MB), so a line within it can always be decoded.
 */
export const MAX_ANSWER_LINE_BYTES = 256 * 1024 * 1024;

/** How much of a discarded line `onOversized` sees: enough for `{"jsonrpc":"2.0","id":…`. */
const HEAD_BYTES = 256;

export interface LineLimit {
  /** The longest line kept, in bytes (without its newline). */
  maxLineBytes: number;
  /** Called once for each longer line, as soon as it exceeds the limit; the rest of it is skipped unread. */
  onOversized: (head: string) => void;
}

const NEWLINE = 0x0a;

/** Calls `onLine` for each non-blank line of `input` (UTF-8, `\n` or `\r\n`), `onEnd` once it ends. */
export function onLines(input: Readable, onLine: (line: string) => void, onEnd: () => void, limit: LineLimit): void {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;

  const keep = (piece: Buffer) => {
    if (skipping || piece.length === 0) return;
    if (size + piece.length > limit.maxLineBytes) {
      const head = headOf([...parts, piece]);
      parts = [];
      size = 0;
      skipping = true;
      limit.onOversized(head);
      return;
    }
    parts.push(piece);
    size += piece.length;
  };

  const finish = () => {
    const whole = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    const wasSkipping = skipping;
    parts = [];
    size = 0;
    skipping = false;
    if (wasSkipping) return;
    let text = whole.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim().length > 0) onLine(text);
  };

  input.on('data', (chunk: Buffer | string) => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start < data.length) {
      const newline = data.indexOf(NEWLINE, start);
      if (newline === -1) {
        keep(data.subarray(start));
        break;
      }
      keep(data.subarray(start, newline));
      finish();
      start = newline + 1;
    }
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    if (size > 0) finish();
    onEnd();
  };
  input.on('end', end);
  input.on('close', end);
}

/** The first HEAD_BYTES of a line held in `parts`, as text. */
function headOf(parts: Buffer[]): string {
  const head: Buffer[] = [];
  let length = 0;
  for (const part of parts) {
    if (length >= HEAD_BYTES) break;
    const piece = part.subarray(0, HEAD_BYTES - length);
    head.push(piece);
    length += piece.length;
  }
  return Buffer.concat(head, length).toString('utf8');
}

/** Writes one message as a line; `written` is called once the stream has handed it on (or failed to). */
export function writeMessage(output: Writable, message: unknown, written?: () => void): void {
  output.write(JSON.stringify(message) + '\n', written && (() => written()));
}
