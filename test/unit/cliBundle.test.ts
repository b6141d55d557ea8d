import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../support/paths';

/** Libraries that run in the daemon only (native modules, cryptography, the review store). */
const DAEMON_ONLY = ['age-encryption', 'sharp', 'onnxruntime-node', 'lowdb'];
/** The daemon files a client may carry: the contract and its framing. */
const CONTRACT = ['daemon/protocol.ts', 'daemon/ndjson.ts'];

/** What in a bundle (its JS and source map) is daemon work: daemon-only libraries, daemon files beyond the contract. */
function daemonCodeIn(js: string, map: { sources: string[] }): string[] {
  const found: string[] = [];
  for (const name of DAEMON_ONLY) {
    if (js.includes(`require("${name}")`)) found.push(`require("${name}")`);
    const bundled = map.sources.find((source) => source.includes(`node_modules/${name}/`));
    if (bundled) found.push(bundled);
  }
  for (const source of map.sources) {
    const local = source.replace(/^(\.\.\/)+/, '');
    if (local.startsWith('daemon/') && !CONTRACT.includes(local)) found.push(local);
  }
  return found;
}

describe('the veil CLI bundle (dist/cli.js)', () => {
  it('carries no daemon work: no age-encryption, sharp, onnxruntime or daemon module beyond the contract', () => {
    const js = readFileSync(join(DIST, 'cli.js'), 'utf8');
    const map = JSON.parse(readFileSync(join(DIST, 'cli.js.map'), 'utf8')) as { sources: string[] };
    assert.ok(map.sources.some((source) => source.endsWith('cli/main.ts')), 'the source map lists the CLI sources');
    assert.deepEqual(daemonCodeIn(js, map), []);
  });

  it('the check names what a bundle with domain code carries', () => {
    // The sources of the CLI bundle as it was when keygen and open ran the vault in the CLI process.
    const before = {
      sources: ['../cli/commands/keygen.ts', '../daemon/protocol.ts', '../daemon/vault/identity.ts', '../node_modules/age-encryption/dist/index.js'],
    };
    assert.deepEqual(daemonCodeIn('const sharp = require("sharp");', before), ['../node_modules/age-encryption/dist/index.js', 'require("sharp")', 'daemon/vault/identity.ts']);
  });
});
