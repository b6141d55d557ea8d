/**
 * Openings in a daemon kept running (the editor's) find an image's commit by following the audit log, reading only the
 * lines appended since the last opening (bench/openings.ts: 79 → 38 ms per opening at 10,000 entries). Following must
 * never answer from a stale picture: a commit another process made since is seen, and a log cut back (or replaced)
 * is read again from the start, so an opening never trusts a commit the log no longer holds.
 */
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode, type VaultReadResult } from '../../daemon/protocol';
import { committedDataset } from '../support/committedDataset';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { ASTRONAUT, tempDir } from '../support/images';

function lastEntry(root: string): Record<string, unknown> {
  const lines = readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8').trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}

describe('openings in a kept daemon follow the audit log (real daemon, real CLI, real keys)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('an image another process committed since the last opening opens; once the log is cut back before that commit, it is refused as not committed (logged)', async () => {
    daemon = await startDaemon();
    const { root, identity, original } = await committedDataset(daemon.client);
    const read = (file: string) => daemon.client.request('vault/read', { root, file, identity, purpose: 'audit' }) as Promise<VaultReadResult>;
    assert.ok(Buffer.from((await read('a.png')).base64, 'base64').equals(original), 'the first opening reads the log whole');

    const logBefore = statSync(join(root, '.veil', 'audit.jsonl')).size;
    const mirrored = await sharp(ASTRONAUT).flop().png().toBuffer();
    writeFileSync(join(root, 'b.png'), mirrored);
    const home = tempDir('veil-cli-home-');
    for (const args of [['detect', root], ['commit', root, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']]) {
      const run = await runCli(args, { VEIL_HOME: home });
      assert.equal(run.code, 0, `veil ${args[0]}: ${run.stdout}${run.stderr}`);
    }
    const opened = await read('b.png');
    assert.ok(Buffer.from(opened.base64, 'base64').equals(mirrored), 'the commit the CLI made is followed');
    assert.deepEqual([lastEntry(root).type, lastEntry(root).file], ['open-original', 'b.png']);

    // Cut back to before the CLI's detection and commit: the daemon must read the log again, not answer from memory.
    truncateSync(join(root, '.veil', 'audit.jsonl'), logBefore);
    const refused = await rpcError(read('b.png'));
    assert.equal(refused.code, ErrorCode.BadPath);
    assert.match(refused.message, /has no committed original in the vault; refused, and the refusal is in the audit log/);
    assert.deepEqual([lastEntry(root).type, lastEntry(root).reason, lastEntry(root).file], ['open-refused', 'not-committed', 'b.png']);
    assert.ok(Buffer.from((await read('a.png')).base64, 'base64').equals(original), 'what the cut log still holds opens as before');
    assert.ok(daemon.stderr.some((line) => /audit\.jsonl of .* was replaced, cut or rewritten since it was last read/.test(line)), daemon.stderr.join('\n'));
  });
});
