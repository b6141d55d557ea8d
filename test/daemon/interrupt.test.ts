import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DIST } from '../support/paths';
import { runCli } from '../support/cli';
import { FACE_BOX, addKey, box, seedDataset, type SeedImage } from '../support/commitFixtures';
import { ASTRONAUT, tempDir } from '../support/images';

describe('Ctrl-C in a terminal', function () {
  this.timeout(120_000);

  it('stops a `veil commit` between images and leaves no journal or lock, even though the daemon gets the SIGINT too', async () => {
    const root = tempDir();
    const side = 1200;
    const scale = side / 512;
    const face = { x: FACE_BOX.x * scale, y: FACE_BOX.y * scale, w: FACE_BOX.w * scale, h: FACE_BOX.h * scale };
    const bytes = await sharp(ASTRONAUT).resize(side, side).jpeg({ quality: 90 }).toBuffer();
    const images: SeedImage[] = Array.from({ length: 40 }, (_, i) => ({ file: `img-${String(i).padStart(2, '0')}.jpg`, bytes, width: side, height: side, boxes: [box(face)] }));
    seedDataset(root, images);
    await addKey(root);
    // Its own process group, as a shell gives a foreground job: the terminal's Ctrl-C signals the whole group.
    const cli = spawn(process.execPath, [join(DIST, 'cli.js'), 'commit', root], { detached: true, env: { ...process.env, VEIL_HOME: tempDir() } });
    let stderr = '';
    let stdout = '';
    cli.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    await new Promise<void>((resolve) => {
      cli.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (/committing [1-9]/.test(stderr)) resolve();
      });
    });
    process.kill(-cli.pid!, 'SIGINT');
    const code = await exited;
    assert.match(stderr, /interrupted/, stderr);
    assert.notEqual(code, null, 'the CLI was killed instead of stopping');
    assert.match(stdout + stderr, /cancel/i, 'the CLI did not say the commit was cancelled');
    assert.equal(existsSync(join(root, '.veil', 'lock')), false, 'the commit lock was left behind');
    assert.equal(existsSync(join(root, '.veil', 'journal', 'plan.json')), false, 'the journal was left behind');
    const verify = await runCli(['verify', root]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const rest = await runCli(['commit', root]);
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stdout, /committed/);
  });
});
