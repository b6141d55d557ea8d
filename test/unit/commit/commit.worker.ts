/**
 * A commit in a child process, for the kill -9 drill: `node commit.worker.js <root> [mode]`.
 * Prints `progress <done>` as images advance and the CommitResult as JSON at the end.
 */
import { commitDataset } from '../../../daemon/commit/commit';
import type { RedactionMode } from '../../../daemon/protocol';
import { commitDeps, testContext } from '../../support/commitFixtures';

async function main(): Promise<void> {
  const [root, mode = 'fill'] = process.argv.slice(2);
  const ctx = testContext(undefined, ({ done }) => process.stdout.write(`progress ${done}\n`));
  const result = await commitDataset({ root, mode: mode as RedactionMode }, ctx, commitDeps());
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
