/**
 * A change of recipients in a child process, for the kill -9 drill:
 * `node rotate.worker.js <root> add|remove|rotate <identity file> [recipient]`.
 * Prints `progress <done>` as objects advance and the RecipientsChangeResult as JSON at the end.
 */
import type { RecipientChange } from '../../../daemon/protocol';
import { changeRecipients } from '../../../daemon/services/recipients';
import { testContext } from '../../support/commitFixtures';

async function main(): Promise<void> {
  const [root, change, identity, recipient] = process.argv.slice(2);
  const ctx = testContext(undefined, ({ done }) => process.stdout.write(`progress ${done}\n`));
  const result = await changeRecipients({ root: root!, change: change as RecipientChange, identity: identity!, recipient }, ctx);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
