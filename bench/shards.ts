/**
 * Issue #14 item 6's bar (README "Beyond one machine: shards"): 4 shards of `veil detect` scale to >= 3.5x one shard's
 * throughput when given 4 cores' worth of work. This machine has 2 cores, so it measures what decides that instead:
 *
 * - `single`: `veil detect <dir>` as one process on one core (taskset, VEIL_ORT_THREADS=1);
 * - `4 shards in turn`: `veil detect <dir> --shard i/4`, i = 0..3, one after another on that core, on a fresh copy.
 *   Per-shard overhead = (sum of the 4 walls - single) / single: what running the work as 4 processes costs beyond
 *   the work (a process, a daemon, the model loaded, the dataset scanned, the shard's review writes). Bar: < 5 %,
 *   judged on CPU time (user + system of the CLI and its daemon, GNU time): walls on this shared machine vary by tens
 *   of percent from run to run with other processes' load; the wall overhead is reported beside it.
 * - `2 shards at once`: `--shard 0/2` on core 0 and `--shard 1/2` on core 1 together, on a fresh copy: the speed-up
 *   single / wall, where the two also share the review log, the audit log and their locks.
 *
 * The projection to 4 cores (README): a process costs a fixed f (start, daemon, model, scan) plus the work W, so one
 * process takes T = f + W, 4 shards in turn 4f + W: overhead o = 3f / T. 4 shards on 4 cores then take f + W/4 =
 * T (1 + o) / 4: a speed-up of 4 / (1 + o), >= 3.5 while o <= 14.3 %; 2 shards on 2 cores 2 / (1 + o/3). The 2-core
 * run checks that shards at once cost nothing beyond f (waits on the shared logs' locks, a shared disk): measured
 * against expected. The work per shard decides o (f is ~0.5 s here): hence two dataset sizes.
 * Every run is the built CLI (node dist/cli.js, which starts its own daemon). Rounds interleave the three ways, so
 * each sees the same machine load. Each copy's audit log must hold one detect-image entry per image.
 * Usage: node out/bench/shards.js [--images N,N… (400,2000)] [--size PX (256)] [--rounds N (3)]   → table + bench/results/shards.json and .md
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { faceImage, faceImageExtension } from '../test/support/faceDataset';
import { writeResults } from './lib/results';
import { REPO } from './lib/sharedData';

const CLI = join(REPO, 'dist', 'cli.js');
const OVERHEAD_BAR = 0.05;
const SPEEDUP_BAR_4_CORES = 3.5;

function optionText(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1]! : fallback;
}

function option(name: string, fallback: number): number {
  return Number(optionText(name, String(fallback)));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

/** One run: wall ms, and CPU ms (user + system) of the CLI and the daemon it waited for, as GNU time reports them. */
interface Run {
  wallMs: number;
  cpuMs: number;
}

/** `veil detect root [--shard s]` pinned to `cpu` with one ONNX thread (throws unless exit 0). */
function detect(root: string, home: string, cpu: number, shard?: string): Promise<Run> {
  const args = ['-f', 'cpu-seconds %U %S', 'taskset', '-c', String(cpu), process.execPath, CLI, 'detect', root, ...(shard ? ['--shard', shard] : [])];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { env: { ...process.env, VEIL_HOME: home, VEIL_ORT_THREADS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      const wallMs = performance.now() - start;
      const cpuSeconds = /cpu-seconds ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      if (code !== 0 || !cpuSeconds) return reject(new Error(`veil detect ${shard ?? ''} exited ${code}: ${stderr.slice(-1500)}`));
      resolve({ wallMs, cpuMs: (Number(cpuSeconds[1]) + Number(cpuSeconds[2])) * 1000 });
    });
  });
}

/**
 * Checks that every image of the copy was detected exactly once; returns how many review writes held them (the
 * detect-image lines of one group name its one revision: daemon/services/detect.ts, DETECTION_GROUP).
 */
