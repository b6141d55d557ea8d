/**
 * The test runner VS Code loads into its extension host (`extensionTestsPath`): runs the host suites with
 * mocha and, when VEIL_VSCODE_RESULTS names a file, writes there which tests passed and which failed.
 */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';
import { betterModelOfferSuite } from './suite/betterModelOffer.suite';
import { datasetsViewSuite } from './suite/datasetsView.suite';
import { editorGovernanceSuite } from './suite/editorGovernance.suite';
import { editorPathsSuite } from './suite/editorPaths.suite';
import { extensionSuite } from './suite/extension.suite';
import { reviewPanelsSuite } from './suite/reviewPanels.suite';
import { retentionSuite } from './suite/retention.suite';
import { complianceSuite } from './suite/compliance.suite';
import { backupSuite } from './suite/backup.suite';
import { annotationsSuite } from './suite/annotations.suite';
import { REPORT_PREFIX, RESULTS_ENV, type HostResults } from './suite/hostContract';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: Mocha.reporters.Base });
  mocha.suite.emit('pre-require', globalThis, 'veil-extension-host', mocha);
  // First: the better-model offer follows the window's first detection with the embedded model.
  betterModelOfferSuite();
  editorPathsSuite();
  extensionSuite();
  datasetsViewSuite();
  reviewPanelsSuite();
  editorGovernanceSuite();
  retentionSuite();
  complianceSuite();
  backupSuite();
  annotationsSuite();
  const results: HostResults = { passed: [], failed: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const resultsPath = process.env[RESULTS_ENV];
      if (resultsPath) writeFileSync(resultsPath, JSON.stringify(results, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => {
      results.passed.push(test.title);
      console.log(`${REPORT_PREFIX} passed (${test.duration} ms): ${test.title}`);
    });
    runner.on('fail', (test, error: Error) => {
      results.failed.push({ title: test.title, message: error.stack ?? error.message });
      console.log(`${REPORT_PREFIX} FAILED: ${test.title}: ${error.message}`);
    });
  });
}
