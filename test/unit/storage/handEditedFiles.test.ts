import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { Journal, journalDir, type CommitPlan } from '../../../daemon/commit/journal';
import { acquireLock } from '../../../daemon/storage/lock';
import { TEMP_MARKER } from '../../../daemon/storage/durable';
import { appendAudit, auditPath } from '../../../daemon/audit/log';
import { checkpointAfter, EMPTY_CHECKPOINT, formatEntry, parseEntry } from '../../../daemon/audit/chain';
import { auditedFiles } from '../../../daemon/audit/committed';
import { verifyAuditLog } from '../../../daemon/audit/verifyLog';
import { boxesSha256, countBoxes, type AuditEvent, type CommitImageEvent } from '../../../daemon/audit/events';
import { sha256Hex } from '../../../daemon/storage/hash';
import { freshRegistry } from '../../support/models';
import { tempDir } from '../../support/images';
import { TEST_ACTOR } from '../../support/commitFixtures';

/** Asserts a Corrupt VeilError about `file` whose message names each of `mentions` (the field at fault). */
function corruptIn(file: string, ...mentions: string[]) {
  return (error: unknown) => {
    assert.ok(VeilError.is(error), `a VeilError, got ${String(error)}`);
    assert.equal(error.code, ErrorCode.Corrupt, error.message);
    assert.equal(error.file, file);
    for (const text of mentions) assert.ok(error.message.includes(text), `"${error.message}" mentions ${text}`);
    return true;
  };
}

const PLAN: CommitPlan = {
  commitId: 'c1',
  startedAt: new Date(0).toISOString(),
  actor: TEST_ACTOR,
  options: { mode: 'fill', margin: 0.25, doubtMargin: 1, shape: 'rect', includeUnreviewed: false },
  files: ['a.png'],
};

function commitEvent(file: string): CommitImageEvent {
  return {
    type: 'commit-image',
    commitId: 'c1',
    actor: TEST_ACTOR,
    file,
    model: 'm',
    threshold: 0.5,
    redaction: { mode: 'fill', margin: 0.25, shape: 'rect' },
    boxes: countBoxes([]),
    redacted: 0,
    boxesSha256: boxesSha256([]),
    originalSha256: sha256Hex(`original ${file}`),
    outputSha256: sha256Hex(`output ${file}`),
    vaultObject: sha256Hex(`original ${file}`),
    vaultSha256: sha256Hex(`vault ${file}`),
  };
}

/** Writes `events` as a well-chained audit log (so only the events' own fields can be at fault). */
function writeLog(root: string, events: readonly object[], tail = '\n'): void {
  const lines: string[] = [];
  let checkpoint = EMPTY_CHECKPOINT;
  for (const event of events) {
    const line = formatEntry(checkpoint, event as AuditEvent, new Date());
    lines.push(line);
    checkpoint = checkpointAfter(checkpoint.entries, line);
  }
  mkdirSync(join(root, '.veil'), { recursive: true });
  writeFileSync(auditPath(root), lines.join('\n') + tail);
}

