/**
 * Issue #14 item 6's bar (README "Beyond one machine: shards"): 4 shards of `veil detect` scale to >= 3.5x one shard's
 * throughput when given 4 cores' worth of work. This machine has 2 cores, so it measures what decides that instead:
 *
 * - `single`: `veil detect <dir>` as one process on one core (taskset, VEIL_ORT_THREADS=1);
 * - `4 shards in turn`: `veil detect <dir> --shard i/4`, i = 0..3, one after another on that core, on a fresh copy.
 *   Per-shard overhead = (sum of the 4 walls - single) / single: what running the work as 4 processes costs beyond
 *   the work (a process, a daemon, the model loaded, the dataset scanned, the shard's review writes). Bar: < 5 %.
 * - `2 shards at once`: `--shard 0/2` on core 0 and `--shard 1/2` on core 1 together, on a fresh copy: the speed-up
 *   single / wall, where the two also share the review log, the audit log and their locks.
 *
 * The projection to 4 cores (README): each of n shards pays the fixed cost f once, so overhead o = (n-1) f / T for
 * n = 4 shards in turn, and n shards on n cores take T/n + f: speed-up n / (1 + n o / 3) for n = 4, >= 3.5 while
 * o <= 10.7 %. The 2-core run checks that shards at once add nothing beyond f (lock waits, a shared disk).
 *
 * Every run is the built CLI (node dist/cli.js, which starts its own daemon). Rounds interleave the three ways, so
 * each sees the same machine load. Each copy's audit log must hold one detect-image entry per image.
 * Usage: node out/bench/shards.js [--images N] [--size PX] [--rounds N]   → table + bench/results/shards.json and .md
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

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

/** `veil detect root [--shard s]` pinned to `cpu` with one ONNX thread; resolves with its wall ms (throws unless exit 0). */
function detect(root: string, home: string, cpu: number, shard?: string): Promise<number> {
  const args = ['-c', String(cpu), process.execPath, CLI, 'detect', root, ...(shard ? ['--shard', shard] : [])];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { env: { ...process.env, VEIL_HOME: home, VEIL_ORT_THREADS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`veil detect ${shard ?? ''} exited ${code}: ${stderr.slice(-1500)}`))));
  });
}

/** Checks that every image of the copy was detected exactly once. */
function assertDetectedOnce(root: string, images: number): void {
  const lines = readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; file?: string });
  const files = lines.filter((line) => line.type === 'detect-image').map((line) => line.file);
  if (files.length !== images || new Set(files).size !== images) throw new Error(`${root}: ${files.length} detect-image entries (${new Set(files).size} files) for ${images} images`);
}

