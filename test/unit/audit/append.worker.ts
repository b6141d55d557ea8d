/** Appends `count` events to a dataset's audit log: `node append.worker.js <root> <count> <tag>` (for the two-writer drill). */
import { appendAudit } from '../../../daemon/audit/log';

async function main(): Promise<void> {
  const [root, count, tag] = process.argv.slice(2);
  for (let i = 0; i < Number(count); i++) {
    await appendAudit(root, { type: 'detect-run', actor: { osUser: tag, reviewer: tag }, model: tag, threshold: 0.5, thorough: false, images: i, faces: 0 });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
