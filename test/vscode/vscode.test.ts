/**
 * Tier 4: the real extension in a real VS Code. @vscode/test-electron's runTests launches our code-server
 * host (host/vscode-host) as if it were VS Code; the extension-host suite (suite/) writes its results to a
 * file, and each behaviour it proves is reported here under the same name.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../support/paths';
import { requireVscodeHost } from './host/installedHost';
import { copySamples } from './host/sampleWorkspace';
import { HOST_TESTS, RESULTS_ENV, type HostResults } from './suite/hostContract';

const HOST_EXECUTABLE = join(REPO_ROOT, 'test', 'vscode', 'host', 'vscode-host');

async function runExtensionHostSuite(): Promise<HostResults> {
  const scratch = mkdtempSync(join(tmpdir(), 'veil-vscode-run-'));
  const workspace = copySamples();
  const resultsPath = join(scratch, 'results.json');
  try {
    await runTests({
      vscodeExecutablePath: HOST_EXECUTABLE,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: join(REPO_ROOT, 'out', 'test', 'vscode', 'index.js'),
      launchArgs: [workspace, `--user-data-dir=${join(scratch, 'user-data')}`, `--extensions-dir=${join(scratch, 'extensions')}`],
      extensionTestsEnv: { [RESULTS_ENV]: resultsPath },
    }).catch((error: Error) => console.warn(`  (the extension-host run ended with: ${error.message})`));
    return JSON.parse(readFileSync(resultsPath, 'utf8')) as HostResults;
  } catch (error) {
    throw new Error(`the extension-host suite wrote no results (${(error as Error).message}); see its output above`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(dirname(workspace), { recursive: true, force: true });
  }
}

describe('Veil in a real VS Code (code-server, through @vscode/test-electron)', function () {
  this.timeout(6 * 60_000);
  let results: HostResults;

  before(async function () {
    requireVscodeHost(this);
    results = await runExtensionHostSuite();
  });

  for (const title of Object.values(HOST_TESTS)) {
    it(title, () => {
      const failure = results.failed.find((failed) => failed.title === title);
      if (failure) assert.fail(`in the extension host: ${failure.message}`);
      assert.ok(results.passed.includes(title), `the extension host did not run "${title}"`);
    });
  }

  it('the extension host ran no test beyond those reported here, and none failed', () => {
    assert.deepEqual(results.failed, []);
    assert.equal(results.passed.length, Object.keys(HOST_TESTS).length);
  });
});
