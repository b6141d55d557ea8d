/**
 * A writer killed between its audit line and its review write, in each window where that can happen: a review edit
 * and a dataset detection run. Real daemons over stdio, killed with SIGKILL while a preloaded stall holds them inside
 * the window (reviewAppendStall.worker.ts), so that each window is hit every time. Afterwards verify reports the
 * record the audit log does not explain, a writer's reconcile records what the state holds, and verify is clean.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../../daemon/protocol';
import { boxesSha256 } from '../../daemon/audit/events';
import { openReconciled, startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { addKey } from '../support/commitFixtures';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { readReviewImages } from '../support/reviewFiles';
import { auditLines, unexplainedFiles } from '../support/reviewAudit';

const STALL = join(__dirname, 'reviewAppendStall.worker.js');

/** A daemon whose `nth` review log append never completes (after its audit line is on disk). */
function stallingDaemon(nth: number): Promise<TestDaemon> {
  return startDaemon({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${STALL}`, VEIL_TEST_STALL_REVIEW_APPEND: String(nth) });
}

async function killWhenStalled(daemon: TestDaemon): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!daemon.stderr.some((line) => line.includes('review append stalled'))) {
    assert.ok(Date.now() < deadline, `the daemon never reached its review append: ${daemon.stderr.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  daemon.client.kill('SIGKILL');
  await daemon.client.exited;
}

async function verifyFindings(daemon: TestDaemon, root: string): Promise<Array<[string, string | undefined]>> {
  const { findings } = await daemon.client.request('dataset/verify', { root });
  return findings.map((finding) => [finding.kind, finding.file]);
}

describe('review state explained by the audit log, after a kill in the write-ahead window', function () {
  this.timeout(120_000);
  const daemons: TestDaemon[] = [];
  const start = async (daemon: Promise<TestDaemon>) => {
    daemons.push(await daemon);
    return daemons[daemons.length - 1];
  };
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((daemon) => daemon.client.close()));
  });

  it('an edit killed after its audit line: verify reports it, opening the dataset reconciles it, commit wants a new decision', async () => {
    const root = tempDir();
    place(ASTRONAUT, root, 'a.png');
    const editor = await start(startDaemon());
    await editor.client.request('dataset/detect', { root });
    const detected = await editor.client.request('review/get', { root, file: 'a.png' });
    const accepted: Box[] = detected.boxes.map((box) => ({ ...box, state: 'accepted' }));
    const reviewed = await editor.client.request('review/update', { root, file: 'a.png', boxes: accepted, status: 'reviewed' });

    // A second editor moves a box of the reviewed image and is killed between the decision's audit line and its write.
    const killed = await start(stallingDaemon(1));
    const moved = reviewed.boxes.map((box, i) => (i === 0 ? { ...box, x: box.x + 4, edited: true } : box));
    void killed.client.request('review/update', { root, file: 'a.png', boxes: moved, baseRevision: reviewed.revision }).catch(() => undefined);
    await killWhenStalled(killed);
    const decision = auditLines(root).at(-1)!;
    assert.equal(decision.type, 'review-change');
    assert.equal(decision.boxesSha256, boxesSha256(moved));
    assert.equal(decision.revision, reviewed.revision! + 1);
    assert.deepEqual(readReviewImages(root)['a.png'].boxes, reviewed.boxes, 'the killed edit was written after all');
    assert.deepEqual(unexplainedFiles(root), ['a.png']);

    // Verify only reads: a fresh daemon's verify reports the record, and reports it again when asked again.
    const checker = await start(startDaemon());
    assert.deepEqual(await verifyFindings(checker, root), [['review-unaudited', 'a.png']]);
    const { findings } = await checker.client.request('dataset/verify', { root });
    assert.match(findings[0].message, /holds "reviewed" .* last says "reviewed" .*review-change.*never written/);

    // Opening the dataset for review records what the state holds, once (once its answer is out).
    await openReconciled(checker.client, root);
    const reconcile = auditLines(root).at(-1)!;
    assert.deepEqual(
      { type: reconcile.type, file: reconcile.file, reason: reconcile.reason, status: reconcile.status, boxesSha256: reconcile.boxesSha256, revision: reconcile.revision, lastDecision: reconcile.lastDecision },
      { type: 'review-reconcile', file: 'a.png', reason: 'audited-change-not-written', status: 'reviewed', boxesSha256: boxesSha256(reviewed.boxes), revision: reviewed.revision, lastDecision: decision.seq },
    );
    assert.deepEqual(unexplainedFiles(root), []);
    assert.deepEqual(await verifyFindings(checker, root), []);
    const lines = auditLines(root).length;
    assert.equal((await openReconciled(checker.client, root)).recorded, 0);
    assert.equal(auditLines(root).length, lines, 'a second reconcile found something to record');

    // The reconciled boxes are not a decision: the person's latest decision was the move, so commit refuses the image.
    await addKey(root);
    const original = readFileSync(join(root, 'a.png'));
    const refused = await checker.client.request('dataset/commit', { root });
    assert.match(JSON.stringify(refused), /a\.png.*its boxes differ from the last reviewed decision in the audit log/);
    assert.ok(readFileSync(join(root, 'a.png')).equals(original), 'an image reconciled without a decision was committed');
    // Reviewed again, it is committed.
    const current = await checker.client.request('review/get', { root, file: 'a.png' });
    await checker.client.request('review/update', { root, file: 'a.png', boxes: moved, baseRevision: current.revision });
    await checker.client.request('dataset/commit', { root });
    assert.equal(readReviewImages(root)['a.png'].status, 'committed');
    assert.deepEqual(await verifyFindings(checker, root), []);
  });

  it('a detection run killed mid-batch leaves a detect-image line for every record it wrote; the next run reconciles the group in flight', async () => {
    const root = tempDir();
    const jpeg = await sharp(ASTRONAUT).resize(256, 256).jpeg({ quality: 85 }).toBuffer();
    // More images than one group holds (32), so that the run writes a group and is killed writing the next.
    const files = Array.from({ length: 40 }, (_, i) => `img-${String(i).padStart(2, '0')}.jpg`);
    for (const file of files) writeFileSync(join(root, file), jpeg);
    const first = await start(startDaemon());
    await first.client.request('dataset/detect', { root, threshold: 0.5 });
    assert.deepEqual(unexplainedFiles(root), []);

    // Killed while writing its second group: the first group's records written, the second's lines logged but not its records.
    const killed = await start(stallingDaemon(2));
    void killed.client.request('dataset/detect', { root, force: true, threshold: 0.45 }).catch(() => undefined);
    await killWhenStalled(killed);
    const records = readReviewImages(root);
    const written = files.filter((file) => records[file].detection?.threshold === 0.45);
    const lines = auditLines(root);
    const runLines = lines.filter((line) => line.type === 'detect-image' && (line as { threshold?: number }).threshold === 0.45);
    const inFlight = runLines.slice(written.length);
    assert.ok(written.length > 0 && inFlight.length > 0, `${written.length} records written, ${inFlight.length} lines without a record`);
    assert.deepEqual(
      runLines.map((line) => line.file),
      files.slice(0, runLines.length),
    );
    for (const [i, file] of written.entries()) {
      assert.equal(runLines[i].file, file);
      assert.equal(runLines[i].boxesSha256, boxesSha256(records[file].boxes), `${file}: its line does not say what was written`);
      assert.equal(runLines[i].status, records[file].status);
      assert.equal(runLines[i].revision, records[file].revision);
    }
    // The lines of the group in flight name the revision its write would have had: one more than the last one written.
    assert.deepEqual(new Set(inFlight.map((line) => line.revision)), new Set([records[written.at(-1)!].revision! + 1]));
    assert.notEqual(lines.at(-1)!.type, 'detect-run', 'a killed run wrote its summary');
    const unwritten = inFlight.map((line) => line.file!);
    assert.deepEqual(unexplainedFiles(root), unwritten);
    const checker = await start(startDaemon());
    assert.deepEqual(await verifyFindings(checker, root), unwritten.map((file) => ['review-unaudited', file]));

    // `veil detect` reconciles before it runs, then finishes the images the killed run did not reach.
    const rerun = await runCli(['detect', root, '--threshold', '0.45']);
    assert.equal(rerun.code, 0, rerun.stderr);
    const reconciled = auditLines(root).filter((line) => line.type === 'review-reconcile');
    assert.deepEqual(
      reconciled.map((line) => [line.file, line.reason, line.lastDecision]),
      inFlight.map((line) => [line.file, 'audited-change-not-written', line.seq]),
    );
    assert.deepEqual(unexplainedFiles(root), []);
    assert.deepEqual(await verifyFindings(checker, root), []);
  });
});
