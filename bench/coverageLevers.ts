/**
 * What each coverage lever of issue #12 bought: the detectors with one lever at a time switched on, scored on the
 * shared sets by face-eval.mjs (AP from a 0.1 sweep; precision and coverage by height band at the row's threshold,
 * regions grown by the commit margin), with ms per 0.7 MP image measured in the same run (the machine is shared:
 * compare rows, not runs). Margin rows re-score the default detectors' boxes with another commit margin and say how
 * much of the image that redacts.
 *
 *   node out/bench/coverageLevers.js [--sets wider-dev,widerfull,selfpics]
 *
 * Writes bench/results/coverageLevers.json and prints a table.
 */
import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlazeFaceDetector, type BlazeFaceOptions } from '../daemon/detection/blazeFaceDetector';
import type { Detector } from '../daemon/detection/detector';
import { openSession } from '../daemon/detection/session';
import { YuNetDetector, type YuNetOptions } from '../daemon/detection/yuNetDetector';
import { ModelRegistry } from '../daemon/models/registry';
import type { Face, ModelInfo } from '../daemon/protocol';
import { DEFAULT_DOUBT_MARGIN, DEFAULT_MARGIN } from '../daemon/protocol';
import { COVERAGE_BANDS, commitMarginOf, grownBy, scorePredictions, type Coverage, type PredictedImage } from './lib/faceEval';
import { decodeSetImage, FACE_SETS, groundTruthImages, groundTruthPath, type FaceSetName } from './lib/faceSets';
import { neural, type BenchDetector } from './lib/modes';
import { detectSet, EVAL_TOOL, FACES, REPO, YUNET_FILE } from './lib/sharedData';
import { msPerImage, resizedToMegapixels } from './lib/speed';

const SWEEP_THRESHOLD = 0.1;

/** A margin as a function of a box's score. */
interface MarginRule {
  name: string;
  marginOf(face: Face): number;
}

/** The commit's rule first (what every row is scored with), then the flat margins it replaced. */
const MARGIN_RULES: MarginRule[] = [
  { name: `${DEFAULT_MARGIN} + ${DEFAULT_DOUBT_MARGIN} x (1 - score) (commit default)`, marginOf: commitMarginOf },
  { name: `${DEFAULT_MARGIN} flat (before)`, marginOf: () => DEFAULT_MARGIN },
  { name: '0.4 flat', marginOf: () => 0.4 },
];

interface Lever {
  name: string;
  model: 'blazeface' | 'yunet';
  options: BlazeFaceOptions | YuNetOptions;
  thorough: boolean;
  /** Default: the detector's operating threshold for the mode. */
  threshold?: number;
  /** Also re-score this row's boxes with every MARGIN_RULES margin. */
  margins?: boolean;
}

const LEVERS: Lever[] = [
  { name: 'BlazeFace, one view (before #12)', model: 'blazeface', options: { mirroredView: false }, thorough: false },
  { name: 'BlazeFace + mirrored view (default)', model: 'blazeface', options: {}, thorough: false, margins: true },
  { name: 'BlazeFace --thorough (+ half-octave pyramid)', model: 'blazeface', options: {}, thorough: true },
  { name: 'YuNet --thorough, one view, 0.5 (before #12)', model: 'yunet', options: { mirroredView: false, upscaleKernel: 'lanczos3' }, thorough: true, threshold: 0.5 },
  { name: 'YuNet --thorough + mirrored native view, 0.5', model: 'yunet', options: { upscaleKernel: 'lanczos3' }, thorough: true, threshold: 0.5 },
  { name: 'YuNet --thorough + mirrored view at its threshold, lanczos3 x2 copy', model: 'yunet', options: { upscaleKernel: 'lanczos3' }, thorough: true },
  { name: 'YuNet --thorough + mirrored view at its threshold, bilinear x2 copy (default)', model: 'yunet', options: {}, thorough: true, margins: true },
];

interface SetRow {
  ap: number;
  precision: number;
  coverage: Coverage;
  /** Share of the image's pixels the regions cover, mean over the set's images (the cost of a bigger margin). */
  redactedArea: number;
}

