/** `veil recipients list|add|remove|rotate`: who can open the originals, and changing it (every original re-encrypted). */
import { resolve } from 'node:path';
import type { RecipientsChangeResult, RecipientsListResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { identityPassphrase } from '../passphrase';
import { progressPrinter } from '../progress';
import { printCheckpoint } from '../checkpoint';
import { formatTable } from '../table';
import { EXIT } from '../exitCodes';

const USAGE = [
  'veil recipients list <dir>',
  'veil recipients add <dir> <age1…> --identity FILE',
  'veil recipients remove <dir> <age1…> --identity FILE',
  'veil recipients rotate <dir> --identity FILE',
].join(' | ');

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(rest, { identity: { type: 'string' } }, USAGE);
  const wanted = verb === 'add' || verb === 'remove' ? 2 : 1;
  if (!['list', 'add', 'remove', 'rotate'].includes(verb ?? '')) throw new UsageError(`unknown recipients command "${verb ?? ''}"\nusage: ${USAGE}`);
  if (positionals.length !== wanted) throw new UsageError(`expected ${wanted === 2 ? 'a dataset folder and a recipient (age1…)' : 'a dataset folder'}\nusage: ${USAGE}`);
  const root = resolve(io.cwd, positionals[0]);
  if (verb === 'list') {
    printList(io, await withDaemon(io, (client) => client.request('recipients/list', { root })));
    return EXIT.ok;
  }
  if (!values.identity) throw new UsageError(`--identity is required: re-encrypting each original needs a key that opens it\nusage: ${USAGE}`);
  const identity = resolve(io.cwd, values.identity);
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, async (client) => {
      const passphrase = await identityPassphrase(io, client, identity);
      const params = { root, identity, passphrase };
      const options = { onProgress: progressPrinter(io, 're-encrypting'), signal: interrupt.signal };
      if (verb === 'rotate') return client.request('recipients/rotate', params, options);
      return client.request(verb === 'add' ? 'recipients/add' : 'recipients/remove', { ...params, recipient: positionals[1] }, options);
    });
    return printChange(io, result, [verb, ...positionals.slice(1)].join(' '));
  } finally {
    interrupt.dispose();
  }
}

function printList(io: CliIO, result: RecipientsListResult): void {
  io.result(result);
  // Not listed but named by roles: the policy names it only in roles that may not open originals.
  const status = ({ listed, roles }: RecipientsListResult['recipients'][number]) => (listed ? 'listed' : roles.length > 0 ? 'held back: its roles may not open originals' : 'not listed (former)');
  const rows = result.recipients.map((entry) => [entry.recipient, status(entry), `${entry.opens} of ${result.objects}`, entry.roles.join(', ') || '-']);
  for (const line of formatTable(['recipient', 'encrypted to (recipients.txt, opening roles)', 'opens', 'policy roles'], rows)) io.stdout(line);
  if (result.unknown > 0) io.stdout(`${result.unknown} object(s) with no record of their recipients (written before Veil kept one): \`veil recipients rotate\` re-encrypts and records them`);
  if (result.recipients.some((entry) => !entry.listed && entry.opens > 0)) io.stdout('a former recipient still opens objects: `veil recipients rotate` re-encrypts them to the recipients encrypted to only');
  if (result.unfinished) io.stderr(`a change of recipients (${result.unfinished.change} ${result.unfinished.recipient ?? ''}) was interrupted: run it again to finish it`);
}

function printChange(io: CliIO, result: RecipientsChangeResult, asked: string): number {
  io.result(result);
  if (result.changes.length === 0) io.stdout(`${asked}: nothing to do, every original is already encrypted to the listed recipients as asked`);
  for (const outcome of result.changes) {
    const what = outcome.change === 'rotate' ? 'new file keys for every original' : `${outcome.change === 'add' ? 'added' : 'removed'} ${outcome.recipient}`;
    io.stdout(`${outcome.resumed ? 'finished an interrupted change: ' : ''}${what}: ${outcome.reencrypted} of ${outcome.objects} vault object(s) re-encrypted now`);
    for (const { file, message } of outcome.failures) io.stderr(`  ${file}: ${message}`);
    if (outcome.failures.length > 0) io.stderr(`${outcome.failures.length} object(s) keep their old recipients${outcome.change === 'add' ? '' : ' (a removed key may still open them)'}`);
  }
  io.stdout(`recipients now: ${result.recipients.join(', ')}`);
  if (result.changes.some((outcome) => outcome.change !== 'add')) {
    io.stdout('copies taken before this change (backups, opened originals, old copies of the vault) still open with the keys they were encrypted to: they cannot be recalled');
  }
  if (result.cancelled) io.stdout('cancelled: run the same command again to finish (commits are refused until then)');
  printCheckpoint(io, result.checkpoint);
  return result.cancelled || result.changes.some((outcome) => outcome.failures.length > 0) ? EXIT.failed : EXIT.ok;
}
