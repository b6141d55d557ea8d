import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PrivateTempCopies, TEMP_COPIES_PREFIX } from '../../extension/privateTempCopies';
import { tempDir } from '../support/images';

describe('private temp copies of originals too large for memory', () => {
  it('gives each copy a 0700 folder inside a 0700 session folder, named like the original', async () => {
    const parent = tempDir('veil-tmp-');
    const copies = new PrivateTempCopies(parent);
    const first = await copies.pathFor('clips/visit.mp4');
    const second = await copies.pathFor('clips/visit.mp4');
    assert.notEqual(first, second);
    assert.match(first, /visit\.mp4$/);
    const session = dirname(dirname(first));
    assert.equal(dirname(session), parent);
    assert.ok(session.startsWith(join(parent, `${TEMP_COPIES_PREFIX}${process.pid}-`)));
    for (const folder of [session, dirname(first), dirname(second)]) assert.equal(statSync(folder).mode & 0o777, 0o700, folder);
    await copies.dispose();
  });

  it('deletes a copy with its folder, and every copy and the session folder at the end', async () => {
    const parent = tempDir('veil-tmp-');
    const copies = new PrivateTempCopies(parent);
    const kept = await copies.pathFor('a.mov');
    const removed = await copies.pathFor('b.mov');
    writeFileSync(kept, 'original', { mode: 0o600 });
    writeFileSync(removed, 'original', { mode: 0o600 });
    await copies.remove(removed);
    assert.ok(!existsSync(dirname(removed)));
    assert.ok(existsSync(kept));
    assert.deepEqual(copies.paths, [kept]);
    await copies.dispose();
    assert.deepEqual(readdirSync(parent), []);
  });

  it('sweeps the folders of sessions whose process is gone, keeping this one and a running one', async () => {
    const parent = tempDir('veil-tmp-');
    const copies = new PrivateTempCopies(parent);
    const own = await copies.pathFor('a.mov');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const crashed = join(parent, `${TEMP_COPIES_PREFIX}${dead}-abc123`);
    mkdirSync(join(crashed, 'x'), { recursive: true });
    writeFileSync(join(crashed, 'x', 'old.mov'), 'original');
    const running = join(parent, `${TEMP_COPIES_PREFIX}${process.ppid}-def456`);
    mkdirSync(running);
    assert.deepEqual(await copies.sweepLeftovers(), [crashed]);
    assert.ok(existsSync(own) || existsSync(dirname(own)));
    assert.ok(existsSync(running));
    await copies.dispose();
  });
});