interface LeverResult {
  lever: string;
  threshold: number;
  margin: string;
  msAt07MP: number | null;
  sets: Partial<Record<FaceSetName, SetRow>>;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

async function openDetector(lever: Lever, model: ModelInfo): Promise<Detector> {
  const session = await openSession(await readFile(model.path));
  return lever.model === 'blazeface' ? new BlazeFaceDetector(model, session, lever.options) : new YuNetDetector(model, session, lever.options);
}

/** Mean share of each image's pixels inside at least one of its (already grown) boxes, sampled every 2 px. */
function redactedArea(images: PredictedImage[], threshold: number): number {
  let sum = 0;
  for (const image of images) {
    const boxes = image.faces.filter((face) => face.score >= threshold);
    let inside = 0;
    let cells = 0;
    for (let y = 0.5; y < image.height; y += 2) {
      for (let x = 0.5; x < image.width; x += 2) {
        cells++;
        if (boxes.some((b) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h)) inside++;
      }
    }
    sum += cells ? inside / cells : 0;
  }
  return images.length ? sum / images.length : 0;
}

async function scoreRow(set: FaceSetName, sweep: PredictedImage[], atThreshold: PredictedImage[], threshold: number, rule: MarginRule): Promise<SetRow> {
  const gt = groundTruthPath(FACES, set);
  const grown = grownBy(atThreshold, rule.marginOf);
  const [ranked, covered] = await Promise.all([
    scorePredictions(EVAL_TOOL, gt, sweep),
    scorePredictions(EVAL_TOOL, gt, grown, { threshold, margin: 0 }),
  ]);
  // Precision from the boxes as detected (grown boxes would not match at IoU 0.5).
  const plain = await scorePredictions(EVAL_TOOL, gt, atThreshold);
  if (!covered.coverage) throw new Error(`face-eval reported no coverage for ${set}`);
  return { ap: Math.round(ranked.ALL.ap * 1000) / 10, precision: plain.ALL.precision, coverage: covered.coverage, redactedArea: redactedArea(grown, threshold) };
}

async function speedAt07MP(detector: BenchDetector): Promise<number> {
  const widerfull = await Promise.all((await groundTruthImages(FACES, 'widerfull')).map((image) => decodeSetImage(FACES, image.file)));
  const { sized, cleanup } = await resizedToMegapixels(widerfull, 0.7);
  try {
    return await msPerImage(detector, sized, 2);
  } finally {
    await cleanup();
  }
}

async function runLever(lever: Lever, registry: ModelRegistry, sets: FaceSetName[]): Promise<LeverResult[]> {
  const detector = await openDetector(lever, await registry.info(lever.model));
  const bench = neural(lever.name, detector, lever.thorough);
  const threshold = lever.threshold ?? bench.defaultThreshold;
  try {
    const predictions = new Map<FaceSetName, { sweep: PredictedImage[]; atThreshold: PredictedImage[] }>();
    for (const set of sets) predictions.set(set, { sweep: await detectSet(bench, set, SWEEP_THRESHOLD), atThreshold: await detectSet(bench, set, threshold) });
    const msAt07MP = await speedAt07MP({ ...bench, defaultThreshold: threshold });
    const rules = lever.margins ? MARGIN_RULES : MARGIN_RULES.slice(0, 1);
    const rows: LeverResult[] = [];
    for (const rule of rules) {
      const row: LeverResult = { lever: lever.name, threshold, margin: rule.name, msAt07MP: rule === rules[0] ? msAt07MP : null, sets: {} };
      for (const set of sets) {
        const { sweep, atThreshold } = predictions.get(set)!;
        row.sets[set] = await scoreRow(set, sweep, atThreshold, threshold, rule);
      }
      rows.push(row);
    }
    return rows;
  } finally {
    await detector.dispose();
  }
}

function pct(part: number, whole: number): string {
  return whole ? `${((100 * part) / whole).toFixed(1)} (${whole - part})` : '-';
}

function table(results: LeverResult[], sets: FaceSetName[]): string {
  const header = ['lever', 'threshold', 'margin', 'ms/img 0.7 MP', ...sets.map((s) => `${s}: AP / precision / covered % (left visible) 10-16 · 16-32 · 32-64 · 64+ · >= 32 / area redacted`)].join(' | ');
  const rows = results.map((r) => {
    const cells = sets.map((set) => {
      const q = r.sets[set];
      if (!q) return '-';
      const b = q.coverage.bands;
      const bands = COVERAGE_BANDS.map((band) => pct(b[band].covered, b[band].faces));
      const large = pct(b['32-64'].covered + b['64+'].covered, b['32-64'].faces + b['64+'].faces);
      return `${q.ap} / ${q.precision.toFixed(2)} / ${[...bands, large].join(' · ')} / ${(100 * q.redactedArea).toFixed(1)} %`;
    });
    return [r.lever, r.threshold, r.margin, r.msAt07MP === null ? '' : r.msAt07MP.toFixed(0), ...cells].join(' | ');
  });
  return [header, header.replace(/[^|]/g, '-'), ...rows].map((line) => `| ${line} |`).join('\n');
}

async function main(): Promise<void> {
  const sets = (argument('--sets')?.split(',') ?? [...FACE_SETS]) as FaceSetName[];
  const home = await mkdtemp(join(tmpdir(), 'veil-bench-home-'));
  const registry = new ModelRegistry({ home, manifestPath: join(REPO, 'models', 'manifest.json') });
  const loadBefore = loadavg()[0];
  try {
    await registry.add({ file: YUNET_FILE, decoder: 'yunet' });
    const results: LeverResult[] = [];
    for (const lever of LEVERS) {
      console.error(`bench: ${lever.name} ...`);
      results.push(...(await runLever(lever, registry, sets)));
    }
    console.log(table(results, sets));
    const machine = { node: process.version, cpus: cpus().length, loadAverage: { before: loadBefore, after: loadavg()[0] } };
    console.log(`load average (1 min): ${loadBefore.toFixed(1)} before, ${machine.loadAverage.after.toFixed(1)} after, on ${machine.cpus} cores`);
    const outDir = join(REPO, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'coverageLevers.json'), JSON.stringify({ at: new Date().toISOString(), machine, sets, results }, null, 2) + '\n');
  } finally {
    await registry.dispose();
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
