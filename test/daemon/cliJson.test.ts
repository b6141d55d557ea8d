/**
 * `--json` on every `veil` command (README "CI gate and scripting"), table-driven over the CLI's command table: each
 * command runs as a user runs it (dist/cli.js, its own daemon) on real small datasets, once succeeding and once
 * failing, and stdout must be exactly one JSON document (`{ok, command, exitCode, result | error}`) with the exit
 * code the README documents, stderr NDJSON events only. `CASES` is a record over the command names of cli/main.ts: a
 * new command does not compile here until it has its cases.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandName } from '../../cli/main';
import type { CliEvent } from '../../cli/io';
import type { JsonDocument } from '../../cli/jsonOutput';
import { EXIT } from '../../cli/exitCodes';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { committedDataset, type CommittedDataset } from '../support/committedDataset';
import { newSigningKey } from '../support/monitorFixtures';
import { runCli, type CliRun } from '../support/cli';

interface Fixtures {
  daemon: TestDaemon;
  /** A committed dataset (a.png); the cases below only add audit entries to it (openings, holds, a rotation, a signature). */
  committed: CommittedDataset;
  signingKey: string;
}

interface JsonCase {
  /** The behaviour, for the test's name. */
  shows: string;
  /** The command line after `veil <command>` (without `--json`), after any setup the case needs. */
  args(fx: Fixtures): Promise<string[]>;
  exitCode: number;
  /** The `error.code` of a failure before any result; absent: the command got its result (also for exit 1, 3, 4, 5). */
  error?: string;
  /** At least one progress event on stderr (the long commands). */
  progress?: boolean;
  check?(result: Record<string, unknown>, args: string[]): void;
}

const reason = ['--reason', 'a test says so'];

/** A folder holding the astronaut as `a.png` (and `more` besides), a key its commits encrypt to, optionally detected. */
async function dataset(fx: Fixtures, { detect = true, more = [] as string[] } = {}): Promise<{ root: string; identity: string }> {
  const root = tempDir('veil-json-');
  for (const file of ['a.png', ...more]) place(ASTRONAUT, root, file);
  const identity = join(tempDir('veil-json-key-'), 'id.txt');
  await fx.daemon.client.request('keys/create', { out: identity, addTo: root });
  if (detect) await fx.daemon.client.request('dataset/detect', { root });
  return { root, identity };
}

/** A COCO label file with one face box on `file` (512x512). */
function cocoFile(file: string): string {
  const path = join(tempDir('veil-json-coco-'), 'labels.json');
  const coco = { images: [{ id: 1, file_name: file, width: 512, height: 512 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [175, 75, 95, 110] }], categories: [{ id: 1, name: 'face' }] };
  writeFileSync(path, JSON.stringify(coco));
  return path;
}

const out = (name: string) => join(tempDir('veil-json-out-'), name);

