/** The test host that scripts/setupVscodeHost.sh installs (code-server under Node 24), found through its host.json. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface InstalledHost {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's entry script (out/node/entry.js). */
  codeServerEntry: string;
  codeServerVersion: string;
}

export const HOST_CACHE = process.env.VEIL_VSCODE_CACHE ?? join(homedir(), '.cache', 'veil-vscode-host');
const MANIFEST = join(HOST_CACHE, 'host.json');

/** What is missing, in a sentence that says how to install it; undefined when the host is installed. */
export function missingHost(): string | undefined {
  if (!existsSync(MANIFEST)) return `the VS Code test host is not installed (no ${MANIFEST}): run scripts/setupVscodeHost.sh`;
  const host = readManifest();
  const absent = [host.node, host.codeServerEntry].filter((path) => !existsSync(path));
  return absent.length > 0 ? `the VS Code test host is incomplete (${absent.join(', ')} missing): run scripts/setupVscodeHost.sh` : undefined;
}

export function installedHost(): InstalledHost {
  const missing = missingHost();
  if (missing) throw new Error(missing);
  return readManifest();
}

function readManifest(): InstalledHost {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as InstalledHost;
}

/**
 * For a Node-side suite: without the host the suite is skipped with a clear message, except in CI
 * (CI=true), where it fails: `.ci/run` runs scripts/setupVscodeHost.sh before the tests.
 */
export function requireVscodeHost(ctx: Mocha.Context): void {
  const missing = missingHost();
  if (!missing) return;
  if (process.env.CI === 'true') throw new Error(`${missing}; CI needs it for the VS Code tests`);
  console.warn(`  (skipped: ${missing})`);
  ctx.skip();
}
