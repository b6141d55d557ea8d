/**
 * The `veil` command line: each subcommand is a module; errors become one clear line and an exit code. `--json`, on any
 * command, is taken off here: the command then runs with cli/jsonOutput.ts's output (one JSON document on stdout).
 */
import { HelpRequested, processIO, UsageError, type CliIO } from './io';
import { failureLine, failureOf, JsonOutput, takeJsonFlag, type CliFailure } from './jsonOutput';
import * as commit from './commands/commit';
import * as detect from './commands/detect';
import { exclude, include } from './commands/exclusions';
import * as keygen from './commands/keygen';
import * as models from './commands/models';
import * as open from './commands/open';
import * as recipients from './commands/recipients';
import * as verify from './commands/verify';
import * as policy from './commands/policy';
import * as signer from './commands/signer';
import * as checkpoint from './commands/checkpoint';
import * as audit from './commands/audit';
import * as report from './commands/report';
import * as purge from './commands/purge';
import { hold, release } from './commands/hold';
import * as restore from './commands/restore';
import * as backup from './commands/backup';
import * as restoreBackup from './commands/restoreBackup';
import { exportAnnotations, importAnnotations } from './commands/annotations';
import * as status from './commands/status';
import { EXIT } from './exitCodes';

type Command = { run(argv: string[], io: CliIO): Promise<number> };

const COMMANDS = {
  detect: { command: detect, summary: 'propose face boxes for every image in a folder' },
  models: { command: models, summary: 'list, install or add face detection models' },
  keygen: { command: keygen, summary: 'create an identity (private key file) and print its recipient' },
  commit: { command: commit, summary: 'anonymize reviewed images, encrypt the originals, write the audit log' },
  exclude: { command: exclude, summary: 'leave files as they are in every commit, for a reason (audited)' },
  include: { command: include, summary: 'take an exclusion back (audited)' },
  verify: { command: verify, summary: 'check the audit log, committed images and vault of a dataset' },
  open: { command: open, summary: 'decrypt one original from the vault for a purpose (logged before it happens; a refusal is logged too)' },
  recipients: { command: recipients, summary: 'list, add or remove who can open the originals, or rotate their keys (re-encrypts the vault)' },
  policy: { command: policy, summary: "show, start or replace the dataset's governance policy (audited)" },
  signer: { command: signer, summary: 'create a key that signs audit checkpoints and print its public key' },
  checkpoint: { command: checkpoint, summary: "sign the audit log's current checkpoint with a signing key" },
  audit: { command: audit, summary: 'read the audit trail, filtered, and flag suspicious activity (exit 4 when flagged)' },
  report: { command: report, summary: 'write a compliance report (HTML) and signed evidence (JSON), or --check one' },
  purge: { command: purge, summary: 'remove encrypted originals past their retention from the vault (crypto-shredding, audited)' },
  hold: { command: hold, summary: "keep images' originals past their retention, e.g. a legal hold (audited)" },
  release: { command: release, summary: 'take a hold back (audited)' },
  restore: { command: restore, summary: 'put originals back in place of their anonymized images for re-review (audited)' },
  backup: { command: backup, summary: "copy the dataset's protected state to a backup folder, incrementally, encrypted (audited); `backup prune` removes old generations" },
  'restore-backup': { command: restoreBackup, summary: "rebuild a dataset's .veil/ from a backup folder onto an empty machine" },
  export: { command: exportAnnotations, summary: 'write the face boxes as COCO, YOLO, Pascal VOC or Label Studio labels, or (--redactions) the redacted regions as COCO ignore regions' },
  import: { command: importAnnotations, summary: 'load face boxes from COCO, YOLO, Pascal VOC or Label Studio labels, all or nothing (audited)' },
  status: { command: status, summary: 'count the images by status; --require reviewed|committed|verified exits 5 while any falls short (for hooks and CI)' },
} satisfies Record<string, { command: Command; summary: string }>;

/** The names of the commands (test/daemon/cliJson.test.ts runs each with `--json`: a new one does not compile there until it has cases). */
export type CommandName = keyof typeof COMMANDS;

const EXIT_CODES = Object.entries(EXIT).map(([meaning, code]) => `${code} ${meaning}`).join(', ');

function help(io: CliIO): void {
  io.result({ commands: Object.entries(COMMANDS).map(([name, { summary }]) => ({ name, summary })), exitCodes: EXIT });
  io.stdout('usage: veil <command> [options] [--json]\n');
  for (const [name, { summary }] of Object.entries(COMMANDS)) io.stdout(`  ${name.padEnd(14)} ${summary}`);
  io.stdout('\nRun `veil <command> --help` for the options of one command.');
  io.stdout('--json (every command): stdout holds one JSON document, progress goes to stderr as NDJSON (README "CI gate and scripting").');
  io.stdout(`Exit codes: ${EXIT_CODES} (README "Exit codes").`);
}

/** Runs one command; a thrown error becomes its failure (the exit code it documents, and what to say). */
async function dispatch(name: string | undefined, rest: string[], io: CliIO): Promise<{ exitCode: number; failure?: CliFailure }> {
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name ? { exitCode: EXIT.ok } : { exitCode: EXIT.usage, failure: failureOf(new UsageError('no command given')) };
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    help(io);
    return { exitCode: EXIT.usage, failure: failureOf(new UsageError(`unknown command "${name}"`)) };
  }
  try {
    return { exitCode: await COMMANDS[name as CommandName].command.run(rest, io) };
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.result({ usage: error.usage });
      io.stdout(`usage: ${error.usage}`);
      return { exitCode: EXIT.ok };
    }
    if (io.env.VEIL_DEBUG && !(error instanceof UsageError)) io.stderr((error as Error).stack ?? '');
    const failure = failureOf(error);
    return { exitCode: failure.exitCode, failure };
  }
}

export async function runCli(argv: string[], processIo: CliIO): Promise<number> {
  const { json, argv: args } = takeJsonFlag(argv);
  const output = json ? new JsonOutput(processIo) : undefined;
  const [name, ...rest] = args;
  const { exitCode, failure } = await dispatch(name, rest, output?.io ?? processIo);
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
  if (output) output.finish(command ?? name ?? '', exitCode, failure);
  else if (failure) processIo.stderr(failureLine(command, failure));
  return exitCode;
}

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
