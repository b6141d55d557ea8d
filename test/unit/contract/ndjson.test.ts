import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DaemonClient, DaemonError } from '../../../client/daemonClient';
import { MAX_ANSWER_LINE_BYTES, onLines } from '../../../daemon/ndjson';
import { tempDir } from '../../support/images';

/** Feeds `chunks` through onLines with a `max`-byte limit; what came out. */
async function read(chunks: Array<string | Buffer>, max = 1024): Promise<{ lines: string[]; oversized: string[] }> {
  const input = new PassThrough();
  const lines: string[] = [];
  const oversized: string[] = [];
  const ended = new Promise<void>((resolve) => onLines(input, (line) => lines.push(line), resolve, { maxLineBytes: max, onOversized: (head) => oversized.push(head) }));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await ended;
  return { lines, oversized };
}

describe('NDJSON framing (daemon/ndjson.ts)', () => {
  it('splits lines across chunk boundaries, drops blank lines and \\r, keeps a last line without newline', async () => {
    const { lines } = await read(['{"a":', '1}\n\n  \n{"b":2}\r', '\n{"c"', ':3}']);
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('decodes a multi-byte character split between two chunks', async () => {
    const bytes = Buffer.from('"é€😀"\n', 'utf8');
    const { lines } = await read([bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5)]);
    assert.deepEqual(lines, ['"é€😀"']);
  });

  it('keeps a line of exactly the limit, discards a longer one once as it streams, with its head, and reads on', async () => {
    const exact = 'e'.repeat(100);
    const head = '{"jsonrpc":"2.0","id":7,"result":"';
    const long = [head, 'x'.repeat(60), 'x'.repeat(60), 'x'.repeat(60), '"}\nafter\n'];
    const { lines, oversized } = await read([exact + '\n', ...long], 100);
    assert.deepEqual(lines, [exact, 'after']);
    assert.equal(oversized.length, 1);
    assert.ok(oversized[0]!.startsWith(head), oversized[0]);
    assert.ok(oversized[0]!.length <= 256);
  });

  it('reports an oversized line before its end arrives (a sender that never ends the line is answered)', async () => {
    const input = new PassThrough();
    let reported = '';
    onLines(input, () => assert.fail('no line expected'), () => undefined, { maxLineBytes: 1000, onOversized: (h) => (reported = h) });
    input.write('y'.repeat(600));
    assert.equal(reported, '');
    input.write('y'.repeat(600));
    assert.equal(reported.length, 256);
  });
});

describe('the client with an over-long answer (client/daemonClient.ts)', function () {
  this.timeout(60_000);

  it('fails the request it answers (naming the limit) instead of waiting forever, and reads the next answer', async () => {
    // A stand-in daemon: answers request 1 with a line just over MAX_ANSWER_LINE_BYTES, request 2 normally.
    const script = join(tempDir(), 'fake-daemon.js');
    writeFileSync(
      script,
      `const max = ${MAX_ANSWER_LINE_BYTES};
       let pending = '';
       process.stdin.on('data', (chunk) => {
         pending += chunk;
         for (let i = pending.indexOf('\\n'); i >= 0; i = pending.indexOf('\\n')) {
           const request = JSON.parse(pending.slice(0, i));
           pending = pending.slice(i + 1);
           if (request.id === 1) {
             const block = 'x'.repeat(1 << 20);
             process.stdout.write('{"jsonrpc":"2.0","id":1,"result":"');
             for (let written = 0; written <= max; written += block.length) process.stdout.write(block);
             process.stdout.write('"}\\n');
           } else process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: [] }) + '\\n');
         }
       });`,
    );
    const client = DaemonClient.spawn({ daemonPath: script });
    try {
      await assert.rejects(client.request('models/list', {}), (error: unknown) => DaemonError.is(error) && /larger than 256\.0 MB/.test(error.message));
      assert.deepEqual(await client.request('models/list', {}), []);
    } finally {
      client.kill();
    }
  });
});
