/**
 * The cost of one box edit on a 10,000-image dataset, before and after the many-writers review store, measured
 * in one run: before, the whole review.json rewritten by lowdb on every edit (the single-writer store); after,
 * ReviewStore.update (review lock, catch-up read, one fsync'd log line, compaction amortized). Also what a reader
 * pays to notice other writers (refresh), opening the state, and how soon the editor's daemon reports a change
 * another daemon made (review/changed); what auditing detection per image adds to its write, and what a reconcile
 * (records the audit log does not explain) costs. Writes bench/results/reviewEdit.json.
 * Usage: node out/bench/reviewEdit.js [--images N]
 */
import { filesInCommit } from '../daemon/commit/journal';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Box, ImageRecord } from '../daemon/protocol';
import { ReviewStore } from '../daemon/review/store';
import { DaemonClient } from '../client/daemonClient';
import { OpenDatasets } from '../daemon/services/datasets';
import { updateReview } from '../daemon/services/review';
import { Reconciler } from '../daemon/services/reconcile';
import { mergeDetection } from '../daemon/review/merge';
import { appendAudit, auditCheckpoint } from '../daemon/audit/log';
import { boxesSha256, countBoxes } from '../daemon/audit/events';

const REPO = resolve(__dirname, '..', '..');
const DAEMON = join(REPO, 'dist', 'daemon.js');

function imageCount(): number {
  const index = process.argv.indexOf('--images');
  return index > 0 ? Math.max(1, Number(process.argv[index + 1])) : 10_000;
}

function box(i: number, j: number): Box {
  return { id: `m-${i}-${j}-0123456789abcdef`, x: 100 + j * 50, y: 80, w: 64, h: 80, score: 0.7 + j / 10, source: 'model', state: 'proposed', edited: false };
}

/** A detected, partly reviewed dataset: three proposals per image, the shape `veil detect` leaves. */
function records(count: number): ImageRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    file: `camera-${i % 20}/img-${String(i).padStart(6, '0')}.jpg`,
    width: 4000,
    height: 3000,
    boxes: [box(i, 0), box(i, 1), box(i, 2)],
    status: 'unreviewed',
    detection: { model: 'yunet', threshold: 0.5, thorough: false, at: '2026-11-29T12:00:00.000Z' },
  }));
}

function edited(record: ImageRecord, k: number): ImageRecord {
  return { ...record, boxes: record.boxes.map((b, j) => (j === 0 ? { ...b, x: b.x + (k % 7), state: 'accepted', edited: true } : b)) };
}

interface Stats {
  median: number;
  p99: number;
  mean: number;
  samples: number;
}

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p99: at(0.99), mean: sorted.reduce((s, t) => s + t, 0) / sorted.length, samples: sorted.length };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Before: the single-writer store rewrote the whole file (lowdb JSONFile) on every edit. */
async function wholeFileRewrite(dir: string, all: ImageRecord[], edits: number) {
  const db = new Low(new JSONFile<{ version: 1; images: Record<string, ImageRecord> }>(join(dir, 'review.json')), { version: 1, images: Object.fromEntries(all.map((r) => [r.file, r])) });
  await db.write();
  const times: number[] = [];
  for (let k = 0; k < edits; k++) {
    const record = all[(k * 7919) % all.length];
    times.push(await timed(() => {
      db.data.images[record.file] = edited(record, k);
      return db.write();
    }));
  }
  return { edit: stats(times), fileBytes: statSync(join(dir, 'review.json')).size };
}

/** After: one ReviewStore.update per edit; enough edits to include compactions. */
async function reviewLog(root: string, all: ImageRecord[], edits: number) {
  mkdirSync(join(root, '.veil'), { recursive: true });
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: 0, images: Object.fromEntries(all.map((r) => [r.file, r])) }));
  const openMs = await timed(() => ReviewStore.open(root, filesInCommit));
  const store = await ReviewStore.open(root, filesInCommit);
  const reader = await ReviewStore.open(root, filesInCommit);
  const times: number[] = [];
  let compactions = 0;
  for (let k = 0; k < edits; k++) {
    const file = all[(k * 7919) % all.length].file;
    const snapshotBefore = statSync(join(root, '.veil', 'review.json')).mtimeMs;
    times.push(await timed(() => store.update((get) => ({ write: [edited(get(file)!, k)], result: undefined }))));
    if (statSync(join(root, '.veil', 'review.json')).mtimeMs !== snapshotBefore) compactions++;
  }
  const idle: number[] = [];
  for (let k = 0; k < 200; k++) idle.push(await timed(() => reader.refresh()));
  const oneChange: number[] = [];
  for (let k = 0; k < 100; k++) {
    const file = all[k].file;
    await store.update((get) => ({ write: [edited(get(file)!, k + 1)], result: undefined }));
    oneChange.push(await timed(() => reader.refresh()));
  }
  return { edit: stats(times), compactions, openMs, refreshIdle: stats(idle), refreshOneChange: stats(oneChange), snapshotBytes: statSync(join(root, '.veil', 'review.json')).size };
}

