/**
 * A daemon's follower of the audit log (audit/follower.ts) holds, after every read, what a read of the whole log finds:
 * after other writers' appends, a torn last line, and a log cut, replaced, rewritten or removed behind its back.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box, ImageStatus } from '../../../daemon/protocol';
import { appendAuditBatch, auditPath } from '../../../daemon/audit/log';
import { auditedFiles, type AuditedFiles } from '../../../daemon/audit/committed';
import { boxesSha256, countBoxes, type AuditEvent } from '../../../daemon/audit/events';
import { AuditFollower } from '../../../daemon/audit/follower';
import { checkpointAfter, formatEntry } from '../../../daemon/audit/chain';
import { verifyAuditLog } from '../../../daemon/audit/verifyLog';
import { TEST_ACTOR, appendAuditSync, box } from '../../support/commitFixtures';
import { tempDir } from '../../support/images';

const A: Box[] = [box({ x: 1, y: 1, w: 10, h: 10 })];
const B: Box[] = [box({ x: 2, y: 1, w: 10, h: 10 })];
const WORKER = join(__dirname, 'append.worker.js');

const reviewChange = (file: string, status: ImageStatus, boxes: Box[], revision: number): AuditEvent => ({
  type: 'review-change',
  actor: TEST_ACTOR,
  file,
  status,
  boxes: countBoxes(boxes),
  boxesSha256: boxesSha256(boxes),
  revision,
});

/** `count` review changes, one per file `<prefix>-<i>.jpg`. */
const changes = (prefix: string, count: number, boxes = A): AuditEvent[] => Array.from({ length: count }, (_, i) => reviewChange(`${prefix}-${i}.jpg`, 'reviewed', boxes, i + 1));

/** The follower's answer next to a whole read of the log as it is now. */
async function assertSameAsWholeRead(follower: AuditFollower, root: string, why: string): Promise<AuditedFiles> {
  const followed = await follower.latest();
  assert.deepEqual(followed, await auditedFiles(root), why);
  return followed;
}

/** Byte offset just past line `n` (1-based) of the log. */
function endOfLine(root: string, n: number): number {
  const text = readFileSync(auditPath(root));
  let end = 0;
  for (let i = 0; i < n; i++) end = text.indexOf(0x0a, end) + 1;
  return end;
}

/** Line `n` (1-based) replaced by `line`, which must be as long: every other byte stays where it was. */
function replaceLineInPlace(root: string, n: number, line: string): void {
  const lines = readFileSync(auditPath(root), 'utf8').split('\n');
  assert.equal(Buffer.byteLength(line), Buffer.byteLength(lines[n - 1]), 'the forged line keeps its length');
  lines[n - 1] = line;
  writeFileSync(auditPath(root), lines.join('\n'));
}

/** Silences the follower's "read again from the start" notes while `work` runs; returns them. */
async function stderrOf(work: () => Promise<unknown>): Promise<string> {
  const write = process.stderr.write;
  let said = '';
  process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stderr.write = write;
  }
  return said;
}

