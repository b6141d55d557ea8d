import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { tempDir } from '../support/images';

const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string }>;
}
interface CruiseResult {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string; dependencyTypes: string[] }> }>;
  summary: { violations: Violation[]; ruleSetUsed: { forbidden: Array<{ name: string }> } };
}

/** Runs dependency-cruiser (its own CLI, as `npx depcruise` would) with the repository's rules on `folders` under `cwd`. */
function cruise(cwd: string, folders: string[]): CruiseResult {
  const run = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...folders], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.ok(run.stdout.startsWith('{'), `dependency-cruiser did not answer with JSON (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as CruiseResult;
}

function describeViolation(v: Violation): string {
  return `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (circle: ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;
}

/** A small source tree that breaks every rule once, next to a link to the repository's node_modules. */
function treeBreakingEveryRule(): string {
  const root = tempDir('veil-boundaries-');
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'preserve', moduleResolution: 'bundler', strict: true } }),
    'daemon/protocol.ts': 'export type Rect = { x: number };\n',
    'daemon/errors.ts': 'export const veilError = 1;\n',
    'daemon/handlers.ts': 'export const handlers = 1;\n',
    // A domain module importing the server, and the daemon importing its client.
    'daemon/vault/open.ts': "import { handlers } from '../handlers';\nimport { client } from '../../client/daemonClient';\nexport const open = handlers + client;\n",
    // An import circle (type-only on one side, as detector.ts ↔ its implementations were).
    'daemon/detection/detector.ts': "import { Blaze } from './blaze';\nexport interface Detector { n: number }\nexport const make = () => new Blaze();\n",
    'daemon/detection/blaze.ts': "import type { Detector } from './detector';\nexport class Blaze implements Detector { n = 1; }\n",
    // A building block importing a workflow (redaction importing the commit's phase timer, as it once did).
    'daemon/commit/phaseTimes.ts': 'export class PhaseTimes {}\n',
    'daemon/redact/redactImage.ts': "import { PhaseTimes } from '../commit/phaseTimes';\nexport const times = new PhaseTimes();\n",
    // The client importing daemon code beyond the contract.
    'client/daemonClient.ts': "import { veilError } from '../daemon/errors';\nexport const client = veilError;\n",
    // The CLI running domain code and a library the daemon owns in its own process.
    'cli/main.ts': "import { open } from '../daemon/vault/open';\nimport { Encrypter } from 'age-encryption';\nexport const main = [open, Encrypter];\n",
    // The webview importing vscode, a native module and daemon code.
    'webview/main.ts': "import * as vscode from 'vscode';\nimport sharp from 'sharp';\nimport { veilError } from '../daemon/errors';\nexport const view = [vscode, sharp, veilError];\n",
    // A track rule the webview imports (it runs in the browser) importing the daemon's file handling.
    'daemon/video/trackEdits.ts': "import { handlers } from '../handlers';\nexport const edits = handlers;\n",
    // The extension importing a file that does not exist.
    'extension/main.ts': "import { gone } from './missing';\nexport const activate = gone;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

describe('boundaries (dependency-cruiser with .dependency-cruiser.cjs)', function () {
  this.timeout(120_000);

  it('the repository keeps every boundary: vscode, native modules, webview, daemon, client, cli, layers, no circles', () => {
    const result = cruise(REPO_ROOT, ['daemon', 'cli', 'client', 'extension', 'webview', 'test', 'bench', 'scripts']);
    const sources = new Set(result.modules.map((m) => m.source));
    for (const expected of ['cli/main.ts', 'client/daemonClient.ts', 'daemon/main.ts', 'extension/main.ts', 'webview/main.ts', 'test/unit/boundaries.test.ts']) {
      assert.ok(sources.has(expected), `the cruise covered ${expected}`);
    }
    const typeOnly = result.modules.flatMap((m) => m.dependencies).filter((d) => d.dependencyTypes.includes('type-only'));
    assert.ok(typeOnly.length > 0, 'type-only imports are part of the graph');
    assert.deepEqual(result.summary.violations.map(describeViolation), []);
  });

  it('every rule fires on a tree that breaks it', () => {
    const result = cruise(treeBreakingEveryRule(), ['daemon', 'cli', 'client', 'extension', 'webview']);
    const found = new Set(result.summary.violations.map((v) => `${v.rule.name} ${v.from}`));
    const expected = [
      'vscode-only-in-extension webview/main.ts',
      'native-only-in-daemon webview/main.ts',
      'webview-only-webview-and-contract webview/main.ts',
      'daemon-not-into-its-clients daemon/vault/open.ts',
      'client-only-contract client/daemonClient.ts',
      'cli-only-client-and-contract cli/main.ts',
      'no-circular daemon/detection/', // reported from one side of the circle
      'domain-not-into-server daemon/vault/open.ts',
      'building-blocks-not-into-workflows daemon/redact/redactImage.ts',
      'shipped-imports-resolve extension/main.ts',
      'track-rules-run-in-a-browser daemon/video/trackEdits.ts',
    ];
    for (const violation of expected) assert.ok([...found].some((f) => f.startsWith(violation)), `expected "${violation}" among:\n${[...found].join('\n')}`);
    const rules = result.summary.ruleSetUsed.forbidden.map((rule) => rule.name).sort();
    assert.deepEqual([...new Set(expected.map((v) => v.split(' ')[0]))].sort(), rules, 'each rule of the config is proven to fire');
    // The CLI importing age-encryption breaks its rule too (the library runs in the daemon only).
    assert.ok(result.summary.violations.some((v) => v.rule.name === 'cli-only-client-and-contract' && /age-encryption/.test(v.to)));
  });
});
