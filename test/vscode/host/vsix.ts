/**
 * The packaged extension as a user gets it: `npm run package` makes the .vsix, and code-server's
 * `--install-extension` unpacks it into an extensions folder of the test's own, as `code --install-extension` does.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/paths';
import { codeServerEnvironment, type CodeServerOptions } from './codeServer';
import type { InstalledHost } from './installedHost';

const run = promisify(execFile);
/** `npm run package` builds first (vscode:prepublish); both took 14 s on the 2-core development machine. */
const PACKAGE_TIMEOUT_MS = 3 * 60_000;
const INSTALL_TIMEOUT_MS = 60_000;
const OUTPUT_LIMIT = 16 * 1024 * 1024;

/** Runs `npm run package` with the .vsix written to `out`; fails with the command's output. */
export async function packageVsix(out: string): Promise<void> {
  await run('npm', ['run', 'package', '--', '--out', out], { cwd: REPO_ROOT, timeout: PACKAGE_TIMEOUT_MS, maxBuffer: OUTPUT_LIMIT }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`npm run package failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
}

/** Installs the .vsix into `options.extensionsDir` and returns the folder it was unpacked into. */
export async function installVsix(host: InstalledHost, vsix: string, options: CodeServerOptions): Promise<string> {
  const args = [host.codeServerEntry, '--extensions-dir', options.extensionsDir, '--user-data-dir', options.userDataDir, '--install-extension', vsix];
  const { stdout } = await run(host.node, args, { env: codeServerEnvironment(options), timeout: INSTALL_TIMEOUT_MS, maxBuffer: OUTPUT_LIMIT });
  // code-server records each installed extension, with the folder it lives in, in extensions.json.
  const installed = JSON.parse(readFileSync(join(options.extensionsDir, 'extensions.json'), 'utf8')) as Array<{ identifier: { id: string }; location: { path: string } }>;
  const veil = installed.find((extension) => extension.identifier.id === 'veil.veil');
  if (!veil) throw new Error(`the .vsix did not install Veil (code-server said: ${stdout.trim()})`);
  return veil.location.path;
}
