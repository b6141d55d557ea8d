/**
 * How soon the Veil view has the counts of a 10,000-image dataset, and what a daemon's reconcile of it costs. The
 * dataset is the one the workbench test opens (test/vscode/host/largeDataset.ts: 20 folders, a review state of three
 * proposals per image, an audit log of 10,000 entries explaining it).
 *
 * Time to counts, over stdio with the real daemon, as the extension reads: from spawning a new daemon (cold), from
 * the request on a daemon just started, and the same request again on that daemon (warm); with the CPU time the
 * daemon and this process (the client) spent for each, which a shared machine's load disturbs much less. After: `dataset/status`
 * and DatasetSnapshot.fromStatus(...).counts(), as extension/datasetIndex.ts does. Before (with `--before`): the
 * daemon built from an earlier commit, read with `dataset/open` as the view did then. `dataset/open` of this daemon
 * (the review panel's read) is timed too. Runs interleave, so that before and after see the same machine load.
 *
 * In process: opening the review state, the scan, a read of the whole audit log; a reconcile by a new daemon (the whole
 * log read, every record checked) and by the Reconciler a daemon keeps (only the lines appended since), with nothing
 * new and after another writer's audited edit.
 *
 * Usage: node out/bench/viewCounts.js [--before <dist/daemon.js of an earlier build>] [--rounds N]
 *   → table + bench/results/viewCounts.json
 */
import { filesInCommit } from '../daemon/commit/journal';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DaemonClient } from '../client/daemonClient';
import type { DatasetOpenResult } from '../daemon/protocol';
import { ReviewStore } from '../daemon/review/store';
import { Reconciler } from '../daemon/services/reconcile';
import { scanDatasetReporting } from '../daemon/dataset/scan';
import { appendAudit } from '../daemon/audit/log';
import { auditedFiles } from '../daemon/audit/committed';
import { AuditFollower } from '../daemon/audit/follower';
import { boxesSha256, countBoxes } from '../daemon/audit/events';
import { DatasetSnapshot, type DatasetCounts } from '../extension/datasetSnapshot';
import { fabricateLargeDataset } from '../test/vscode/host/largeDataset';

const REPO = resolve(__dirname, '..', '..');
const AFTER_DAEMON = join(REPO, 'dist', 'daemon.js');
const IMAGES = 10_000;
const BAR_MS = 1_000;
const ACTOR = { osUser: 'bench', reviewer: 'bench' };

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const now = () => performance.now();

interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: round(sorted[Math.floor(sorted.length / 2)]), min: round(sorted[0]), max: round(sorted[sorted.length - 1]), samples: samples.map(round) };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = now();
  await work();
  return now() - start;
}

/** The counts the view showed from a `dataset/open` answer before `dataset/status` (its DatasetSnapshot.fromOpened). */
function countsOfOpened(opened: DatasetOpenResult): DatasetCounts {
  const status = new Map(opened.rows.map((row) => [row.file, row.status]));
  const excluded = opened.excluded?.length ?? 0;
  const counts: DatasetCounts = { images: opened.files.length + opened.failures.length + excluded, unreviewed: 0, reviewed: 0, committed: 0, excluded, failed: opened.failures.length };
  for (const { file } of opened.files) counts[status.get(file) ?? 'unreviewed']++;
  return counts;
}

/** One way the view can get its counts: which daemon, and how it reads. */
interface Reader {
  name: string;
  daemon: string;
  read(client: DaemonClient, root: string): Promise<{ counts: DatasetCounts; answerBytes: number }>;
}

/** The answer's size as it crossed the pipe (the client parsed it already; serializing it again measures it). */
const bytesOf = (answer: unknown) => Buffer.byteLength(JSON.stringify(answer));

function readers(beforeDaemon: string | undefined): Reader[] {
  const list: Reader[] = [
    {
      name: 'after: dataset/status',
      daemon: AFTER_DAEMON,
      async read(client, root) {
        const answer = await client.request('dataset/status', { root });
        return { counts: DatasetSnapshot.fromStatus(answer).counts(), answerBytes: bytesOf(answer) };
      },
    },
    {
      name: 'after: dataset/open (review panel)',
      daemon: AFTER_DAEMON,
      async read(client, root) {
        const answer = await client.request('dataset/open', { root });
        return { counts: countsOfOpened(answer), answerBytes: bytesOf(answer) };
      },
    },
  ];
  if (beforeDaemon) {
    list.unshift({
      name: 'before: dataset/open',
      daemon: beforeDaemon,
      async read(client, root) {
        const answer = await client.request('dataset/open', { root });
        return { counts: countsOfOpened(answer), answerBytes: bytesOf(answer) };
      },
    });
  }
  return list;
}