/** A box edit as the daemon makes it for `review/update`: the store write plus the decision's fsync'd audit line. */
async function serviceEdits(root: string, all: ImageRecord[], edits: number): Promise<Stats> {
  const files = all.slice(0, edits).map((record) => record.file);
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  const datasets = new OpenDatasets();
  const actor = { osUser: 'bench', reviewer: 'bench' };
  const times: number[] = [];
  for (const [k, file] of files.entries()) {
    const { store } = await datasets.open(root);
    const current = store.get(file)!;
    times.push(await timed(() => updateReview({ root, file, boxes: edited(current, k + 3).boxes, baseRevision: current.revision }, actor, datasets)));
  }
  return stats(times);
}

const BENCH_ACTOR = { osUser: 'bench', reviewer: 'bench' };

/**
 * A reconcile on the dataset as the edits above left it: first, when no record has an audit line (a dataset detected
 * before detection was audited per image: every record is recorded, in one batch), then when every record is
 * explained: by a new daemon's reconciler (reading the whole audit log and checking every record: what the first
 * `dataset/open` or detection run of a daemon pays), and by the one a daemon keeps (the log followed: each later one).
 */
async function reconcileCost(root: string) {
  const { store, reconciler } = await new OpenDatasets().open(root);
  let recorded = 0;
  const firstMs = await timed(async () => (recorded = (await reconciler.run(BENCH_ACTOR)).length));
  const steady: number[] = [];
  const followed: number[] = [];
  for (let k = 0; k < 5; k++) {
    steady.push(await timed(() => new Reconciler(root, store).run(BENCH_ACTOR)));
    followed.push(await timed(() => reconciler.run(BENCH_ACTOR)));
  }
  return { firstMs, recorded, steady: stats(steady), followed: stats(followed), auditEntries: (await auditCheckpoint(root)).entries };
}

/**
 * One image's detection write into the review state as `dataset/detect` made it before it wrote groups (services/detect.ts,
 * DETECTION_GROUP): under the review lock, merge the faces, append the fsync'd `detect-image` line, write the record;
 * interleaved with the same write without the line (as before per-image audit), so that both see the same machine load.
 */
async function detectionWrites(root: string, all: ImageRecord[], writes: number) {
  const { store } = await new OpenDatasets().open(root);
  const times = { withLine: [] as number[], withoutLine: [] as number[] };
  for (let k = 0; k < writes; k++) {
    const file = all[(k * 7919) % all.length].file;
    const audited = k % 2 === 0;
    const faces = [{ x: 100 + (k % 5), y: 80, w: 64, h: 80, score: 0.8 }];
    const detection = { model: 'yunet', threshold: 0.5, thorough: false, at: new Date().toISOString() };
    (audited ? times.withLine : times.withoutLine).push(await timed(() => store.update(async (get, revision) => {
      const record = mergeDetection(get(file), { file, width: 4000, height: 3000, faces, detection });
      const { status, boxes } = record;
      if (audited) await appendAudit(root, { type: 'detect-image', actor: BENCH_ACTOR, file, model: 'yunet', threshold: 0.5, thorough: false, faces: 1, status, boxes: countBoxes(boxes), boxesSha256: boxesSha256(boxes), revision });
      return { write: [record], result: undefined };
    })));
  }
  return { withLine: stats(times.withLine), withoutLine: stats(times.withoutLine) };
}

/** From one daemon's stored edit to the `review/changed` the other daemon (the editor's) sends. */
async function notificationLatency(root: string, rounds: number): Promise<Stats> {
  const spawnDaemon = async () => {
    const client = DaemonClient.spawn({ daemonPath: DAEMON, env: { VEIL_HOME: mkdtempSync(join(tmpdir(), 'veil-bench-home-')) } });
    await client.request('initialize', { clientName: 'bench' });
    return client;
  };
  const [editor, other] = [await spawnDaemon(), await spawnDaemon()];
  try {
    await editor.request('dataset/open', { root });
    const times: number[] = [];
    for (let k = 0; k < rounds; k++) {
      const file = `camera-0/img-${String(k * 20).padStart(6, '0')}.jpg`;
      const current = await other.request('review/get', { root, file });
      let stop: () => void = () => undefined;
      const heard = new Promise<void>((resolveHeard) => {
        stop = editor.onReviewChanged((change) => {
          if (change.records.some((r) => r.file === file)) resolveHeard();
        });
      });
      const start = process.hrtime.bigint();
      await other.request('review/update', { root, file, boxes: edited(current, k).boxes, baseRevision: current.revision });
      await heard;
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      stop();
    }
    return stats(times);
  } finally {
    await Promise.all([editor.close(), other.close()]);
  }
}

