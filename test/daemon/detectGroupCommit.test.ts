/**
 * Detection writes its results in groups (daemon/services/detect.ts, DETECTION_GROUP): one review line holding a
 * group's records, after one audit append holding their detect-image lines. Checked on the files themselves: every
 * record is explained by its own line, a person's edit made while the run goes on is kept, a file a commit holds fails
 * alone. The kill in the window between a group's lines and its records: reviewAuditKill.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type Box, type ImageRecord } from '../../daemon/protocol';
import { boxesSha256 } from '../../daemon/audit/events';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { makeDataset } from '../support/images';
import { readReviewImages } from '../support/reviewFiles';
import { auditLines, unexplainedFiles, type AuditLine } from '../support/reviewAudit';

function reviewLogLines(root: string): Array<{ seq: number; records: ImageRecord[] }> {
  return readFileSync(join(root, '.veil', 'review.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

function detectLines(root: string, threshold: number): AuditLine[] {
  return auditLines(root).filter((line) => line.type === 'detect-image' && (line as { threshold?: number }).threshold === threshold);
}

describe('detection writes its results in groups', function () {
  this.timeout(180_000);
  const daemons: TestDaemon[] = [];
  const start = async () => {
    daemons.push(await startDaemon());
    return daemons[daemons.length - 1];
  };
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((daemon) => daemon.client.close()));
  });

  it('40 images take fewer review lines than images, and each record has its own detect-image line naming its revision and boxes', async () => {
    const root = await makeDataset(40, 256);
    const daemon = await start();
    const result = await daemon.client.request('dataset/detect', { root, threshold: 0.45 });
    assert.equal(result.processed, 40);
    const logLines = reviewLogLines(root);
    assert.ok(logLines.length < 40 && logLines.length >= 2, `${logLines.length} review lines for 40 images (a group holds at most 32)`);
    const records = readReviewImages(root);
    const lines = detectLines(root, 0.45);
    assert.deepEqual(lines.map((line) => line.file).sort(), Object.keys(records).sort());
    for (const line of lines) {
      const record = records[line.file!];
      assert.equal(line.revision, record.revision, `${line.file}: its line names another revision`);
      assert.equal(line.boxesSha256, boxesSha256(record.boxes), `${line.file}: its line does not say what was written`);
      assert.equal(line.status, record.status);
    }
    // A group's lines are one append: those naming one revision are next to each other, in the order of its records.
    for (const { seq, records: written } of logLines) {
      const group = lines.filter((line) => line.revision === seq);
      assert.deepEqual(group.map((line) => line.file), written.map((record) => record.file));
      assert.equal(group.at(-1)!.seq - group[0].seq, group.length - 1, `the lines of revision ${seq} are not one append`);
    }
    assert.deepEqual(unexplainedFiles(root), []);
    assert.deepEqual((await daemon.client.request('dataset/verify', { root })).findings, []);
  });

  it('a person’s edit made from a second daemon while the run goes on is kept when the run writes that image', async () => {
    const root = await makeDataset(60, 256);
    const [detector, editor] = await Promise.all([start(), start()]);
    await detector.client.request('dataset/detect', { root, files: ['img-002.jpg'], threshold: 0.5 });
    const before = await editor.client.request('review/get', { root, file: 'img-002.jpg' });
    const edited: Box[] = before.boxes.map((box, index) => (index === 0 ? { ...box, x: box.x + 9, state: 'accepted', edited: true } : box));
    let edit: Promise<ImageRecord> | undefined;
    // Sent as the run starts: img-002's result waits for its group's write (32 images later), which must fold it into
    // the edited record. (An image is reported done only once written, so a later report comes too late to race.)
    const run = detector.client.request('dataset/detect', { root, threshold: 0.45 }, {
      onProgress: (p) => {
        if (p.done === 0) edit ??= editor.client.request('review/update', { root, file: 'img-002.jpg', boxes: edited, baseRevision: before.revision });
      },
    });
    const result = await run;
    assert.ok(edit, 'the run never reported img-002');
    const saved = await edit;
    assert.equal(result.processed, 60);
    const record = readReviewImages(root)['img-002.jpg'];
    assert.equal(record.detection?.threshold, 0.45, 'the run did not write img-002');
    assert.ok(record.revision! > saved.revision!, 'the edit landed after the run wrote img-002');
    assert.ok(
      record.boxes.some((box) => box.edited && box.state === 'accepted' && box.x === edited[0].x && box.y === edited[0].y),
      `the edited box is gone: ${JSON.stringify(record.boxes)}`,
    );
    assert.deepEqual(unexplainedFiles(root), []);
    assert.deepEqual((await editor.client.request('dataset/verify', { root })).findings, []);
  });

  it('a file a commit holds fails alone: the rest of its group is written', async () => {
    const root = await makeDataset(5, 256);
    mkdirSync(join(root, '.veil', 'journal'), { recursive: true });
    const plan = { commitId: 'c1', startedAt: new Date().toISOString(), actor: { osUser: 'x', reviewer: 'x' }, options: { mode: 'fill', margin: 0.25, shape: 'rect', includeUnreviewed: false }, files: ['img-001.jpg'] };
    writeFileSync(join(root, '.veil', 'journal', 'plan.json'), JSON.stringify(plan));
    const daemon = await start();
    const result = await daemon.client.request('dataset/detect', { root });
    assert.deepEqual(
      result.failures.map((failure) => [failure.file, failure.code]),
      [['img-001.jpg', ErrorCode.Conflict]],
    );
    assert.equal(result.processed, 4);
    const records = readReviewImages(root);
    assert.deepEqual(Object.keys(records).sort(), ['img-000.jpg', 'img-002.jpg', 'img-003.jpg', 'img-004.jpg']);
    assert.equal(new Set(Object.values(records).map((record) => record.revision)).size, 1, 'the four were not written as one group');
  });
});