/** The processes this one started that are still there (Linux: /proc/self/task/<tid>/children). */
function childPids(): Set<number> {
  const tasks = readdirSync('/proc/self/task');
  return new Set(tasks.flatMap((task) => readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number)));
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/**
 * CPU time a process has used so far (user + system), in ms (10 ms steps). On a shared machine the wall times vary
 * with what else runs; the CPU the daemon and this process (its client) spent to get the counts does much less.
 */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** One round of a reader: a new daemon spawned, initialized, asked; then asked again. Wall and CPU times. */
async function oneRound(reader: Reader, root: string) {
  const running = childPids();
  const started = now();
  const ownAtStart = ownCpuMs();
  const client = DaemonClient.spawn({ daemonPath: reader.daemon, env: { VEIL_HOME: mkdtempSync(join(tmpdir(), 'veil-bench-home-')) } });
  const [pid] = [...childPids()].filter((child) => !running.has(child));
  try {
    await client.request('initialize', { clientName: 'bench' });
    const asked = now();
    const first = await reader.read(client, root);
    const counted = now();
    const cold = { daemon: cpuMsOf(pid), client: ownCpuMs() - ownAtStart };
    const again = await timed(() => reader.read(client, root));
    const warm = { daemon: cpuMsOf(pid) - cold.daemon, client: ownCpuMs() - ownAtStart - cold.client };
    return { coldMs: counted - started, firstReadMs: counted - asked, warmMs: again, coldCpu: cold, warmCpu: warm, counts: first.counts, answerBytes: first.answerBytes };
  } finally {
    await client.close();
  }
}

async function timeToCounts(root: string, beforeDaemon: string | undefined, rounds: number) {
  const list = readers(beforeDaemon);
  const runs = new Map(list.map((reader) => [reader.name, [] as Awaited<ReturnType<typeof oneRound>>[]]));
  for (let k = 0; k < rounds; k++) for (const reader of list) runs.get(reader.name)!.push(await oneRound(reader, root));
  return list.map((reader) => {
    const done = runs.get(reader.name)!;
    return {
      reader: reader.name,
      daemon: reader.daemon,
      coldMs: stats(done.map((run) => run.coldMs)),
      firstReadMs: stats(done.map((run) => run.firstReadMs)),
      warmMs: stats(done.map((run) => run.warmMs)),
      coldCpuMs: { daemon: stats(done.map((run) => run.coldCpu.daemon)), client: stats(done.map((run) => run.coldCpu.client)) },
      warmCpuMs: { daemon: stats(done.map((run) => run.warmCpu.daemon)), client: stats(done.map((run) => run.warmCpu.client)) },
      answerMB: round(done[0].answerBytes / 2 ** 20),
      counts: done[0].counts,
    };
  });
}

