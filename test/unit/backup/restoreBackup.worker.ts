/**
 * A restore from a backup in a child process, for the kill -9 drill: `node restoreBackup.worker.js <backup folder> <dir> <identity>`.
 * Prints `progress <done>` as parts are restored, and the BackupRestoreResult as JSON at the end.
 */
import { restoreBackup } from '../../../daemon/backup/restore';
import { testContext } from '../../support/commitFixtures';

async function main(): Promise<void> {
  const [backup, root, identity] = process.argv.slice(2);
  const ctx = testContext(undefined, ({ done }) => process.stdout.write(`progress ${done}\n`));
  const result = await restoreBackup({ backup: backup!, root: root!, identity: identity! }, ctx);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
