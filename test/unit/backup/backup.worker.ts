/**
 * A backup in a child process, for the kill -9 drill: `node backup.worker.js <root> <backup folder>`.
 * Prints `progress <done>` as blobs advance and the BackupCreateResult as JSON at the end.
 */
import { createBackup } from '../../../daemon/backup/backup';
import { testContext } from '../../support/commitFixtures';

async function main(): Promise<void> {
  const [root, destination] = process.argv.slice(2);
  const ctx = testContext(undefined, ({ done }) => process.stdout.write(`progress ${done}\n`));
  const result = await createBackup({ root: root!, destination: destination! }, ctx);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