const CASES: Record<CommandName, JsonCase[]> = {
  detect: [
    {
      shows: 'the detection result; --predictions still writes the face-eval file',
      args: async (fx) => [(await dataset(fx, { detect: false })).root, '--predictions', out('predictions.json')],
      exitCode: EXIT.ok,
      progress: true,
      check: (result, args) => {
        assert.deepEqual((result.images as Array<{ file: string }>).map((image) => image.file), ['a.png']);
        assert.ok(existsSync(args[2]!), 'the predictions file');
      },
    },
    { shows: 'a missing folder', args: async () => [join(tempDir(), 'missing')], exitCode: EXIT.failed, error: 'BadPath' },
    {
      shows: 'a system error, by its code: predictions into a folder that does not exist',
      args: async (fx) => [(await dataset(fx, { detect: false })).root, '--predictions', join(tempDir(), 'missing', 'predictions.json')],
      exitCode: EXIT.failed,
      error: 'ENOENT',
    },
  ],
  models: [
    { shows: 'the installed models', args: async () => ['list'], exitCode: EXIT.ok, check: (result) => assert.ok(Array.isArray(result.models) && typeof result.defaultModel === 'string') },
    { shows: 'an unknown model', args: async () => ['install', 'no-such-model'], exitCode: EXIT.failed, error: 'ModelNotFound' },
    { shows: 'an unknown verb', args: async () => ['frobnicate'], exitCode: EXIT.usage, error: 'Usage' },
  ],
  keygen: [
    { shows: 'the recipient and the identity file', args: async () => ['--out', out('id.txt')], exitCode: EXIT.ok, check: (result) => assert.match(String(result.recipient), /^age1/) },
    { shows: 'a stray argument', args: async () => ['stray'], exitCode: EXIT.usage, error: 'Usage' },
  ],
  commit: [
    {
      shows: 'the committed images',
      args: async (fx) => [(await dataset(fx)).root, '--include-unreviewed', '--allow-possible-faces', ...reason],
      exitCode: EXIT.ok,
      progress: true,
      check: (result) => assert.deepEqual(result.committed, ['a.png']),
    },
    {
      shows: 'exit 3 with the files left as they were',
      args: async (fx) => [(await dataset(fx)).root],
      exitCode: EXIT.leftAsIs,
      check: (result) => assert.deepEqual((result.leftAsIs as Array<{ file: string }>).map((item) => item.file), ['a.png']),
    },
  ],
  exclude: [
    { shows: 'the excluded files', args: async (fx) => [(await dataset(fx, { more: ['b.png'] })).root, 'b.png', ...reason], exitCode: EXIT.ok, check: (result) => assert.deepEqual(result.files, ['b.png']) },
    { shows: 'no reason', args: async (fx) => [fx.committed.root, 'a.png'], exitCode: EXIT.usage, error: 'Usage' },
  ],
  include: [
    {
      shows: 'the files taken back',
      args: async (fx) => {
        const { root } = await dataset(fx, { more: ['b.png'] });
        await fx.daemon.client.request('dataset/exclude', { root, files: ['b.png'], reason: 'a test says so' });
        return [root, 'b.png'];
      },
      exitCode: EXIT.ok,
      check: (result) => assert.deepEqual(result.files, ['b.png']),
    },
    { shows: 'a file that does not exist', args: async (fx) => [fx.committed.root, 'nothere.png'], exitCode: EXIT.failed, error: 'BadPath' },
  ],
  verify: [
    { shows: 'no findings', args: async (fx) => [fx.committed.root], exitCode: EXIT.ok, progress: true, check: (result) => assert.equal(result.ok, true) },
    {
      shows: 'exit 1 with the finding of an output changed after its commit',
      args: async (fx) => {
        const { root } = await committedDataset(fx.daemon.client);
        place(ASTRONAUT, root, 'a.png');
        return [root];
      },
      exitCode: EXIT.failed,
      check: (result) => assert.ok((result.findings as Array<{ kind: string }>).length > 0 && result.ok === false),
    },
  ],
  open: [
    {
      shows: 'the opening',
      args: async (fx) => [fx.committed.root, 'a.png', '--identity', fx.committed.identity, '--out', out('a.png'), '--purpose', 'audit'],
      exitCode: EXIT.ok,
      check: (result) => assert.equal(result.purpose, 'audit'),
    },
    { shows: 'a refusal without a purpose', args: async (fx) => [fx.committed.root, 'a.png', '--identity', fx.committed.identity, '--out', out('a.png')], exitCode: EXIT.failed, error: 'PurposeRefused' },
  ],
  recipients: [
    { shows: 'the recipients', args: async (fx) => ['list', fx.committed.root], exitCode: EXIT.ok, check: (result) => assert.equal((result.recipients as unknown[]).length, 1) },
    { shows: 'a rotation', args: async (fx) => ['rotate', fx.committed.root, '--identity', fx.committed.identity], exitCode: EXIT.ok, progress: true, check: (result) => assert.equal((result.changes as unknown[]).length, 1) },
    { shows: 'a recipient that is no age key', args: async (fx) => ['add', fx.committed.root, 'age1bogus', '--identity', fx.committed.identity], exitCode: EXIT.failed, error: 'KeyError' },
  ],
  policy: [
    { shows: 'the effective policy', args: async (fx) => ['show', fx.committed.root], exitCode: EXIT.ok, check: (result) => assert.equal(typeof result.policy, 'object') },
    {
      shows: 'a malformed policy file, named',
      args: async (fx) => {
        const file = out('policy.json');
        writeFileSync(file, '{"bogus":1}');
        return ['apply', fx.committed.root, file];
      },
      exitCode: EXIT.failed,
      error: 'Corrupt',
    },
  ],
  signer: [
    { shows: 'the public key', args: async () => ['create', '--out', out('signing.pem')], exitCode: EXIT.ok, check: (result) => assert.match(String(result.publicKey), /^veil-ed25519:/) },
    { shows: 'a key inside a dataset', args: async (fx) => ['create', '--out', join(fx.committed.root, 'signing.pem')], exitCode: EXIT.failed, error: 'BadPath' },
  ],
  checkpoint: [
    { shows: 'the signed checkpoint', args: async (fx) => ['sign', fx.committed.root, '--key', fx.signingKey], exitCode: EXIT.ok, check: (result) => assert.equal(typeof result.checkpoint, 'object') },
    { shows: 'an empty audit log', args: async (fx) => ['sign', tempDir('veil-json-empty-'), '--key', fx.signingKey], exitCode: EXIT.failed, error: 'InvalidParams' },
  ],
  audit: [
    { shows: 'the trail, nothing flagged', args: async (fx) => [(await dataset(fx)).root], exitCode: EXIT.ok, check: (result) => assert.equal(result.ok, true) },
    { shows: 'a time that is none', args: async (fx) => [fx.committed.root, '--since', 'yesterday-ish'], exitCode: EXIT.usage, error: 'Usage' },
  ],
  report: [
    { shows: 'the report and its evidence', args: async (fx) => [fx.committed.root, '--no-redetect', '--out', out('report.html')], exitCode: EXIT.ok, check: (result) => assert.ok(existsSync(String(result.evidence))) },
    { shows: 'evidence that does not exist', args: async () => ['--check', out('missing.json')], exitCode: EXIT.failed, error: 'BadPath' },
  ],
  purge: [
    { shows: 'a dry run', args: async (fx) => [fx.committed.root, '--dry-run'], exitCode: EXIT.ok, check: (result) => assert.equal(result.dryRun, true) },
    { shows: 'exit 1 with an original refused before its retention ran out', args: async (fx) => [fx.committed.root, 'a.png'], exitCode: EXIT.failed, check: (result) => assert.equal((result.refused as unknown[]).length, 1) },
  ],
  hold: [
    { shows: 'the held files', args: async (fx) => [fx.committed.root, 'a.png', ...reason], exitCode: EXIT.ok, check: (result) => assert.deepEqual(result.files, ['a.png']) },
    { shows: 'no file', args: async (fx) => [fx.committed.root, ...reason], exitCode: EXIT.usage, error: 'Usage' },
  ],
  release: [
    {
      shows: 'the released files',
      args: async (fx) => {
        await fx.daemon.client.request('retention/hold', { root: fx.committed.root, files: ['a.png'], reason: 'a test says so' });
        return [fx.committed.root, 'a.png', ...reason];
      },
      exitCode: EXIT.ok,
      check: (result) => assert.deepEqual(result.files, ['a.png']),
    },
    { shows: 'no reason', args: async (fx) => [fx.committed.root, 'a.png'], exitCode: EXIT.usage, error: 'Usage' },
  ],
  restore: [
    {
      shows: 'the restored originals',
      args: async (fx) => {
        const { root, identity } = await committedDataset(fx.daemon.client);
        return [root, '--identity', identity, '--purpose', 'audit'];
      },
      exitCode: EXIT.ok,
      progress: true,
      check: (result) => assert.deepEqual(result.restored, ['a.png']),
    },
    { shows: 'no identity', args: async (fx) => [fx.committed.root, '--purpose', 'audit'], exitCode: EXIT.usage, error: 'Usage' },
  ],
  backup: [
    { shows: 'the generation written', args: async (fx) => [fx.committed.root, tempDir('veil-json-backup-')], exitCode: EXIT.ok, progress: true, check: (result) => assert.equal(result.generation, 1) },
    { shows: 'a prune without --keep', args: async () => ['prune', tempDir('veil-json-backup-')], exitCode: EXIT.usage, error: 'Usage' },
  ],
  'restore-backup': [
    {
      shows: 'the restored generation',
      args: async (fx) => {
        const backup = tempDir('veil-json-backup-');
        await fx.daemon.client.request('backup/create', { root: fx.committed.root, destination: backup });
        return [backup, join(tempDir('veil-json-rebuilt-'), 'dataset'), '--identity', fx.committed.identity];
      },
      exitCode: EXIT.ok,
      progress: true,
      check: (result) => assert.equal(result.generation, 1),
    },
    { shows: 'a folder that is no backup', args: async (fx) => [tempDir('veil-json-nobackup-'), join(tempDir(), 'dataset'), '--identity', fx.committed.identity], exitCode: EXIT.failed, error: 'BadPath' },
  ],
  export: [
    { shows: 'the label file written', args: async (fx) => [fx.committed.root, '--format', 'coco', '--out', out('faces.json')], exitCode: EXIT.ok, check: (result) => assert.equal(result.images, 1) },
    { shows: 'no format', args: async (fx) => [fx.committed.root], exitCode: EXIT.usage, error: 'Usage' },
  ],
  import: [
    { shows: 'the boxes imported', args: async (fx) => [(await dataset(fx)).root, '--format', 'coco', cocoFile('a.png')], exitCode: EXIT.ok, check: (result) => assert.equal(result.imported, true) },
    {
      shows: 'exit 1 with each file that does not fit, nothing imported',
      args: async (fx) => [(await dataset(fx)).root, '--format', 'coco', cocoFile('unknown.png')],
      exitCode: EXIT.failed,
      check: (result) => assert.deepEqual([result.imported, (result.problems as Array<{ file: string }>).map((problem) => problem.file)], [false, ['unknown.png']]),
    },
  ],
  status: [
    { shows: 'the counts, every image committed', args: async (fx) => [fx.committed.root, '--require', 'committed'], exitCode: EXIT.ok, check: (result) => assert.equal(result.met, true) },
    {
      shows: 'exit 5 with each image that falls short',
      args: async (fx) => [(await dataset(fx)).root, '--require', 'reviewed'],
      exitCode: EXIT.requirementUnmet,
      check: (result) => assert.deepEqual(result.shortfall, [{ file: 'a.png', message: 'not reviewed' }]),
    },
    { shows: 'a requirement that is none', args: async (fx) => [fx.committed.root, '--require', 'everything'], exitCode: EXIT.usage, error: 'Usage' },
  ],
};

