/** `veil verify <dir>`: check the audit chain, the committed images, the vault; non-zero exit on any finding. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isCheckpoint, type Checkpoint, type VerifyResult } from '../../daemon/protocol';
import { onePositional, parseCommandArgs } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { progressPrinter } from '../progress';
import { formatTable } from '../table';
import { EXIT } from '../exitCodes';

const USAGE = 'veil verify <dir> [--identity FILE] [--redetect] [--full] [--checkpoint \'{"entries":N,"head":"…"}\' | FILE] [--signer veil-ed25519:… …]';

/** The checkpoint from JSON given inline or from a file (which may hold the `checkpoint: {…}` line a commit printed). */
async function readCheckpoint(value: string | undefined, cwd: string): Promise<Checkpoint | undefined> {
  if (value === undefined) return undefined;
  const text = value.trimStart().startsWith('{') ? value : await readFile(resolve(cwd, value), 'utf8').catch(() => '');
  const json = text.slice(text.lastIndexOf('{'), text.lastIndexOf('}') + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (!isCheckpoint(parsed)) throw new UsageError(`--checkpoint needs {"entries":N,"head":"<sha256 hex>"} inline or in a file (got "${value}")`);
  return parsed;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { identity: { type: 'string' }, redetect: { type: 'boolean' }, checkpoint: { type: 'string' }, full: { type: 'boolean' }, signer: { type: 'string', multiple: true } },
    USAGE,
  );
  const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', USAGE));
  const params = {
    root,
    identity: values.identity ? resolve(io.cwd, values.identity) : undefined,
    redetect: values.redetect,
    checkpoint: await readCheckpoint(values.checkpoint, io.cwd),
    full: values.full,
    signers: values.signer,
  };
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(io, (client) => client.request('dataset/verify', params, { onProgress: progressPrinter(io, 'verifying'), signal: interrupt.signal }));
    io.result(result);
    printReport(io, result, params.identity !== undefined);
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    interrupt.dispose();
  }
}

function printReport(io: CliIO, result: VerifyResult, decrypted: boolean): void {
  const { auditEntries, images, vaultObjects, signatures } = result.checked;
  const vaultCheck = decrypted ? 'decrypted and compared' : 'matched against audited hashes';
  io.stdout(`checked ${auditEntries} audit entries, ${images} committed images, ${vaultObjects} vault objects (${vaultCheck}), ${signatures} checkpoint signatures`);
  const signed = result.signedThrough;
  if (signed) io.stdout(`signed: the first ${signed.entries} audit entries, by ${signed.signer} at ${signed.signedAt}`);
  if (result.ok) io.stdout('ok: no findings');
  else for (const line of formatTable(['finding', 'file', 'detail'], result.findings.map((f) => [f.kind, f.file ?? '', f.message]))) io.stdout(line);
  // What this run could not prove: not findings, but a user must know them before trusting an "ok".
  for (const limit of result.limits) io.stdout(`not proven: ${limit}`);
  if (!result.ok) io.stderr(`${result.findings.length} finding(s)`);
}
