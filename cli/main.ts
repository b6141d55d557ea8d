/** The `veil` command line: each subcommand is a module; errors become one clear line and an exit code. */
import { DaemonError } from '../client/daemonClient';
import { HelpRequested, processIO, UsageError, type CliIO } from './io';
import * as commit from './commands/commit';
import * as detect from './commands/detect';
import * as keygen from './commands/keygen';
import * as models from './commands/models';
import * as open from './commands/open';
import * as verify from './commands/verify';

type Command = { run(argv: string[], io: CliIO): Promise<number> };

const COMMANDS: Record<string, { command: Command; summary: string }> = {
  detect: { command: detect, summary: 'propose face boxes for every image in a folder' },
  models: { command: models, summary: 'list, install or add face detection models' },
  keygen: { command: keygen, summary: 'create an identity (private key file) and print its recipient' },
  commit: { command: commit, summary: 'anonymize reviewed images, encrypt the originals, write the audit log' },
  verify: { command: verify, summary: 'check the audit log, committed images and vault of a dataset' },
  open: { command: open, summary: 'decrypt one original from the vault (logged before it happens)' },
};

function help(io: CliIO): void {
  io.stdout('usage: veil <command> [options]\n');
  for (const [name, { summary }] of Object.entries(COMMANDS)) io.stdout(`  ${name.padEnd(10)} ${summary}`);
  io.stdout('\nRun `veil <command> --help` for the options of one command.');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`veil: unknown command "${name}"`);
    help(io);
    return 2;
  }
  try {
    return await entry.command.run(rest, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(`usage: ${error.usage}`);
      return 0;
    }
    if (error instanceof UsageError) {
      io.stderr(`veil ${name}: ${error.message}`);
      return 2;
    }
    if (DaemonError.is(error)) {
      io.stderr(`veil ${name}: ${error.file ? `${error.file}: ` : ''}${error.message}`);
      return 1;
    }
    io.stderr(`veil ${name}: ${(error as Error).message ?? String(error)}`);
    if (io.env.VEIL_DEBUG) io.stderr((error as Error).stack ?? '');
    return 1;
  }
}

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