/** Stdout as exactly one JSON document, and every stderr line as an NDJSON event. */
function parseRun(run: CliRun): { document: JsonDocument; events: CliEvent[] } {
  let document: JsonDocument;
  try {
    document = JSON.parse(run.stdout) as JsonDocument;
  } catch (error) {
    assert.fail(`stdout is not one JSON document (${(error as Error).message}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  const events = run.stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as CliEvent;
      } catch {
        return assert.fail(`a stderr line is no NDJSON event: ${line}`);
      }
    });
  for (const event of events) assert.ok(event.event === 'progress' || event.event === 'message', JSON.stringify(event));
  return { document, events };
}

describe('veil --json: one JSON document on stdout for every command, NDJSON on stderr, the documented exit codes', function () {
  this.timeout(300_000);
  const fx = {} as Fixtures;
  before(async () => {
    fx.daemon = await startDaemon();
    fx.committed = await committedDataset(fx.daemon.client);
    fx.signingKey = (await newSigningKey(fx.daemon.client)).keyFile;
  });
  after(async () => fx.daemon?.client.close());

  it('covers every command of `veil help`, each with a success and a failure', async () => {
    const { document } = parseRun(await runCli(['help', '--json']));
    const listed = (document.result as { commands: Array<{ name: string }> }).commands.map((command) => command.name);
    assert.deepEqual(listed.sort(), Object.keys(CASES).sort());
    for (const [command, cases] of Object.entries(CASES)) {
      assert.ok(cases.some((c) => c.exitCode === EXIT.ok), `${command}: no success case`);
      assert.ok(cases.some((c) => c.exitCode !== EXIT.ok), `${command}: no failure case`);
    }
  });

  for (const [command, cases] of Object.entries(CASES)) {
    for (const testCase of cases) {
      it(`${command} --json: ${testCase.shows} (exit ${testCase.exitCode})`, async () => {
        const args = await testCase.args(fx);
        const run = await runCli([command, ...args, '--json']);
        const { document, events } = parseRun(run);
        const context = `${run.stdout}\nstderr:\n${run.stderr}`;
        assert.equal(run.code, testCase.exitCode, context);
        assert.deepEqual([document.command, document.exitCode, document.ok], [command, testCase.exitCode, testCase.exitCode === EXIT.ok], context);
        if (testCase.error) {
          assert.equal(document.result, undefined, context);
          assert.equal(document.error?.code, testCase.error, context);
          assert.ok(document.error?.message, context);
        } else {
          assert.equal(document.error, undefined, context);
          assert.equal(typeof document.result, 'object', context);
          testCase.check?.(document.result as Record<string, unknown>, args);
        }
        if (testCase.progress) assert.ok(events.some((event) => event.event === 'progress' && event.total >= 0), `no progress event:\n${run.stderr}`);
      });
    }
  }

  it('--help under --json is the usage as the result; a --json after -- is a positional, not the flag', async () => {
    const { document } = parseRun(await runCli(['status', '--help', '--json']));
    assert.deepEqual([document.ok, document.result], [true, { usage: 'veil status <dir> [--require reviewed|committed|verified]' }]);
    const positional = await runCli(['status', '--', '--json']);
    assert.equal(positional.code, EXIT.failed, 'a dataset folder named --json that does not exist');
    assert.match(positional.stderr, /^veil status: .*--json: dataset folder does not exist/m);
    assert.equal(positional.stdout, '');
  });
});
