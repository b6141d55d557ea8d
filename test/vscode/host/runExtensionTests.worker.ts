/**
 * The "VS Code executable" that @vscode/test-electron's `runTests` launches (through ./vscode-host):
 * takes the arguments VS Code takes, runs the extension's tests in code-server's extension host, driven by
 * headless Chromium, and exits with the tests' code. Server and browser are stopped on every way out.
 * Usage: vscode-host --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [--user-data-dir=DIR]
 *        [--extensions-dir=DIR] [FOLDER]   (other VS Code flags are accepted and ignored)
 */
import { REPORT_PREFIX } from '../suite/hostContract';
import { openWorkbench, type Workbench } from './workbench';

const TIMEOUT_MS = Number(process.env.VEIL_VSCODE_TIMEOUT_MS ?? 5 * 60_000);
const VERBOSE = process.env.VEIL_VSCODE_VERBOSE === '1';

function parseArgs(args: string[]) {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (const arg of args) {
    const match = /^--([^=]+)=(.*)$/.exec(arg);
    if (match) flags.set(match[1], match[2]);
    else if (!arg.startsWith('--')) positional.push(arg);
  }
  const required = (name: string) => {
    const value = flags.get(name);
    if (!value) throw new Error(`--${name}= is required`);
    return value;
  };
  return {
    extensionDevelopmentPath: required('extensionDevelopmentPath'),
    extensionTestsPath: required('extensionTestsPath'),
    userDataDir: flags.get('user-data-dir'),
    extensionsDir: flags.get('extensions-dir'),
    folder: positional[0],
  };
}

/** The suite's own report always; the workbench's log (noisy: it tries to reach the network) on request. */
function forwardLog(level: string, message: string): void {
  if (message.startsWith(REPORT_PREFIX)) console.log(message);
  else if (VERBOSE) console.log(`[${level}] ${message}`);
}

const opening: Promise<Workbench> = Promise.resolve().then(() =>
  openWorkbench({ ...parseArgs(process.argv.slice(2)), onLog: forwardLog }),
);

function timeout(): Promise<number> {
  return new Promise((resolve) =>
    setTimeout(() => {
      console.error(`vscode-host: the extension tests did not finish within ${TIMEOUT_MS / 1000} s`);
      resolve(1);
    }, TIMEOUT_MS).unref(),
  );
}

/** Stops server and browser (waiting for a start in progress, so nothing is left behind), then exits. */
async function exit(code: number): Promise<never> {
  const workbench = await opening.catch(() => undefined);
  await workbench?.close();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void exit(130));
opening
  .then((workbench) => Promise.race([workbench.testsExited, timeout()]))
  .then(exit, (error: unknown) => {
    console.error(`vscode-host: ${error instanceof Error ? error.message : String(error)}`);
    return exit(1);
  });
