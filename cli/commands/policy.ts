/**
 * `veil policy show|init|apply`: the dataset's governance policy (README "Governance: policy"). `show` prints the
 * effective policy as JSON on stdout (redirect it to a file, edit, then `apply` it); each change is audited first.
 */
import { resolve } from 'node:path';
import type { PolicyChangeResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const USAGE = 'veil policy show <dir> | veil policy init <dir> | veil policy apply <dir> <file>';

/** The positionals each verb takes after the dataset folder. */
const ARGUMENTS: Record<string, string[]> = { show: [], init: [], apply: ['policy file'] };

function printChange(io: CliIO, what: string, result: PolicyChangeResult): void {
  io.result(result);
  io.stdout(`${what} ${result.root}/.veil/policy.json (sha256 ${result.sha256}); the change is in the audit log`);
  const rotation = result.rotationNeeded;
  if (rotation) {
    const who = [...rotation.losing.map((recipient) => `${recipient} still opens them`), ...rotation.gaining.map((recipient) => `${recipient} cannot open them yet`)];
    io.stdout(
      `commits now encrypt to the policy's opening roles, but ${rotation.objects} vault object(s) keep the recipients they were encrypted to (${who.join('; ')}): ` +
        'run `veil recipients rotate <dir> --identity FILE` to re-encrypt them',
    );
  }
  printCheckpoint(io, result.checkpoint);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...paths] = parseCommandArgs(argv, {}, USAGE).positionals;
  const expected = ARGUMENTS[verb ?? ''];
  if (!expected) throw new UsageError(`unknown policy command "${verb ?? ''}"\nusage: ${USAGE}`);
  if (paths.length !== expected.length + 1) throw new UsageError(`expected a dataset folder${expected.map((what) => ` and a ${what}`).join('')}\nusage: ${USAGE}`);
  const [root, file] = paths.map((path) => resolve(io.cwd, path));
  return withDaemon(io, async (client) => {
    if (verb === 'show') {
      const shown = await client.request('policy/show', { root });
      io.result(shown);
      io.stdout(JSON.stringify(shown.policy, null, 2));
      io.stderr(shown.present ? `effective policy of ${shown.root}/.veil/policy.json (sha256 ${shown.sha256}), defaults filled in` : `${shown.root} has no .veil/policy.json: these are the defaults`);
    } else if (verb === 'init') {
      printChange(io, 'wrote the starter policy to', await client.request('policy/init', { root }));
      io.stdout('edit it (README "Governance: policy"), then put it in place with `veil policy apply <dir> <file>`');
    } else {
      printChange(io, 'put in place', await client.request('policy/apply', { root, file }));
    }
    return EXIT.ok;
  });
}
