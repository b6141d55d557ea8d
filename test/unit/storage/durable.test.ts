/** Crash-safe writes (daemon/storage/durable.ts) never replace a device, pipe or socket standing where the file goes. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { writeAtomic } from '../../../daemon/storage/durable';
import { tempDir } from '../../support/images';

describe('crash-safe writes (daemon/storage/durable.ts)', () => {
  it('replace a regular file, and refuse a named pipe in its place: the pipe stays, no temp file is left', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'labels.json'), 'old');
    await writeAtomic(join(dir, 'labels.json'), Buffer.from('new'));
    assert.equal(readFileSync(join(dir, 'labels.json'), 'utf8'), 'new');

    const pipe = join(dir, 'pipe.json');
    execFileSync('mkfifo', [pipe]);
    await assert.rejects(writeAtomic(pipe, Buffer.from('{}')), (error: unknown) => {
      assert.ok(VeilError.is(error), String(error));
      assert.equal(error.code, ErrorCode.BadPath);
      assert.equal(error.file, pipe);
      assert.match(error.message, /is a named pipe \(FIFO\): Veil writes regular files and never replaces/);
      return true;
    });
    assert.ok(lstatSync(pipe).isFIFO(), 'the pipe was replaced');
    assert.deepEqual(readdirSync(dir).sort(), ['labels.json', 'pipe.json']);
  });
});
