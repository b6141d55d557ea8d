/**
 * NDJSON framing of the daemon protocol (daemon/protocol.ts), used by both ends: the daemon's RPC server and
 * the client (client/daemonClient.ts). One JSON message per line; JSON.stringify never emits a raw newline.
 */
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

export function onLines(input: Readable, onLine: (line: string) => void, onEnd: () => void): void {
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim().length > 0) onLine(line);
  });
  lines.on('close', onEnd);
}

export function writeMessage(output: Writable, message: unknown): void {
  output.write(JSON.stringify(message) + '\n');
}
