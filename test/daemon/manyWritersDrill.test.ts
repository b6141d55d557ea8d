/**
 * The many-writers drill: two real daemons (two editors) and terminal `veil detect` / `veil commit` runs work on
 * one dataset at once, with seeded random edits, detections and commits, for a bounded time. Afterwards:
 * every acknowledged edit is in the review state or was knowingly superseded (the next acknowledged edit of that
 * image was made on it), the review log has no gap, nothing committed was edited after its commit and none can
 * be, and `veil verify` passes. `VEIL_DRILL_SEED` replays a run's choices, `VEIL_DRILL_MS` sets its length.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DaemonError } from '../../client/daemonClient';
import { ErrorCode, type Box, type ImageRecord } from '../../daemon/protocol';
import { isHumanTouched } from '../../daemon/review/merge';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { EXIT } from '../../cli/exitCodes';
import { addKey } from '../support/commitFixtures';
import { ASTRONAUT, ASTRONAUT_FACE, tempDir } from '../support/images';
import { readReviewImages } from '../support/reviewFiles';
import { seededRandom, type Random } from '../support/seededRandom';

const IMAGES = 16;
const DRILL_MS = Number(process.env.VEIL_DRILL_MS) || 12_000;

interface Ack {
  by: string;
  file: string;
  baseRevision: number;
  record: ImageRecord;
}

interface Tally {
  acks: Ack[];
  conflicts: number;
  detects: number;
  commits: number;
}

async function makeDataset(random: Random): Promise<string> {
  const root = tempDir('veil-drill-');
  for (let i = 0; i < IMAGES; i++) {
    const side = 160 + random.below(4) * 32;
    await sharp(ASTRONAUT).resize(side, side).jpeg({ quality: 85 }).toFile(join(root, `img-${i}.jpg`));
  }
  return root;
}

/** A random edit of the kind a person makes: move, accept, reject, draw, or finish the image. */
function randomEdit(record: ImageRecord, random: Random): { boxes: Box[]; status?: 'reviewed' | 'unreviewed' } {
  const boxes = record.boxes.map((box) => ({ ...box }));
  // Finishing an image is rarer than box work, so that commits do not take the whole dataset at once.
  const kind = random.chance(0.03) ? 4 : random.below(4);
  const target = boxes.length > 0 ? boxes[random.below(boxes.length)] : undefined;
  if (kind === 0 && target) {
    target.x = Math.max(0, Math.min(record.width - target.w, target.x + random.below(9) - 4));
    target.edited = true;
  } else if (kind === 1 && target) target.state = 'accepted';
  else if (kind === 2 && target) target.state = 'rejected';
  else if (kind === 3 || !target) {
    // Drawn on the face (textured), where a fill always changes pixels: the commit's check refuses a no-op region.
    const scale = record.width / 512;
    const w = Math.round((20 + random.below(30)) * scale);
    const x = Math.round((ASTRONAUT_FACE.x + random.below(ASTRONAUT_FACE.w - 50)) * scale);
    const y = Math.round((ASTRONAUT_FACE.y + random.below(ASTRONAUT_FACE.h - 50)) * scale);
    boxes.push({ id: `drawn-${random.seed}-${random.below(1e9)}`, x, y, w, h: w, score: null, source: 'manual', state: 'accepted', edited: false });
  } else {
    for (const box of boxes) if (box.state === 'proposed') box.state = 'accepted';
    return { boxes, status: 'reviewed' };
  }
  return { boxes };
}