function assertDetectedOnce(root: string, images: number): number {
  const lines = readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; file?: string; revision?: number });
  const detected = lines.filter((line) => line.type === 'detect-image');
  const files = detected.map((line) => line.file);
  if (files.length !== images || new Set(files).size !== images) throw new Error(`${root}: ${files.length} detect-image entries (${new Set(files).size} files) for ${images} images`);
  return new Set(detected.map((line) => line.revision)).size;
}

/** One dataset size measured `rounds` times, the three ways interleaved. */
async function measure(work: string, home: string, images: number, size: number, rounds: number) {
  const source = join(work, `source-${images}`);
  await mkdir(join(source, 'a'), { recursive: true });
  await mkdir(join(source, 'b'), { recursive: true });
  for (let i = 0; i < images; i++) await writeFile(join(source, i % 2 ? 'a' : 'b', `face-${String(i).padStart(5, '0')}.${faceImageExtension(i)}`), await faceImage(i, size));
  let copies = 0;
  const fresh = () => {
    const copy = join(work, `copy-${images}-${copies++}`);
    cpSync(source, copy, { recursive: true });
    return copy;
  };
  const rows: Array<{ single: Run; rerun: Run; inTurn: Run[]; atOnceMs: number; reviewWrites: number }> = [];
  for (let k = 0; k < rounds; k++) {
    const single = fresh();
    const one = await detect(single, home, 0);
    const reviewWrites = assertDetectedOnce(single, images);
    // The fixed cost of one process with no image left to detect: spawn, daemon, scan, review state read.
    const rerun = await detect(single, home, 0);

    const inTurn = fresh();
    const shards: Run[] = [];
    for (let i = 0; i < 4; i++) shards.push(await detect(inTurn, home, 0, `${i}/4`));
    assertDetectedOnce(inTurn, images);

    const atOnce = fresh();
    const start = performance.now();
    await Promise.all([detect(atOnce, home, 0, '0/2'), detect(atOnce, home, 1, '1/2')]);
    const atOnceMs = performance.now() - start;
    assertDetectedOnce(atOnce, images);
    for (const copy of [single, inTurn, atOnce]) rmSync(copy, { recursive: true, force: true });
    rows.push({ single: one, rerun, inTurn: shards, atOnceMs, reviewWrites });
    console.log(
      `${images} images, round ${k + 1}: single ${Math.round(one.wallMs)} ms (cpu ${Math.round(one.cpuMs)}), 4 shards in turn ${shards.map((run) => Math.round(run.wallMs)).join(' + ')} ms ` +
        `(cpu ${shards.map((run) => Math.round(run.cpuMs)).join(' + ')}), 2 shards at once ${Math.round(atOnceMs)} ms, rerun ${Math.round(rerun.wallMs)} ms, ${reviewWrites} review writes`,
    );
  }
  rmSync(source, { recursive: true, force: true });
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  // Per round, so that each ratio compares runs made under the same load; then the median over rounds. The CPU
  // overhead is the bar's measure: other processes on this shared 2-core machine stretch walls by tens of percent
  // from one run to the next, but hardly the CPU a run itself uses.
  const overheadWall = median(rows.map((row) => (sum(row.inTurn.map((run) => run.wallMs)) - row.single.wallMs) / row.single.wallMs));
  const overhead = median(rows.map((row) => (sum(row.inTurn.map((run) => run.cpuMs)) - row.single.cpuMs) / row.single.cpuMs));
  const speedup2 = median(rows.map((row) => row.single.wallMs / row.atOnceMs));
  const singleMs = median(rows.map((row) => row.single.wallMs));
  return {
    images,
    rounds: rows.map((row) => ({
      single: { wallMs: Math.round(row.single.wallMs), cpuMs: Math.round(row.single.cpuMs) },
      rerun: { wallMs: Math.round(row.rerun.wallMs), cpuMs: Math.round(row.rerun.cpuMs) },
      fourShardsInTurn: row.inTurn.map((run) => ({ wallMs: Math.round(run.wallMs), cpuMs: Math.round(run.cpuMs) })),
      twoShardsAtOnceMs: Math.round(row.atOnceMs),
      reviewWrites: row.reviewWrites,
    })),
    singleMs: Math.round(singleMs),
    singleCpuMs: Math.round(median(rows.map((row) => row.single.cpuMs))),
    singleImagesPerS: round1((images / singleMs) * 1000),
    fourShardsInTurnMs: Math.round(median(rows.map((row) => sum(row.inTurn.map((run) => run.wallMs))))),
    fourShardsInTurnCpuMs: Math.round(median(rows.map((row) => sum(row.inTurn.map((run) => run.cpuMs))))),
    twoShardsAtOnceMs: Math.round(median(rows.map((row) => row.atOnceMs))),
    fixedCostMs: Math.round(median(rows.map((row) => row.rerun.wallMs))),
    // One process's detections were written in this many groups (review writes, each one lock hold and two fsyncs).
    reviewWrites: median(rows.map((row) => row.reviewWrites)),
    perShardOverhead: Math.round(overhead * 1000) / 1000,
    perShardOverheadWall: Math.round(overheadWall * 1000) / 1000,
    overheadMet: overhead < OVERHEAD_BAR,
    speedup2Cores: Math.round(speedup2 * 100) / 100,
    // See the header: o = 3f/T, so 2 shards on 2 cores should give 2 / (1 + o/3), and 4 on 4 cores 4 / (1 + o).
    expectedSpeedup2Cores: Math.round((2 / (1 + Math.max(overhead, 0) / 3)) * 100) / 100,
    projectedSpeedup4Cores: Math.round((4 / (1 + Math.max(overhead, 0))) * 100) / 100,
  };
}

