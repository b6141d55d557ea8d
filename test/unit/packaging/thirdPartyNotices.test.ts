/**
 * The .vsix carries the licence of every package it ships (issue #10, "Packaging"): THIRD-PARTY-NOTICES.txt, which
 * scripts/thirdPartyNotices.mjs writes at `vscode:prepublish`, names each package whose files vsce packs under
 * node_modules/ and each package esbuild bundled into the shipped dist/ files — here read from the bundles' own module
 * comments, not from the source maps the script reads — each with its licence text, or its SPDX id when the package
 * holds none; it names nothing else; and the allow-list ships it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths';

const NOTICES = join(REPO_ROOT, 'THIRD-PARTY-NOTICES.txt');
const RULE = '='.repeat(100);
/** What the script counts as a licence file (LICENSE, LICENSE.md, LICENSE-CODE, COPYING, NOTICE…), not LICENSE.meta. */
const LICENCE_FILE = /^(licen[cs]e|copying|notice|thirdpartynotices)(-[\w.-]+)?(\.(txt|md|markdown))?$/i;

interface Package {
  dir: string;
  name: string;
  version: string;
  license?: string;
}

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The package folder a path under node_modules/ lies in (its last `node_modules/<name>`, two segments when scoped). */
function packageDir(path: string): string {
  const parts = path.split('/');
  const at = parts.lastIndexOf('node_modules');
  return parts.slice(0, at + (parts[at + 1].startsWith('@') ? 3 : 2)).join('/');
}

function packageAt(dir: string): Package {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  return { dir, name: manifest.name, version: manifest.version, license: manifest.license };
}

/** The packages whose modules a bundle holds, from esbuild's `// node_modules/…` (JS) and `/* node_modules/… *\/` (CSS) comments. */
function bundledDirs(bundle: string): string[] {
  const text = readFileSync(join(REPO_ROOT, bundle), 'utf8');
  return [...text.matchAll(/^(?:\/\/|\/\*) (node_modules\/\S+)/gm)].map((match) => packageDir(match[1]));
}

describe('third-party notices in the .vsix', function () {
  this.timeout(240_000);
  let shippedFiles: string[];
  let sections: Map<string, string>;

  before(() => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'daemon.js.map')), 'run `npm run build` first');
    // As `npm run package` does (vscode:prepublish), then vsce's own list of what the .vsix holds.
    node(['scripts/thirdPartyNotices.mjs']);
    shippedFiles = node([join('node_modules', '@vscode', 'vsce', 'vsce'), 'ls']).split('\n').filter(Boolean);
    sections = new Map(
      readFileSync(NOTICES, 'utf8')
        .split(`${RULE}\n`)
        .slice(1)
        .map((section) => [section.slice(0, section.indexOf('\n')), section]),
    );
  });

  /** Fails unless the notices have the package's section with each of its licence files' text, or its SPDX id. */
  function assertNamed(pkg: Package): void {
    const header = [...sections.keys()].find((key) => key.startsWith(`${pkg.name}@${pkg.version} (`));
    assert.ok(header, `${pkg.dir} (${pkg.name}@${pkg.version}) is not in THIRD-PARTY-NOTICES.txt`);
    const section = sections.get(header)!;
    const licences = readdirSync(join(REPO_ROOT, pkg.dir)).filter((name) => LICENCE_FILE.test(name));
    for (const name of licences) assert.ok(section.includes(readFileSync(join(REPO_ROOT, pkg.dir, name), 'utf8').trim()), `${pkg.dir}/${name} is not quoted whole`);
    if (licences.length === 0) {
      assert.ok(pkg.license, `${pkg.dir} holds no licence file and names no licence`);
      assert.ok(header.endsWith(`(${pkg.license})`), `${pkg.dir}: no SPDX id in "${header}"`);
    }
  }

  it('is in the .vsix: the allow-list ships THIRD-PARTY-NOTICES.txt', () => {
    assert.ok(shippedFiles.includes('THIRD-PARTY-NOTICES.txt'), shippedFiles.join('\n'));
  });

  it('names every package whose files the .vsix holds under node_modules/, with its licence text or SPDX id', () => {
    const dirs = [...new Set(shippedFiles.filter((file) => file.startsWith('node_modules/')).map(packageDir))];
    assert.ok(dirs.length >= 9, `only ${dirs.length} packages under node_modules/: ${dirs.join(', ')}`);
    for (const dir of dirs) assertNamed(packageAt(dir));
  });

  it('names every package bundled into the shipped dist/ files (age-encryption, lowdb, json-rpc-2.0, the codicons…), with its licence text or SPDX id', () => {
    const bundles = shippedFiles.filter((file) => /^dist\/[^/]+\.(js|css)$/.test(file));
    const dirs = [...new Set(bundles.flatMap(bundledDirs))];
    for (const expected of ['age-encryption', 'lowdb', 'json-rpc-2.0', '@vscode/codicons']) assert.ok(dirs.includes(`node_modules/${expected}`), `${expected} is not bundled: ${dirs.join(', ')}`);
    for (const dir of dirs) assertNamed(packageAt(dir));
  });

  it('names no package the .vsix does not hold', () => {
    const bundles = shippedFiles.filter((file) => /^dist\/[^/]+\.(js|css)$/.test(file));
    const held = new Set(
      [...shippedFiles.filter((file) => file.startsWith('node_modules/')).map(packageDir), ...bundles.flatMap(bundledDirs)].map((dir) => {
        const pkg = packageAt(dir);
        return `${pkg.name}@${pkg.version}`;
      }),
    );
    const named = [...sections.keys()].map((header) => header.slice(0, header.indexOf(' (')));
    assert.deepEqual(named.filter((entry) => !held.has(entry)), []);
    assert.equal(named.length, held.size, 'a package is named twice');
  });
});
