/**
 * Detection benchmark: quality (AP on ../shared/data/faces, scored by face-eval.mjs), recall on large faces at
 * the default threshold, coverage (faces a commit would leave visible, by height band, at the mode's operating
 * threshold and the commit margin), speed at ~0.2 and ~0.7 MP, images/s, peak RSS and memory over a 1,000-image
 * batch, for each model and mode and the Debian `facedetect` peer. Each mode runs in its own process (clean RSS).
 *
 *   node out/bench/detect.js [--quick] [--modes yunet,blazeface-pyramid] [--sets wider-dev]
 *
 * --quick: wider-dev only, one speed round, no 1,000-image batch. --quality-only: no speed or memory. Writes
 * bench/results/detect.json (detect-quick.json with --quick, detect-quality.json with --quality-only) and prints
 * two tables.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultIntraOpThreads } from '../daemon/detection/session';
import { ModelRegistry } from '../daemon/models/registry';
import { COMMIT_MARGIN_RULE, COVERAGE_BANDS, scoreCommitCoverage, scorePredictions, type Coverage } from './lib/faceEval';
import { decodeSetImage, FACE_SETS, groundTruthImages, groundTruthPath, type FaceSetName } from './lib/faceSets';
import { createBenchDetector, MODE_NAMES, type BenchDetector, type ModeName } from './lib/modes';
import { detectSet, EVAL_TOOL, FACES, REPO, YUNET_FILE } from './lib/sharedData';
import { msPerImage, peakRssMiB, resizedToMegapixels, rssMiB } from './lib/speed';

const SWEEP_THRESHOLD = 0.1;
const MEMORY_BATCH = 1000;

interface SetQuality {
  /** AP (%) at the sweep threshold, overall and by face height. */
  ap: number;
  apSmall: number;
  apMedium: number;
  apLarge: number;
  /** Recall on faces >= 96 px at the default threshold, and how many such faces there are. */
  largeRecall: number;
  largeFaces: number;
  /** Precision and recall over all faces at the default threshold (what a reviewer sees). */
  precision: number;
  recall: number;
  /** Faces covered by what a commit would redact at the default threshold and margin, by height band. */
  coverage: Coverage;
}