async function main(): Promise<void> {
  const sizes = String(optionText('--images', '400,2000')).split(',').map(Number);
  const size = option('--size', 256);
  const rounds = option('--rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-shards-'));
  const home = mkdtempSync(join(tmpdir(), 'veil-bench-home-'));
  try {
    const measured = [];
    for (const images of sizes) measured.push(await measure(work, home, images, size, rounds));
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map((n) => Math.round(n * 100) / 100) },
      imageSize: size,
      rounds,
      ortThreadsPerProcess: 1,
      overheadBar: OVERHEAD_BAR,
      projectedBar: SPEEDUP_BAR_4_CORES,
      measured,
    };
    const pct = (o: number) => `${round1(o * 100)} %`;
    const table = [
      `\`veil detect\` (blazeface) on images of ${size} x ${size} px with a face, one ONNX thread per process pinned to a core; median of ${rounds} rounds (ratios per round); ` +
        `${result.date.slice(0, 10)}, ${result.machine.cpus} cores, load ${result.machine.loadAverage.join(' ')}`,
      '',
      '| images | one process, 1 core: wall (CPU) | its review writes (images each) | 4 shards in turn, 1 core: sum of walls (CPU) | per-shard overhead, CPU (wall) — bar < 5 % | 2 shards at once, 2 cores | speed-up (expected from the overhead) | fixed cost of a process | projected: 4 shards on 4 cores — bar >= 3.5 |',
      '|---|---|---|---|---|---|---|---|---|',
      ...measured.map(
        (m) =>
          `| ${m.images} | ${m.singleMs} ms (${m.singleCpuMs}); ${m.singleImagesPerS} images/s | ${m.reviewWrites} (${round1(m.images / m.reviewWrites)}) | ${m.fourShardsInTurnMs} ms (${m.fourShardsInTurnCpuMs}) | ${pct(m.perShardOverhead)} (${pct(m.perShardOverheadWall)}): ${m.overheadMet ? 'met' : 'MISSED'} | ${m.twoShardsAtOnceMs} ms | ${m.speedup2Cores.toFixed(2)}x (${m.expectedSpeedup2Cores.toFixed(2)}x) | ${m.fixedCostMs} ms | ${m.projectedSpeedup4Cores.toFixed(2)}x |`,
      ),
    ].join('\n');
    console.log(table);
    console.log(`wrote ${writeResults('shards', result, table)}`);
    if (!measured.at(-1)!.overheadMet) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

void main();