describe('following the audit log', () => {
  it('holds what a whole read finds after appends by this process and by another one, and past a torn last line', async () => {
    const root = tempDir();
    const follower = new AuditFollower(root);
    await assertSameAsWholeRead(follower, root, 'no log yet');
    await appendAuditBatch(root, changes('a', 20));
    await assertSameAsWholeRead(follower, root, 'the first read');
    // Another process appends (its own lock, its own file handle), then this one again.
    execFileSync(process.execPath, [WORKER, root, '5', 'other']);
    await appendAuditBatch(root, [reviewChange('a-3.jpg', 'unreviewed', B, 30)]);
    const followed = await assertSameAsWholeRead(follower, root, 'after both wrote');
    assert.equal(followed.decisions.get('a-3.jpg')?.boxesSha256, boxesSha256(B));
    assert.equal(followed.readTo.line, 26);
    // A torn last line is left for later; the next append cuts it (an audit-repair entry) and is read on from there.
    appendFileSync(auditPath(root), '{"seq":26,"prev":"');
    await assertSameAsWholeRead(follower, root, 'a torn last line');
    await appendAuditBatch(root, [reviewChange('a-4.jpg', 'unreviewed', B, 31)]);
    assert.equal((await assertSameAsWholeRead(follower, root, 'after the repair')).readTo.line, 28);
    assert.deepEqual((await verifyAuditLog(root)).findings, []);
  });

  it('reads the whole log again when it was cut, cut and written longer, replaced, rewritten at the line it stopped at, or removed', async () => {
    const root = tempDir();
    const follower = new AuditFollower(root);
    await appendAuditBatch(root, changes('a', 10));
    await follower.latest();
    const notes = await stderrOf(async () => {
      truncateSync(auditPath(root), endOfLine(root, 6));
      assert.equal((await assertSameAsWholeRead(follower, root, 'cut back to 6 lines')).decisions.size, 6);

      // History rewritten from line 4 on, correctly chained, and longer than what was read: the line read last differs.
      truncateSync(auditPath(root), endOfLine(root, 3));
      for (const event of changes('b', 8, B)) appendAuditSync(root, event);
      assert.ok(readFileSync(auditPath(root)).length > endOfLine(root, 6));
      assert.ok((await assertSameAsWholeRead(follower, root, 'rewritten from line 4')).decisions.has('b-7.jpg'));

      // Another file put in its place (a new inode), holding the same first lines and more.
      const replacement = join(root, '.veil', 'audit.jsonl.new');
      writeFileSync(replacement, readFileSync(auditPath(root)));
      renameSync(replacement, auditPath(root));
      appendAuditSync(root, reviewChange('c.jpg', 'reviewed', A, 50));
      assert.ok((await assertSameAsWholeRead(follower, root, 'replaced')).decisions.has('c.jpg'));

      // The last line read rewritten in place, every byte count kept (another valid hash).
      const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
      replaceLineInPlace(root, lines.length, lines[lines.length - 1].replace(boxesSha256(A), boxesSha256(B)));
      assert.equal((await assertSameAsWholeRead(follower, root, 'its last line rewritten')).decisions.get('c.jpg')?.boxesSha256, boxesSha256(B));

      unlinkSync(auditPath(root));
      assert.equal((await assertSameAsWholeRead(follower, root, 'removed')).decisions.size, 0);
    });
    assert.match(notes, /audit\.jsonl of .* was replaced, cut or rewritten since it was last read: reading it again from the start/);
    assert.match(notes, /was removed since it was last read/);
  });

  it('reads the whole log again when the first line appended does not chain to the last one read', async () => {
    const root = tempDir();
    const follower = new AuditFollower(root);
    await appendAuditBatch(root, changes('a', 3));
    await follower.latest();
    // Appended by hand as if it followed another history: a well-formed entry whose `prev` is not the last line's hash.
    const stranger = formatEntry(checkpointAfter(2, 'another line'), reviewChange('a-1.jpg', 'unreviewed', B, 9), new Date());
    appendFileSync(auditPath(root), stranger + '\n');
    const notes = await stderrOf(() => assertSameAsWholeRead(follower, root, 'a line that does not chain'));
    assert.match(notes, /rewritten \(the lines appended do not chain to the last one read\)/);
    assert.match((await verifyAuditLog(root)).findings.map((finding) => finding.message).join('\n'), /line 4: does not chain/);
  });

  it('a line forged further back, every byte kept in place, is not read again by the follower but verify reports it; a removed one is read again', async () => {
    const root = tempDir();
    const follower = new AuditFollower(root);
    await appendAuditBatch(root, changes('a', 5));
    await follower.latest();
    const genuine = readFileSync(auditPath(root), 'utf8').split('\n');
    replaceLineInPlace(root, 2, genuine[1].replace(boxesSha256(A), boxesSha256(B)));
    // The limit of reading only the tail: the follower keeps what the line said when it was read…
    assert.equal((await follower.latest()).decisions.get('a-1.jpg')?.boxesSha256, boxesSha256(A));
    // …and verify, which hashes every line, names the forgery.
    assert.deepEqual((await verifyAuditLog(root)).findings.map((finding) => finding.message), ['line 3: does not chain to the line before (hash mismatch: this line or the one before was altered)']);

    // A line removed moves every later byte: the follower notices and reads the log again; verify names the gap.
    writeFileSync(auditPath(root), [...genuine.slice(0, 1), ...genuine.slice(2)].join('\n'));
    await stderrOf(() => assertSameAsWholeRead(follower, root, 'a line removed'));
    assert.match((await verifyAuditLog(root)).findings.map((finding) => finding.message).join('\n'), /entry number 2, expected 1 \(a line was removed/);
  });

  it('refuses a malformed entry as a whole read does, and reads on from it once it is fixed', async () => {
    const root = tempDir();
    const follower = new AuditFollower(root);
    await appendAuditBatch(root, changes('a', 2));
    await follower.latest();
    const before = readFileSync(auditPath(root));
    appendFileSync(auditPath(root), '{"seq":2,"prev":"hand-edited"}\n');
    await assert.rejects(follower.latest(), /line 3: no valid "prev" hash; run `veil verify`/);
    await assert.rejects(follower.latest(), /line 3/);
    writeFileSync(auditPath(root), before);
    appendAuditSync(root, reviewChange('b.jpg', 'reviewed', A, 3));
    await assertSameAsWholeRead(follower, root, 'fixed and appended to');
  });

  it('reads one after another when asked twice at once', async () => {
    const root = tempDir();
    const follower = new AuditFollower(root);
    await appendAuditBatch(root, changes('a', 50));
    const [first, second] = await Promise.all([follower.latest(), follower.latest()]);
    assert.equal(first, second);
    assert.deepEqual(first, await auditedFiles(root));
  });
});
