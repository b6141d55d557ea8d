// Builds the bundles into dist/ and the tests into out/test (esbuild). Type-checking is `npm run typecheck`.
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const external = ['vscode', 'onnxruntime-node', 'sharp', 'playwright-core', 'mocha', '@vscode/test-electron'];
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning' };

function testEntries(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testEntries(path));
    else if (name.endsWith('.test.ts') || name.endsWith('.worker.ts') || (dir.endsWith(join('test', 'vscode')) && name === 'index.ts')) out.push(path);
  }
  return out;
}

const bundles = [
  { ...node, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { daemon: 'daemon/main.ts', scanWorker: 'daemon/dataset/scanWorker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning',
    entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist', loader: { '.ttf': 'file' }, assetNames: '[name]' },
  { ...node, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test' },
  { ...node, entryPoints: readdirSync('bench').filter((n) => n.endsWith('.ts')).map((n) => join('bench', n)), outdir: 'out/bench' },
];
// Every bundle whose entry exists in this checkout (the extension and webview land after the daemon).
const present = bundles.filter((b) => Object.values(b.entryPoints).every((entry) => existsSync(entry)));
await Promise.all(present.map((options) => build(options)));
// The CLI is the package's bin: runnable as `npx --no-install veil` from a checkout (a fresh clone's build wrote it 0644,
// and a Kubernetes sample's `npx --no-install veil` failed with "Permission denied").
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
