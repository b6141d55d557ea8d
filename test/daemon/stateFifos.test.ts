/**
 * Issue #9: a named pipe (FIFO) put in place of one of Veil's own files under `.veil/` — the review state, its
 * log, the audit log, recipients, a lock, the commit journal, a vault object — is refused naming that file (or,
 * by verify, reported as a finding of it). Before,
 * opening it waited forever for a writer, inside one of libuv's four pool threads, and the request never answered.
 * The real daemon over stdio; each request must answer (result or coded error) within a bound.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ErrorCode, type Box } from '../../daemon/protocol';
import { vaultObjectRelative, veilRelative } from '../../daemon/dataset/layout';
import { DaemonError } from '../../client/daemonClient';
import { auditedFiles } from '../../daemon/audit/committed';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';

/** Resolves with what the request did, or rejects naming it when it takes longer than `ms`. */
async function answerWithin(ms: number, what: string, request: Promise<unknown>): Promise<{ result: unknown } | { error: DaemonError }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (blocked on the FIFO?)`)), ms);
  });
  try {
    return await Promise.race([
      request.then(
        (result) => ({ result }),
        (error: unknown) => {
          assert.ok(DaemonError.is(error), `${what}: ${String(error)}`);
          return { error };
        },
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a FIFO in place of a file under .veil/ is refused naming it, never waited on (issue #9; real daemon)', function () {
  this.timeout(240_000);
  let prepared: { root: string; boxes: Box[]; vaultObject: string };
  let daemon: TestDaemon | undefined;

  before(async () => {
    // A dataset that has every state file: detected, one image reviewed and committed (vault object, audit log).
    const root = tempDir('veil-fifo-prepared-');
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'b.png');
    const setup = await startDaemon();
    try {
      await setup.client.request('dataset/detect', { root });
      const a = await setup.client.request('review/get', { root, file: 'a.png' });
      const accepted = a.boxes.map((box) => ({ ...box, state: 'accepted' as const }));
      await setup.client.request('review/update', { root, file: 'a.png', boxes: accepted, status: 'reviewed' });
      await setup.client.request('keys/create', { out: join(tempDir('veil-fifo-key-'), 'identity.txt'), addTo: root });
      const committed = await setup.client.request('dataset/commit', { root });
      assert.deepEqual(committed.committed, ['a.png']);
      const b = await setup.client.request('review/get', { root, file: 'b.png' });
      prepared = { root, boxes: b.boxes.map((box) => ({ ...box, state: 'accepted' as const })), vaultObject: '' };
      const verified = await setup.client.request('dataset/verify', { root });
      assert.equal(verified.ok, true, JSON.stringify(verified.findings));
      prepared.vaultObject = (await auditedFiles(root)).commits.get('a.png')!.vaultObject;
    } finally {
      await setup.client.close();
    }
  });

  afterEach(async () => {
    await daemon?.client.close();
    daemon = undefined;
  });

  const cases: Array<{ name: string; file: () => string }> = [
    { name: 'the review state', file: () => veilRelative('reviewSnapshot') },
    { name: 'the review log', file: () => veilRelative('reviewLog') },
    { name: 'the audit log', file: () => veilRelative('auditLog') },
    { name: 'the recipients', file: () => veilRelative('recipients') },
    { name: 'the commit lock', file: () => veilRelative('commitLock') },
    { name: 'the review lock', file: () => veilRelative('reviewLock') },
    { name: 'the audit lock', file: () => veilRelative('auditLock') },
    { name: "the commit journal's plan", file: () => `${veilRelative('journal')}/plan.json` },
    { name: 'the exclusions', file: () => veilRelative('exclusions') },
    { name: 'a vault object', file: () => vaultObjectRelative(prepared.vaultObject) },
  ];

  for (const { name, file } of cases) {
    it(`${name}: every request answers in time, one refuses naming the FIFO, and the daemon serves on`, async () => {
      const root = tempDir('veil-fifo-');
      cpSync(prepared.root, root, { recursive: true });
      const fifo = file();
      rmSync(join(root, fifo), { force: true });
      mkdirSync(join(root, fifo, '..'), { recursive: true });
      execFileSync('mkfifo', [join(root, fifo)]);

      daemon = await startDaemon();
      const client = daemon.client;
      const requests: Array<[string, () => Promise<unknown>]> = [
        ['dataset/open', () => client.request('dataset/open', { root })],
        ['review/get', () => client.request('review/get', { root, file: 'b.png' })],
        ['review/update', () => client.request('review/update', { root, file: 'b.png', boxes: prepared.boxes, status: 'reviewed' })],
        ['dataset/detect', () => client.request('dataset/detect', { root, force: true })],
        ['dataset/commit', () => client.request('dataset/commit', { root })],
        ['dataset/verify', () => client.request('dataset/verify', { root })],
      ];
      const refusals: string[] = [];
      for (const [method, send] of requests) {
        const outcome = await answerWithin(15_000, `${method} with a FIFO at ${fifo}`, send());
        if ('result' in outcome) {
          // verify reports what it cannot read as a finding of that file, not as a failed request.
          const findings = (outcome.result as { findings?: Array<{ file: string; message: string }> }).findings ?? [];
          if (findings.some((finding) => finding.file === fifo && /named pipe \(FIFO\)/.test(finding.message))) refusals.push(method);
          continue;
        }
        assert.notEqual(outcome.error.code, ErrorCode.Internal, `${method}: ${outcome.error.message}`);
        if (outcome.error.file === fifo) {
          assert.match(outcome.error.message, /named pipe \(FIFO\)/, method);
          refusals.push(method);
        }
      }
      assert.ok(refusals.length > 0, `no request refused the FIFO at ${fifo} by name`);
      await answerWithin(5_000, 'models/list afterwards', client.request('models/list', {}));
    });
  }
});
