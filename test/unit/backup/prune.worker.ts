/**
 * A prune in a child process, for the kill -9 drill: `node prune.worker.js <backup folder> <identity> <keep>`.
 * Prints `progress <done>` as manifests are read and generations and blobs removed, and the BackupPruneResult as JSON at the end.
 */
import { pruneBackup } from '../../../daemon/backup/prune';
import { testContext } from '../../support/commitFixtures';

async function main(): Promise<void> {
  const [backup, identity, keep] = process.argv.slice(2);
  const ctx = testContext(undefined, ({ done }) => process.stdout.write(`progress ${done}\n`));
  const result = await pruneBackup({ backup: backup!, identity: identity!, keep: Number(keep) }, ctx);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