async function main(): Promise<void> {
  const count = imageCount();
  const all = records(count);
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-review-'));
  try {
    const before = await wholeFileRewrite(work, all, 40);
    const root = join(work, 'dataset');
    const after = await reviewLog(root, all, 12_000);
    const service = await serviceEdits(root, all, 300);
    const reconcile = await reconcileCost(root);
    const detectWrite = await detectionWrites(root, all, 400);
    // The daemons check that a file exists (its bytes are never read here): empty stand-ins for the ones edited.
    for (const record of all.filter((r) => r.file.startsWith('camera-0/')).slice(0, 20)) {
      mkdirSync(join(root, record.file, '..'), { recursive: true });
      writeFileSync(join(root, record.file), '');
    }
    const latency = await notificationLatency(root, 20);
    const result = {
      images: count,
      load: readFileSync('/proc/loadavg', 'utf8').trim(),
      before: { store: 'lowdb whole-file rewrite per edit (single writer)', ...before },
      after: { store: 'review log under the review lock (many writers)', ...after },
      serviceEdit: { what: 'review/update as the daemon runs it: store write + fsync\'d audit line of the decision', ...service },
      reconcile: { what: 'Reconciler.run: first on records no audit line explains (recorded in one batch), then with every record explained, by a new reconciler (steady) and by the one kept (followed)', ...reconcile },
      detectWrite: { what: 'one detection write as dataset/detect makes it, with and without its fsync\'d detect-image line', ...detectWrite },
      speedup: before.edit.median / after.edit.median,
      notification: latency,
    };
    const f = (n: number) => n.toFixed(2);
    console.log(`review edit on ${count} images (ms)             median    p99   mean`);
    console.log(`before: whole review.json rewrite (${(before.fileBytes / 2 ** 20).toFixed(1)} MB)  ${f(before.edit.median).padStart(7)} ${f(before.edit.p99).padStart(6)} ${f(before.edit.mean).padStart(6)}`);
    console.log(`after:  lock + catch-up + fsync'd line     ${f(after.edit.median).padStart(7)} ${f(after.edit.p99).padStart(6)} ${f(after.edit.mean).padStart(6)}  (${after.edit.samples} edits, ${after.compactions} compactions)`);
    console.log(`review/update in the daemon (store + audit line)  ${f(service.median).padStart(7)} ${f(service.p99).padStart(6)} ${f(service.mean).padStart(6)}  (${service.samples} edits)`);
    console.log(`detection write, store + detect-image line   ${f(detectWrite.withLine.median).padStart(7)} ${f(detectWrite.withLine.p99).padStart(6)} ${f(detectWrite.withLine.mean).padStart(6)}  (${detectWrite.withLine.samples} writes)`);
    console.log(`detection write, store alone (as before)    ${f(detectWrite.withoutLine.median).padStart(7)} ${f(detectWrite.withoutLine.p99).padStart(6)} ${f(detectWrite.withoutLine.mean).padStart(6)}  (${detectWrite.withoutLine.samples} writes)`);
    console.log(`reconcile: ${reconcile.recorded} unexplained records recorded in ${f(reconcile.firstMs)} ms; all explained (${reconcile.auditEntries} audit entries): median ${f(reconcile.steady.median)} ms for a new daemon, ${f(reconcile.followed.median)} ms for one that reconciled before`);
    console.log(`speedup (median): ${result.speedup.toFixed(0)}x`);
    console.log(`reader refresh, nothing new: median ${f(after.refreshIdle.median)} ms; one new line: ${f(after.refreshOneChange.median)} ms; open: ${f(after.openMs)} ms`);
    console.log(`review/changed reaches the editor's daemon: median ${f(latency.median)} ms, max of ${latency.samples}: ${f(latency.p99)} ms`);
    const out = join(REPO, 'bench', 'results', 'reviewEdit.json');
    writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
    console.log(`wrote ${out}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