async function main(): Promise<void> {
  const images = option('--images', 400);
  const size = option('--size', 256);
  const rounds = option('--rounds', 2);
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-shards-'));
  const home = mkdtempSync(join(tmpdir(), 'veil-bench-home-'));
  try {
    const source = join(work, 'source');
    await mkdir(join(source, 'a'), { recursive: true });
    await mkdir(join(source, 'b'), { recursive: true });
    for (let i = 0; i < images; i++) await writeFile(join(source, i % 2 ? 'a' : 'b', `face-${String(i).padStart(5, '0')}.${faceImageExtension(i)}`), await faceImage(i, size));
    let copies = 0;
    const fresh = () => {
      const copy = join(work, `copy-${copies++}`);
      cpSync(source, copy, { recursive: true });
      return copy;
    };
    const samples = { single: [] as number[], inTurn: [] as number[], inTurnShards: [] as number[][], atOnce: [] as number[], rerun: [] as number[] };
    for (let k = 0; k < rounds; k++) {
      const single = fresh();
      samples.single.push(await detect(single, home, 0));
      assertDetectedOnce(single, images);
      // The fixed cost of one process, with no image left to detect: spawn, daemon, model, scan, review state read.
      samples.rerun.push(await detect(single, home, 0));

      const inTurn = fresh();
      const walls: number[] = [];
      for (let i = 0; i < 4; i++) walls.push(await detect(inTurn, home, 0, `${i}/4`));
      assertDetectedOnce(inTurn, images);
      samples.inTurnShards.push(walls);
      samples.inTurn.push(walls.reduce((a, b) => a + b, 0));

      const atOnce = fresh();
      const start = performance.now();
      await Promise.all([detect(atOnce, home, 0, '0/2'), detect(atOnce, home, 1, '1/2')]);
      samples.atOnce.push(performance.now() - start);
      assertDetectedOnce(atOnce, images);
      for (const copy of [single, inTurn, atOnce]) rmSync(copy, { recursive: true, force: true });
      console.log(`round ${k + 1}: single ${Math.round(samples.single[k]!)} ms, 4 shards in turn ${walls.map(Math.round).join(' + ')} = ${Math.round(samples.inTurn[k]!)} ms, 2 shards at once ${Math.round(samples.atOnce[k]!)} ms, rerun ${Math.round(samples.rerun[k]!)} ms`);
    }

    const single = median(samples.single);
    const overheads = samples.inTurn.map((sum, k) => (sum - samples.single[k]!) / samples.single[k]!);
    const speedups = samples.atOnce.map((wall, k) => samples.single[k]! / wall);
    const overhead = median(overheads);
    const speedup2 = median(speedups);
    const projected4 = 4 / (1 + (4 * Math.max(overhead, 0)) / 3);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map((n) => Math.round(n * 100) / 100) },
      images,
      imageSize: size,
      rounds,
      ortThreadsPerProcess: 1,
      singleMs: samples.single.map(Math.round),
      singleImagesPerS: round1((images / single) * 1000),
      fixedCostMs: samples.rerun.map(Math.round),
      fourShardsInTurnMs: samples.inTurnShards.map((walls) => walls.map(Math.round)),
      perShardOverhead: overheads.map((o) => Math.round(o * 1000) / 1000),
      perShardOverheadMedian: Math.round(overhead * 1000) / 1000,
      overheadBar: OVERHEAD_BAR,
      overheadMet: overhead < OVERHEAD_BAR,
      twoShardsAtOnceMs: samples.atOnce.map(Math.round),
      speedup2Cores: speedups.map((s) => Math.round(s * 100) / 100),
      speedup2CoresMedian: Math.round(speedup2 * 100) / 100,
      projectedSpeedup4Cores: Math.round(projected4 * 100) / 100,
      projectedBar: SPEEDUP_BAR_4_CORES,
    };
    const pct = (o: number) => `${round1(o * 100)} %`;
    const table = [
      `${images} images of ${size} x ${size} px with a face, \`veil detect\` (blazeface), one ONNX thread per process; median of ${rounds} rounds; ` +
        `${result.date.slice(0, 10)}, ${result.machine.cpus} cores, load ${result.machine.loadAverage.join(' ')}`,
      '',
      '| run | wall | images/s | measure |',
      '|---|---|---|---|',
      `| one process, 1 core | ${Math.round(single)} ms | ${result.singleImagesPerS} | |`,
      `| 4 shards one after another, 1 core | ${Math.round(median(samples.inTurn))} ms (sum) | ${round1((images / median(samples.inTurn)) * 1000)} | per-shard overhead ${pct(overhead)} (bar < 5 %: ${result.overheadMet ? 'met' : 'MISSED'}) |`,
      `| 2 shards at once, 2 cores | ${Math.round(median(samples.atOnce))} ms | ${round1((images / median(samples.atOnce)) * 1000)} | speed-up ${speedup2.toFixed(2)}x |`,
      `| one process, nothing left to detect | ${Math.round(median(samples.rerun))} ms | | the fixed cost of a process |`,
      `| projection: 4 shards on 4 cores | | | ${projected4.toFixed(2)}x (4 / (1 + 4 o / 3); bar >= ${SPEEDUP_BAR_4_CORES}) |`,
    ].join('\n');
    console.log(table);
    console.log(`wrote ${writeResults('shards', result, table)}`);
    if (!result.overheadMet) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

void main();
