/**
 * A purge or a restore in a child process, for the kill -9 drill:
 * `node retention.worker.js purge <root> <now ms>` (retention weighed at that time) or
 * `node retention.worker.js restore <root> <identity file> <purpose>` (every committed image).
 * Prints `progress <done>` as objects or images advance and the result as JSON at the end.
 */
import { OpenDatasets } from '../../../daemon/services/datasets';
import { purgeVault } from '../../../daemon/services/purge';
import { restoreOriginals } from '../../../daemon/services/restore';
import { testContext } from '../../support/commitFixtures';

async function main(): Promise<void> {
  const [mode, root, ...rest] = process.argv.slice(2);
  const ctx = testContext(undefined, ({ done }) => process.stdout.write(`progress ${done}\n`));
  const result =
    mode === 'purge'
      ? await purgeVault({ root: root! }, ctx, { now: () => new Date(Number(rest[0])) })
      : await restoreOriginals({ root: root!, identity: rest[0]!, purpose: rest[1] }, ctx, { datasets: new OpenDatasets() });
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
