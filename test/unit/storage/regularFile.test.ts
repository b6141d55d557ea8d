import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { readRegularFile, sha256OfRegularFile, type FileRule } from '../../../daemon/storage/regularFile';
import { FileHashes } from '../../../daemon/models/fileHashes';
import { tempDir } from '../../support/images';

const RULE: FileRule = { what: 'a test file', maxBytes: 1000 };

function refused(code: ErrorCode, file: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(VeilError.is(error), `a VeilError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.file, file);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('reading a file a client named (daemon/storage/regularFile.ts)', () => {
  it('reads a regular file within the limit, refuses a larger one (TooLarge) before reading it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ok'), 'x'.repeat(1000));
    writeFileSync(join(dir, 'big'), 'x'.repeat(1001));
    assert.equal((await readRegularFile(join(dir, 'ok'), 'ok', RULE)).length, 1000);
    await assert.rejects(readRegularFile(join(dir, 'big'), 'big', RULE), refused(ErrorCode.TooLarge, 'big', /1001 bytes, above the limit of 1000 bytes for a test file/));
  });

  it('refuses a FIFO, a character device, a folder and a missing file without blocking', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    mkdirSync(join(dir, 'folder'));
    await assert.rejects(readRegularFile(join(dir, 'pipe'), 'pipe', RULE), refused(ErrorCode.BadPath, 'pipe', /named pipe \(FIFO\), not a test file/));
    await assert.rejects(sha256OfRegularFile(join(dir, 'pipe'), 'pipe', RULE), refused(ErrorCode.BadPath, 'pipe', /named pipe/));
    await assert.rejects(readRegularFile('/dev/zero', 'zero', RULE), refused(ErrorCode.BadPath, 'zero', /character device/));
    await assert.rejects(readRegularFile(join(dir, 'folder'), 'folder', { ...RULE, folderCode: ErrorCode.BadImage }), refused(ErrorCode.BadImage, 'folder', /is a folder/));
    await assert.rejects(readRegularFile(join(dir, 'gone'), 'gone', { ...RULE, missingCode: ErrorCode.ModelNotFound }), refused(ErrorCode.ModelNotFound, 'gone', /does not exist/));
  });

  it('hashes in chunks the same as a whole-buffer sha256', async () => {
    const dir = tempDir();
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    writeFileSync(join(dir, 'f'), bytes);
    const { sha256 } = await sha256OfRegularFile(join(dir, 'f'), 'f', { what: 'x', maxBytes: 10 * 1024 * 1024 });
    assert.equal(sha256, createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('model file hashes cached per file identity (daemon/models/fileHashes.ts)', () => {
  it('hashes a file once for many concurrent and later callers, again once it changes', async () => {
    const dir = tempDir();
    const path = join(dir, 'model.onnx');
    writeFileSync(path, 'first');
    let reads = 0;
    const hashes = new FileHashes(RULE, async (...args) => {
      reads++;
      return sha256OfRegularFile(...args);
    });
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const concurrent = await Promise.all(Array.from({ length: 100 }, () => hashes.sha256(path)));
    assert.ok(concurrent.every((h) => h === sha('first')));
    assert.equal(await hashes.sha256(path), sha('first'));
    assert.equal(reads, 1, 'one computation for 101 callers');
    // Same size, same inode: the times tell it apart (set apart explicitly: file times tick in jiffies).
    writeFileSync(path, 'other');
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    assert.equal(await hashes.sha256(path), sha('other'));
    assert.equal(reads, 2);
    await assert.rejects(hashes.sha256(join(dir, 'missing.onnx')));
  });
});
