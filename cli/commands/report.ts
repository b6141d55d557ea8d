/**
 * `veil report <dir>`: the compliance report (README "Compliance report"): a self-contained HTML page and a signed JSON
 * evidence file, in `.veil/reports/` or at `--out`. `veil report --check FILE`: the evidence's signature against the
 * dataset's trusted signers (or `--signer`), and the dataset's log against the head it states.
 */
import { resolve } from 'node:path';
import type { ReportCheckResult, ReportCreateResult } from '../../daemon/protocol';
import { parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { identityPassphrase } from '../passphrase';
import { progressPrinter } from '../progress';
import { signingKeyPath } from '../signingKey';
import { EXIT } from '../exitCodes';

const USAGE =
  'veil report <dir> [--out FILE.html] [--sign KEYFILE (default: VEIL_SIGNING_KEY)] [--identity FILE] [--no-redetect]\n' +
  '       veil report --check EVIDENCE.json [<dir>] [--signer veil-ed25519:… …]';

function printCreated(io: CliIO, result: ReportCreateResult): void {
  io.result(result);
  io.stdout(`report:   ${result.html}`);
  io.stdout(`evidence: ${result.evidence}`);
  if (result.signed) {
    io.stdout(`signed by ${result.signed.signer} (${result.signed.publicKey})`);
    if (!result.signed.trusted) io.stderr("warning: the dataset's policy does not list this key among its signers: `veil report --check` refuses the evidence until it does");
  } else {
    io.stderr('warning: the evidence is not signed (no --sign and no VEIL_SIGNING_KEY): `veil report --check` refuses it');
  }
  io.stdout(`states the audit log at ${result.checkpoint.entries} entries, head ${result.checkpoint.head}`);
  io.stdout(`verification: ${result.findings === 0 ? 'no findings' : `${result.findings} finding(s)`}; monitoring: ${result.flags === 0 ? 'nothing flagged' : `${result.flags} flag(s)`} (each is in the report)`);
}

function printChecked(io: CliIO, result: ReportCheckResult): void {
  io.result(result);
  const { signature } = result;
  io.stdout(`evidence of ${result.generatedAt}, audit log at ${result.checkpoint.entries} entries, head ${result.checkpoint.head}`);
  if (signature) io.stdout(`signed by ${signature.signer} at ${signature.signedAt} (${signature.publicKey}): ${signature.valid ? 'valid' : 'INVALID'}, ${signature.trusted ? 'trusted' : 'not trusted'}`);
  io.stdout(result.root ? `compared with the dataset ${result.root}` : 'no dataset to compare the head with (give its folder)');
  if (result.ok) io.stdout('ok: the evidence is authentic');
  for (const problem of result.problems) io.stderr(`problem: ${problem}`);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { out: { type: 'string' }, sign: { type: 'string' }, identity: { type: 'string' }, 'no-redetect': { type: 'boolean' }, check: { type: 'string' }, signer: { type: 'string', multiple: true } },
    USAGE,
  );
  if (values.check !== undefined) {
    if (positionals.length > 1 || values.out || values.sign || values.identity || values['no-redetect']) throw new UsageError(`--check takes the evidence file, a dataset folder and --signer only\nusage: ${USAGE}`);
    const params = { file: resolve(io.cwd, values.check), root: positionals[0] && resolve(io.cwd, positionals[0]), signers: values.signer };
    const result = await withDaemon(io, (client) => client.request('report/check', params));
    printChecked(io, result);
    return result.ok ? EXIT.ok : EXIT.failed;
  }
  if (positionals.length !== 1 || values.signer) throw new UsageError(`expected one dataset folder (--signer goes with --check)\nusage: ${USAGE}`);
  const root = resolve(io.cwd, positionals[0]);
  const identity = values.identity ? resolve(io.cwd, values.identity) : undefined;
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, async (client) => {
      const passphrase = identity ? await identityPassphrase(io, client, identity) : undefined;
      const params = { root, out: values.out && resolve(io.cwd, values.out), signingKey: signingKeyPath(values.sign, io), identity, passphrase, redetect: !values['no-redetect'] };
      return client.request('report/create', params, { onProgress: progressPrinter(io, 'verifying'), signal: interrupt.signal });
    });
    printCreated(io, result);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}