describe('files read back from disk: a hand-edited or damaged one is refused naming the file and the field', () => {
  describe('commit journal', () => {
    it('refuses a plan.json that is not JSON, or whose options are not the contract\'s', async () => {
      const root = tempDir();
      await Journal.begin(root, PLAN);
      const planFile = join(journalDir(root), 'plan.json');
      writeFileSync(planFile, JSON.stringify({ ...PLAN, options: { ...PLAN.options, mode: 'smudge' } }));
      await assert.rejects(Journal.load(root), corruptIn('.veil/journal/plan.json', '.options.mode', 'fill, pixelate, blur'));
      writeFileSync(planFile, JSON.stringify({ ...PLAN, files: ['a.png', 7] }));
      await assert.rejects(Journal.load(root), corruptIn('.veil/journal/plan.json', '.files[1]'));
      writeFileSync(planFile, '{ "commitId": ');
      await assert.rejects(Journal.load(root), corruptIn('.veil/journal/plan.json', 'JSON'));
    });

    it('refuses a progress line that is not a commit-image event, but passes over a torn last line', async () => {
      const root = tempDir();
      const journal = await Journal.begin(root, PLAN);
      await journal.publishing(commitEvent('a.png'));
      const progress = join(journalDir(root), 'progress.jsonl');
      const good = readFileSync(progress, 'utf8');
      writeFileSync(progress, good + good.slice(0, 40));
      const loaded = await Journal.load(root);
      assert.deepEqual([...loaded!.state.publishing.keys()], ['a.png'], 'a line torn by a kill mid-write is ignored');

      writeFileSync(progress, JSON.stringify({ ...commitEvent('a.png'), outputSha256: 'abc' }) + '\n' + good);
      await assert.rejects(Journal.load(root), corruptIn('.veil/journal/progress.jsonl', 'line 1', '.outputSha256'));
      writeFileSync(progress, 'garbage\n' + good);
      await assert.rejects(Journal.load(root), corruptIn('.veil/journal/progress.jsonl', 'line 1', 'JSON'));
    });
  });

  describe('lock files', () => {
    it('refuses a lock file that does not say who holds it, naming the file and the field', async () => {
      const root = tempDir();
      mkdirSync(join(root, '.veil'));
      writeFileSync(join(root, '.veil', 'lock'), JSON.stringify({ pid: 'abc', host: hostname(), since: 'then', purpose: 'commit' }));
      await assert.rejects(acquireLock(root, 'commit'), corruptIn('.veil/lock', '.pid'));
      writeFileSync(join(root, '.veil', 'review.lock'), '');
      await assert.rejects(acquireLock(root, 'review', { file: 'reviewLock', waitMs: 50 }), corruptIn('.veil/review.lock', 'JSON', 'delete'));
    });

    it('takes over such a lock once it is older than a minute (left by a power loss)', async () => {
      const root = tempDir();
      mkdirSync(join(root, '.veil'));
      const path = join(root, '.veil', 'lock');
      writeFileSync(path, '{"pid": 12');
      const old = new Date(Date.now() - 120_000);
      utimesSync(path, old, old);
      const lock = await acquireLock(root, 'commit');
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
      await lock.release();
    });

    it('removes the temp file a taker killed mid-take left (older than a minute), never a live taker’s', async () => {
      const root = tempDir();
      mkdirSync(join(root, '.veil'));
      const dead = join(root, '.veil', `.review.lock${TEMP_MARKER}0123456789ab`);
      const live = join(root, '.veil', `.review.lock${TEMP_MARKER}ba9876543210`);
      writeFileSync(dead, '{}');
      writeFileSync(live, '{}');
      const old = new Date(Date.now() - 120_000);
      utimesSync(dead, old, old);
      const lock = await acquireLock(root, 'review', { file: 'reviewLock' });
      await lock.release();
      assert.deepEqual(readdirSync(join(root, '.veil')).sort(), [`.review.lock${TEMP_MARKER}ba9876543210`]);
    });
  });

  describe('audit entries', () => {
    const badCommit = { ...commitEvent('b.png'), redaction: { mode: 'smudge', margin: 0.25, shape: 'rect' } };

    it('checks each event type\'s own fields, not only the chain', () => {
      const line = formatEntry(EMPTY_CHECKPOINT, badCommit as unknown as AuditEvent, new Date());
      const reason = parseEntry(line);
      assert.equal(typeof reason, 'string');
      assert.match(reason as string, /"commit-image" entry .*\.redaction\.mode: expected one of fill, pixelate, blur/);
      const unknown = parseEntry(formatEntry(EMPTY_CHECKPOINT, { type: 'erase-all' } as unknown as AuditEvent, new Date()));
      assert.match(unknown as string, /\.type: expected one of detect-run, .*review-change, .*commit-image/);
      const detect = parseEntry(formatEntry(EMPTY_CHECKPOINT, { type: 'detect-run', actor: TEST_ACTOR, model: 'm', threshold: 0.5, thorough: 'no', images: 1, faces: 0 } as unknown as AuditEvent, new Date()));
      assert.match(detect as string, /\.thorough: expected true or false/);
      assert.equal(typeof parseEntry(formatEntry(EMPTY_CHECKPOINT, commitEvent('a.png'), new Date())), 'object');
    });

    it('verify reports a hand-edited entry with its line and field', async () => {
      const root = tempDir();
      writeLog(root, [commitEvent('a.png'), badCommit]);
      const { findings } = await verifyAuditLog(root);
      assert.deepEqual(findings.map((f) => f.kind), ['audit-chain']);
      assert.match(findings[0].message, /^line 2: .*\.redaction\.mode/);
    });

    it('a commit or an opening refuses a log with a hand-edited entry; only a torn last line is passed over', async () => {
      const root = tempDir();
      writeLog(root, [badCommit, commitEvent('a.png')]);
      await assert.rejects(auditedFiles(root), corruptIn('.veil/audit.jsonl', 'line 1', '.redaction.mode'));
      writeLog(root, [commitEvent('a.png'), badCommit]);
      await assert.rejects(auditedFiles(root), corruptIn('.veil/audit.jsonl', 'line 2'), 'a bad last line that is valid JSON was edited, not torn');
      await assert.rejects(appendAudit(root, commitEvent('c.png')), corruptIn('.veil/audit.jsonl', '.redaction.mode'));

      writeLog(root, [commitEvent('a.png')], '\n{"seq":1,"prev":"');
      assert.deepEqual([...(await auditedFiles(root)).commits.keys()], ['a.png']);
    });
  });

  describe('model lists', () => {
    it('refuses an added.json whose record has an unknown decoder or a path for a file name', async () => {
      const home = tempDir('veil-home-');
      const added = join(home, 'models', 'added.json');
      mkdirSync(join(home, 'models'));
      const record = { name: 'mine', decoder: 'blazeface', file: 'mine.onnx', sha256: sha256Hex('x'), addedAt: new Date(0).toISOString() };
      writeFileSync(added, JSON.stringify({ models: [record, { ...record, name: 'other', decoder: 'retinaface' }] }));
      await assert.rejects(freshRegistry(home).list(), corruptIn(added, '.models[1].decoder', 'blazeface, yunet'));
      writeFileSync(added, JSON.stringify({ models: [{ ...record, file: '../../elsewhere.onnx' }] }));
      await assert.rejects(freshRegistry(home).list(), corruptIn(added, '.models[0].file'));
      writeFileSync(added, '{ nope');
      await assert.rejects(freshRegistry(home).list(), corruptIn(added, 'JSON'));
    });
  });
});
