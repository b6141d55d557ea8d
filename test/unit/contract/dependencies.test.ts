/**
 * Issue #9: the runtime dependencies hold the originals' encryption (age-encryption, whose internals the vault
 * relies on to capture the file key), the decoder of hostile images (sharp) and the model runtime: each is pinned
 * to one exact version, and what is installed is that version, so an upgrade is a reviewed change, never a drift.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

describe('runtime dependencies are pinned exactly', () => {
  it('names one exact version for every runtime dependency, and that version is installed', () => {
    const entries = Object.entries(manifest.dependencies);
    assert.ok(entries.some(([name]) => name === 'age-encryption'), 'age-encryption is a runtime dependency');
    for (const [name, range] of entries) {
      assert.match(range, /^\d+\.\d+\.\d+$/, `${name}: "${range}" is a range, not one version`);
      const installed = (JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
      assert.equal(installed, range, `${name}: ${installed} installed, ${range} pinned (run npm ci)`);
    }
  });
});
