/** The `veil` command line: each subcommand is a module; errors become one clear line and an exit code. */
import { DaemonError } from '../client/daemonClient';
import { HelpRequested, processIO, UsageError, type CliIO } from './io';
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

const COMMANDS: Record<string, { command: Command; summary: string }> = {
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
  export: { command: exportAnnotations, summary: 'write the face boxes as COCO, YOLO, Pascal VOC or Label Studio labels' },
  import: { command: importAnnotations, summary: 'load face boxes from COCO, YOLO, Pascal VOC or Label Studio labels, all or nothing (audited)' },
  status: { command: status, summary: 'count the images by status; --require reviewed|committed exits 5 while any falls short (for hooks and CI)' },
};

function help(io: CliIO): void {
  io.stdout('usage: veil <command> [options]\n');
  for (const [name, { summary }] of Object.entries(COMMANDS)) io.stdout(`  ${name.padEnd(14)} ${summary}`);
  io.stdout('\nRun `veil <command> --help` for the options of one command.');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`veil: unknown command "${name}"`);
    help(io);
    return EXIT.usage;
  }
  try {
    return await entry.command.run(rest, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(`usage: ${error.usage}`);
      return EXIT.ok;
    }
    if (error instanceof UsageError) {
      io.stderr(`veil ${name}: ${error.message}`);
      return EXIT.usage;
    }
    if (DaemonError.is(error)) {
      io.stderr(`veil ${name}: ${error.file ? `${error.file}: ` : ''}${error.message}`);
      return EXIT.failed;
    }
    io.stderr(`veil ${name}: ${(error as Error).message ?? String(error)}`);
    if (io.env.VEIL_DEBUG) io.stderr((error as Error).stack ?? '');
    return EXIT.failed;
  }
}

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
