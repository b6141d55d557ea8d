/**
 * Several daemons on one dataset, each reconciling it with the audit log it follows (reading only what was appended
 * since its last reconcile): the editor's daemon sees another daemon's audited edits and records nothing for them;
 * when the log is cut back behind its back, it records exactly the records the log no longer explains.
 */
import assert from 'node:assert/strict';
import { readFileSync, truncateSync } from 'node:fs';
import type { Box } from '../../daemon/protocol';
import { auditPath } from '../../daemon/audit/log';
import { openReconciled, startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { auditLines, unexplainedFiles } from '../support/reviewAudit';

const reconciled = (root: string) => auditLines(root).filter((line) => line.type === 'review-reconcile');

describe('reconcile with the audit log followed, several daemons on one dataset', function () {
  this.timeout(120_000);
  let editor: TestDaemon;
  let other: TestDaemon;
  let root: string;

  beforeEach(async () => {
    root = tempDir();
    for (const name of ['a.png', 'b.png', 'c.png']) place(ASTRONAUT, root, name);
    [editor, other] = [await startDaemon(), await startDaemon()];
    await editor.client.request('dataset/detect', { root });
    await openReconciled(editor.client, root);
  });
  afterEach(async () => Promise.all([editor.client.close(), other.client.close()]));

  async function otherAccepts(file: string): Promise<void> {
    const record = await other.client.request('review/get', { root, file });
    const accepted: Box[] = record.boxes.map((box) => ({ ...box, state: 'accepted' }));
    await other.client.request('review/update', { root, file, boxes: accepted, status: 'reviewed', baseRevision: record.revision });
  }

  it('another daemon’s and a terminal’s audited writes are seen by the editor’s daemon, never reconciled', async () => {
    await otherAccepts('a.png');
    const terminal = await runCli(['detect', root, '--force', '--threshold', '0.3']);
    assert.equal(terminal.code, 0, terminal.stderr);
    await otherAccepts('b.png');
    await openReconciled(editor.client, root);
    await editor.client.request('dataset/detect', { root, files: ['c.png'], force: true });
    assert.deepEqual(reconciled(root), []);
    assert.deepEqual(unexplainedFiles(root), []);
    const verified = await editor.client.request('dataset/verify', { root });
    assert.deepEqual(verified.findings, []);
  });

  it('after the log was cut back behind its back, the editor’s daemon records what the log no longer explains, as a new daemon would', async () => {
    await otherAccepts('a.png');
    await Promise.all([openReconciled(editor.client, root), openReconciled(other.client, root)]);
    await otherAccepts('b.png');
    // Cut back to before the two decisions: both records are unexplained now, whatever either daemon read before.
    const lines = readFileSync(auditPath(root), 'utf8').split('\n');
    const first = lines.findIndex((line) => line.includes('"review-change"'));
    truncateSync(auditPath(root), Buffer.byteLength(lines.slice(0, first).join('\n') + '\n'));
    assert.deepEqual(unexplainedFiles(root), ['a.png', 'b.png']);
    await openReconciled(editor.client, root);
    assert.deepEqual(reconciled(root).map((line) => [line.file, line.reason]), [
      ['a.png', 'change-not-audited'],
      ['b.png', 'change-not-audited'],
    ]);
    assert.deepEqual(unexplainedFiles(root), []);
    assert.ok(editor.stderr.some((line) => /audit\.jsonl of .* was replaced, cut or rewritten since it was last read/.test(line)), editor.stderr.join('\n'));
    // The other daemon, which had read the log before it was cut, finds nothing left to record.
    assert.equal((await openReconciled(other.client, root)).recorded, 0);
    assert.equal(reconciled(root).length, 2);
    assert.ok(other.stderr.some((line) => /was replaced, cut or rewritten since it was last read/.test(line)), other.stderr.join('\n'));
  });
});