/** Reconciles as a new daemon does and as a daemon that reconciled before does; the scan; opening the review state. */
async function inProcess(root: string, rounds: number) {
  const store = await ReviewStore.open(root, filesInCommit);
  const kept = new Reconciler(root, store);
  await kept.run(ACTOR);
  const openStore: number[] = [];
  const scan: number[] = [];
  const wholeLog: number[] = [];
  const whole: number[] = [];
  const followed: number[] = [];
  const afterEdit: number[] = [];
  const tail = { none: [] as number[], oneLine: [] as number[] };
  const follower = new AuditFollower(root);
  await follower.latest();
  const other = await ReviewStore.open(root, filesInCommit);
  const files = store.records().map((record) => record.file);
  for (let k = 0; k < rounds; k++) {
    openStore.push(await timed(() => ReviewStore.open(root, filesInCommit)));
    scan.push(await timed(() => scanDatasetReporting(root)));
    wholeLog.push(await timed(() => auditedFiles(root)));
    whole.push(await timed(() => new Reconciler(root, store).run(ACTOR)));
  }
  for (let k = 0; k < rounds * 4; k++) {
    followed.push(await timed(() => kept.run(ACTOR)));
    // Another writer's audited edit (its review-change line, then its record), as a second daemon makes it.
    const file = files[(k * 7919) % files.length];
    await other.update(async (get, revision) => {
      const record = get(file)!;
      const boxes = record.boxes.map((box, j) => (j === 0 ? { ...box, x: box.x + 1 + (k % 5), edited: true } : box));
      await appendAudit(root, { type: 'review-change', actor: ACTOR, file, status: record.status, boxes: countBoxes(boxes), boxesSha256: boxesSha256(boxes), revision });
      return { write: [{ ...record, boxes }], result: undefined };
    });
    tail.oneLine.push(await timed(() => follower.latest()));
    tail.none.push(await timed(() => follower.latest()));
    afterEdit.push(await timed(() => kept.run(ACTOR)));
  }
  return {
    openReviewState: stats(openStore),
    scan: stats(scan),
    wholeAuditLogRead: stats(wholeLog),
    followedAuditLogRead: { what: 'AuditFollower.latest(): nothing appended since, and one line appended', none: stats(tail.none), oneLine: stats(tail.oneLine) },
    reconcile: {
      newDaemon: { what: 'a new Reconciler: the whole audit log read and every record checked', ...stats(whole) },
      kept: { what: 'the Reconciler a daemon keeps, nothing appended since its last run', ...stats(followed) },
      keptAfterOtherWriter: { what: 'the kept Reconciler after another writer’s audited edit (one line and one record)', ...stats(afterEdit) },
    },
  };
}

async function main(): Promise<void> {
  const beforeDaemon = option('--before');
  const rounds = Math.max(1, Number(option('--rounds') ?? 5));
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-view-'));
  try {
    const root = join(work, 'survey');
    const expected = await fabricateLargeDataset(root, IMAGES);
    const reads = await timeToCounts(root, beforeDaemon, rounds);
    for (const read of reads) {
      const { counts } = read;
      if (counts.images !== IMAGES || counts.reviewed !== expected.reviewed || counts.committed !== expected.committed) throw new Error(`${read.reader} counted ${JSON.stringify(counts)}`);
    }
    const process_ = await inProcess(root, rounds);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map((n) => round(n)) },
      load: readFileSync('/proc/loadavg', 'utf8').trim(),
      images: IMAGES,
      rounds,
      barMs: BAR_MS,
      timeToCounts: reads,
      inProcess: process_,
    };
    const ms = (n: number) => n.toFixed(n < 10 ? 2 : 0);
    const f = (s: Stats) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
    const { reconcile } = process_;
    const table = [
      `Time to counts, ${IMAGES.toLocaleString('en-US')} images (ms: median (min–max) of ${rounds}; ${result.date.slice(0, 10)}, load ${result.load.split(' ').slice(0, 3).join(' ')})`,
      '',
      '| read | cold: new daemon spawned → counts | on a daemon just started | warm: read again | CPU cold: daemon + client | CPU warm: daemon + client | answer |',
      '|---|---|---|---|---|---|---|',
      ...reads.map(
        (read) =>
          `| ${read.reader} | ${f(read.coldMs)} | ${f(read.firstReadMs)} | ${f(read.warmMs)} | ${read.coldCpuMs.daemon.median} + ${read.coldCpuMs.client.median} | ` +
          `${read.warmCpuMs.daemon.median} + ${read.warmCpuMs.client.median} | ${read.answerMB} MB |`,
      ),
      '',
      `In process (ms, median (min–max)): opening the review state ${f(process_.openReviewState)}; scan ${f(process_.scan)}; ` +
        `the whole audit log read ${f(process_.wholeAuditLogRead)}, followed with nothing new ${f(process_.followedAuditLogRead.none)} ` +
        `and one line new ${f(process_.followedAuditLogRead.oneLine)}; reconcile by a new daemon ${f(reconcile.newDaemon)}, ` +
        `by the one a daemon keeps ${f(reconcile.kept)}, the same after another writer's edit ${f(reconcile.keptAfterOtherWriter)}.`,
    ].join('\n');
    console.log(table);
    const out = join(REPO, 'bench', 'results', 'viewCounts');
    writeFileSync(`${out}.json`, JSON.stringify(result, null, 1) + '\n');
    writeFileSync(`${out}.md`, table + '\n');
    console.log(`wrote ${out}.json and .md`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