interface ModeResult {
  mode: ModeName;
  defaultThreshold: number;
  quality: Partial<Record<FaceSetName, SetQuality>>;
  msAt02MP: number;
  msAt07MP: number;
  imagesPerSecond: number;
  peakRssMiB: number;
  memory: { images: number; startMiB: number; middleMiB: number; endMiB: number } | null;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

async function measureQuality(detector: BenchDetector, set: FaceSetName): Promise<SetQuality> {
  const gt = groundTruthPath(FACES, set);
  const swept = await detectSet(detector, set, SWEEP_THRESHOLD);
  const sweep = await scorePredictions(EVAL_TOOL, gt, swept);
  const atThreshold = detector.name === 'facedetect' ? swept : await detectSet(detector, set);
  const atDefault = detector.name === 'facedetect' ? sweep : await scorePredictions(EVAL_TOOL, gt, atThreshold);
  // Precision from the boxes as proposed; coverage from the regions a commit paints (each box grown by its margin).
  const coverage = await scoreCommitCoverage(EVAL_TOOL, gt, atThreshold);
  const pct = (v: number) => Math.round(v * 1000) / 10;
  return { ap: pct(sweep.ALL.ap), apSmall: pct(sweep.S.ap), apMedium: pct(sweep.M.ap), apLarge: pct(sweep.L.ap), largeRecall: atDefault.L.recall, largeFaces: atDefault.L.faces, precision: atDefault.ALL.precision, recall: atDefault.ALL.recall, coverage };
}

/** Decode + detect over wider-dev repeated to `count` images, RSS sampled at start, middle and end. */
async function memoryBatch(detector: BenchDetector, count: number) {
  const files = (await groundTruthImages(FACES, 'wider-dev')).map((image) => image.file);
  let startMiB = 0;
  let middleMiB = 0;
  const began = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const file = files[i % files.length];
    await detector.detect(await decodeSetImage(FACES, file), join(FACES, file), detector.defaultThreshold);
    if (i === files.length - 1) startMiB = rssMiB();
    if (i === count / 2) middleMiB = rssMiB();
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return { images: count, startMiB, middleMiB, endMiB: rssMiB(), imagesPerSecond: count / seconds };
}

async function runMode(mode: ModeName, sets: FaceSetName[], quick: boolean): Promise<ModeResult> {
  const home = await mkdtemp(join(tmpdir(), 'veil-bench-home-'));
  const registry = new ModelRegistry({ home, manifestPath: join(REPO, 'models', 'manifest.json') });
  await registry.add({ file: YUNET_FILE, decoder: 'yunet' });
  const detector = await createBenchDetector(mode, registry);
  try {
    const quality: ModeResult['quality'] = {};
    for (const set of sets) quality[set] = await measureQuality(detector, set);
    if (process.argv.includes('--quality-only')) return { mode, defaultThreshold: detector.defaultThreshold, quality, msAt02MP: NaN, msAt07MP: NaN, imagesPerSecond: NaN, peakRssMiB: NaN, memory: null };
    const widerfull = await Promise.all((await groundTruthImages(FACES, 'widerfull')).map((image) => decodeSetImage(FACES, image.file)));
    const speedAt = async (megapixels: number) => {
      const { sized, cleanup } = await resizedToMegapixels(widerfull, megapixels);
      try {
        return await msPerImage(detector, sized, quick ? 2 : 5);
      } finally {
        await cleanup();
      }
    };
    const msAt02MP = await speedAt(0.2);
    const msAt07MP = await speedAt(0.7);
    const batchSize = quick || mode === 'facedetect' ? 100 : MEMORY_BATCH;
    const batch = await memoryBatch(detector, batchSize);
    const memory = batchSize === MEMORY_BATCH ? { images: batch.images, startMiB: batch.startMiB, middleMiB: batch.middleMiB, endMiB: batch.endMiB } : null;
    return { mode, defaultThreshold: detector.defaultThreshold, quality, msAt02MP, msAt07MP, imagesPerSecond: batch.imagesPerSecond, peakRssMiB: peakRssMiB(), memory };
  } finally {
    await detector.dispose();
    await rm(home, { recursive: true, force: true });
  }
}

/** A number for the table; '-' for measurements that were skipped (NaN becomes null in JSON). */
function fixed(value: number | null, digits: number): string {
  return value === null || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

function table(results: ModeResult[], sets: FaceSetName[]): string {
  const rows = results.map((r) => {
    const q = r.quality['wider-dev'];
    const large = sets.map((s) => r.quality[s]).filter((x): x is SetQuality => !!x);
    const largeFaces = large.reduce((n, x) => n + x.largeFaces, 0);
    const largeFound = large.reduce((n, x) => n + x.largeRecall * x.largeFaces, 0);
    const mem = r.memory ? `${r.memory.startMiB.toFixed(0)}/${r.memory.middleMiB.toFixed(0)}/${r.memory.endMiB.toFixed(0)}` : '-';
    return [
      r.mode,
      q ? `${q.ap} (${q.apSmall}/${q.apMedium}/${q.apLarge})` : '-',
      q ? `${fixed(q.precision, 2)} / ${fixed(q.recall, 2)}` : '-',
      r.quality.widerfull?.ap ?? '-',
      r.quality.selfpics ? `${r.quality.selfpics.ap}` : '-',
      largeFaces ? `${(largeFound / largeFaces).toFixed(3)} of ${largeFaces}` : '-',
      fixed(r.msAt02MP, 1),
      fixed(r.msAt07MP, 1),
      fixed(r.imagesPerSecond, 1),
      fixed(r.peakRssMiB, 0),
      mem,
    ].join(' | ');
  });
  const header = 'mode | wider-dev AP (S/M/L) | wider-dev P / R @default | widerfull AP | selfpics AP | recall >=96px @default | median ms 0.2MP | median ms 0.7MP | img/s (decode+detect) | peak RSS MiB | RSS start/mid/end MiB';
  return [header, header.replace(/[^|]/g, '-'), ...rows].map((line) => `| ${line} |`).join('\n');
}

/** `covered %` and the faces left visible, e.g. `88.4 % (27)`. */
function coverageCell(band: { faces: number; covered: number }): string {
  return band.faces ? `${((100 * band.covered) / band.faces).toFixed(1)} % (${band.faces - band.covered})` : '-';
}

/** Coverage by height band for every mode and set, with AP and precision at the operating threshold beside it. */
export function coverageTable(results: ReadonlyArray<Pick<ModeResult, 'mode' | 'defaultThreshold' | 'quality'>>, sets: FaceSetName[]): string {
  const rows = results.flatMap((r) =>
    sets.flatMap((set) => {
      const q = r.quality[set];
      if (!q) return [];
      const bands = COVERAGE_BANDS.map((band) => coverageCell(q.coverage.bands[band]));
      const large = { faces: q.coverage.bands['32-64'].faces + q.coverage.bands['64+'].faces, covered: q.coverage.bands['32-64'].covered + q.coverage.bands['64+'].covered };
      return [[r.mode, set, r.defaultThreshold, ...bands, coverageCell(large), fixed(q.precision, 2), q.ap, q.coverage.redacted].join(' | ')];
    }),
  );
  const header = `mode | set | threshold | covered 10-16 px (left visible) | 16-32 px | 32-64 px | 64+ px | >= 32 px | precision @threshold | AP | regions redacted (margin ${COMMIT_MARGIN_RULE.margin} + ${COMMIT_MARGIN_RULE.doubtMargin} x (1 - score))`;
  return [header, header.replace(/[^|]/g, '-'), ...rows].map((line) => `| ${line} |`).join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const child = argument('--child') as ModeName | undefined;
  const sets = (argument('--sets')?.split(',') ?? (quick ? ['wider-dev'] : [...FACE_SETS])) as FaceSetName[];
  if (child) {
    process.stdout.write(JSON.stringify(await runMode(child, sets, quick)) + '\n');
    return;
  }
  const modes = (argument('--modes')?.split(',') ?? [...MODE_NAMES]) as ModeName[];
  const loadBefore = loadavg()[0];
  const results: ModeResult[] = [];
  for (const mode of modes) {
    console.error(`bench: ${mode} ...`);
    const args = [__filename, '--child', mode, '--sets', sets.join(','), ...(quick ? ['--quick'] : []), ...(process.argv.includes('--quality-only') ? ['--quality-only'] : [])];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 2 ** 20 });
    results.push(JSON.parse(stdout.trim().split('\n').pop() ?? '') as ModeResult);
  }
  console.log(table(results, sets));
  console.log(`\nCoverage: a face is left visible unless the regions a commit redacts (detections at the threshold, grown by the margin) cover >= 90 % of it`);
  console.log(coverageTable(results, sets));
  const outDir = join(REPO, 'bench', 'results');
  await mkdir(outDir, { recursive: true });
  // Speed is only comparable on an idle machine: the 1-minute load average before and after says how idle it was.
  const machine = { node: process.version, cpus: cpus().length, ortThreads: defaultIntraOpThreads(), loadAverage: { before: loadBefore, after: loadavg()[0] } };
  console.log(`load average (1 min): ${loadBefore.toFixed(1)} before, ${machine.loadAverage.after.toFixed(1)} after, on ${machine.cpus} cores`);
  const name = quick ? 'detect-quick.json' : process.argv.includes('--quality-only') ? 'detect-quality.json' : 'detect.json';
  await writeFile(join(outDir, name), JSON.stringify({ at: new Date().toISOString(), machine, sets, results }, null, 2) + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