/** One editor: mostly box edits on what it last saw (sometimes a stale view, as a slow panel has), some detections. */
async function editorLoop(name: string, daemon: TestDaemon, root: string, random: Random, until: number, tally: Tally): Promise<void> {
  const seen = new Map<string, ImageRecord>();
  const files = Array.from({ length: IMAGES }, (_, i) => `img-${i}.jpg`);
  while (Date.now() < until) {
    if (random.chance(0.06)) {
      const run = await daemon.client.request('dataset/detect', { root, files: [random.pick(files)], force: true, threshold: random.pick([0.3, 0.5, 0.7]) });
      tally.detects += run.processed;
      continue;
    }
    const file = random.pick(files);
    let record = seen.get(file);
    if (!record || random.chance(0.5)) record = await daemon.client.request('review/get', { root, file });
    if (record.status === 'committed') {
      seen.set(file, record);
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    const edit = randomEdit(record, random);
    const baseRevision = record.revision ?? 0;
    try {
      const saved = await daemon.client.request('review/update', { root, file, ...edit, baseRevision });
      tally.acks.push({ by: name, file, baseRevision, record: saved });
      seen.set(file, saved);
    } catch (error) {
      if (!(DaemonError.is(error) && error.code === ErrorCode.Conflict)) throw error;
      tally.conflicts++;
      seen.delete(file);
    }
  }
}

/** The terminal: `veil detect --force` and `veil commit` runs in turn, each its own process with its own daemon. */
async function terminalLoop(root: string, random: Random, until: number, tally: Tally): Promise<void> {
  for (let turn = 0; Date.now() < until; turn++) {
    if (turn % 2 === 1) {
      const run = await runCli(['commit', root]);
      // leftAsIs: images nobody reviewed yet are left as they were (and listed), which is the normal case here.
      assert.ok(run.code === EXIT.ok || run.code === EXIT.leftAsIs, `veil commit failed: ${run.stderr}${run.stdout}`);
      tally.commits++;
    } else {
      const run = await runCli(['detect', root, '--force', '--threshold', String(random.pick([0.3, 0.5]))]);
      assert.equal(run.code, 0, `veil detect failed: ${run.stderr}`);
      tally.detects++;
    }
  }
}

/** Every log line follows the one before (no lost or doubled append), from the snapshot's sequence on; returns how many compactions ran. */
function checkLog(root: string): number {
  const logPath = join(root, '.veil', 'review.jsonl');
  const snapshotPath = join(root, '.veil', 'review.json');
  let seq = existsSync(snapshotPath) ? (JSON.parse(readFileSync(snapshotPath, 'utf8')) as { seq: number }).seq : 0;
  for (const line of readFileSync(logPath, 'utf8').split('\n').filter(Boolean)) {
    const parsed = JSON.parse(line) as { seq: number; records: ImageRecord[] };
    assert.equal(parsed.seq, seq + 1, 'review log: a gap or a doubled line');
    seq = parsed.seq;
    for (const record of parsed.records) assert.equal(record.revision, parsed.seq);
  }
  return seq;
}

/** A committed record is frozen (edits refused, detection skips it): its revision is the one that committed it. */
function commitRevisions(final: Record<string, ImageRecord>): Map<string, number> {
  return new Map(Object.values(final).flatMap((record) => (record.status === 'committed' ? [[record.file, record.revision!] as const] : [])));
}

function checkAcks(tally: Tally, final: Record<string, ImageRecord>, committedAt: Map<string, number>): void {
  const byFile = new Map<string, Ack[]>();
  for (const ack of tally.acks) byFile.set(ack.file, [...(byFile.get(ack.file) ?? []), ack]);
  for (const [file, acks] of byFile) {
    acks.sort((a, b) => a.record.revision! - b.record.revision!);
    for (let i = 1; i < acks.length; i++) {
      assert.notEqual(acks[i].record.revision, acks[i - 1].record.revision, `${file}: two edits acknowledged with one revision`);
      assert.ok(acks[i].baseRevision >= acks[i - 1].record.revision!, `${file}: an edit by ${acks[i].by} was written over an acknowledged edit it never saw`);
    }
    const last = acks[acks.length - 1];
    for (const box of last.record.boxes.filter(isHumanTouched)) {
      const kept = final[file].boxes.find((b) => b.id === box.id);
      assert.deepEqual(kept, box, `${file}: acknowledged box ${box.id} (${last.by}) is lost or changed`);
    }
    const committed = committedAt.get(file);
    if (committed !== undefined) assert.ok(last.record.revision! < committed, `${file}: edited after it was committed`);
  }
}

describe('many writers drill', () => {
  it('two editors and terminal detect/commit runs on one dataset lose no acknowledged edit and leave it verifiable', async function () {
    this.timeout(DRILL_MS + 180_000);
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay with VEIL_DRILL_SEED=${random.seed})`);
    const root = await makeDataset(random);
    await addKey(root);
    const editors = [await startDaemon(), await startDaemon()];
    const tally: Tally = { acks: [], conflicts: 0, detects: 0, commits: 0 };
    try {
      await editors[0].client.request('dataset/detect', { root });
      await Promise.all(editors.map((daemon) => daemon.client.request('dataset/open', { root })));
      const until = Date.now() + DRILL_MS;
      await Promise.all([
        editorLoop('editor 1', editors[0], root, seededRandom(random.seed + 1), until, tally),
        editorLoop('editor 2', editors[1], root, seededRandom(random.seed + 2), until, tally),
        terminalLoop(root, seededRandom(random.seed + 3), until, tally),
      ]);
      const final = readReviewImages(root);
      const writes = checkLog(root);
      const committedAt = commitRevisions(final);
      checkAcks(tally, final, committedAt);
      for (const [file, record] of Object.entries(final)) {
        assert.deepEqual(await editors[1].client.request('review/get', { root, file }), record, `${file}: the daemon's view differs from the files`);
        if (record.status !== 'committed') continue;
        await assert.rejects(editors[0].client.request('review/update', { root, file, boxes: [] }), (e: unknown) => DaemonError.is(e) && e.code === ErrorCode.Conflict);
      }
      const verify = await runCli(['verify', root]);
      assert.equal(verify.code, 0, `veil verify: ${verify.stdout}${verify.stderr}`);
      assert.ok(tally.acks.length > 20 && tally.commits > 0, `the drill did too little: ${JSON.stringify({ ...tally, acks: tally.acks.length })}`);
      console.log(`      ${tally.acks.length} edits acknowledged, ${tally.conflicts} refused as conflicts, ${tally.detects} detections, ${tally.commits} commits, ${committedAt.size} images committed, ${writes} review writes: 0 violations`);
    } finally {
      await Promise.all(editors.map((daemon) => daemon.client.close()));
    }
  });
});
