/**
 * `node bench/run.mjs possibleFaces`: how many of the faces a commit would leave visible at the operating threshold
 * are among the possible faces (detections between POSSIBLE_FACE_FLOOR and the threshold), i.e. the annotator's chance
 * to catch them by promoting one, on wider-dev with YuNet --thorough and the embedded default.
 *
 * Both numbers come from ../shared/tools/face-eval.mjs --coverage on one run at the floor: faces left visible with
 * the threshold's regions, and with the floor's (every possible face promoted and accepted). A face left visible at the
 * threshold but covered at the floor is one a possible face lies on. Also: possible faces per image (reviewer load),
 * for the product's floor and two higher ones.
 * Writes bench/results/possibleFaces.{json,md}.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from '../daemon/models/registry';
import { POSSIBLE_FACE_FLOOR } from '../daemon/review/possibleFaces';
import { reachesOperatingPoint } from '../daemon/detection/detector';
import type { Face } from '../daemon/protocol';
import { COMMIT_MARGIN_RULE, COVERAGE_BANDS, scoreCommitCoverage, type Coverage, type CoverageBand } from './lib/faceEval';
import { groundTruthPath } from './lib/faceSets';
import { createBenchDetector, type ModeName } from './lib/modes';
import { detectSet, EVAL_TOOL, FACES, REPO, YUNET_FILE } from './lib/sharedData';

const SET = 'wider-dev';
const MODES: ModeName[] = ['yunet-thorough', 'blazeface-pyramid'];
/** The product's floor and two higher ones: what each buys in misses caught against boxes to look at. */
const FLOORS = [POSSIBLE_FACE_FLOOR, 0.3, 0.4];

interface BandResult {
  faces: number;
  /** Left visible by the regions of the detections at the threshold. */
  visible: number;
  /** Of those, covered once the possible faces are promoted and accepted. */
  amongPossible: number;
}

interface ModeResult {
  mode: ModeName;
  threshold: number;
  floor: number;
  images: number;
  /** Detections between the floor and the threshold: boxes an annotator may look at. */
  possibleFaces: number;
  bands: Record<CoverageBand, BandResult>;
}

function bandsOf(atThreshold: Coverage, atFloor: Coverage): Record<CoverageBand, BandResult> {
  return Object.fromEntries(
    COVERAGE_BANDS.map((band) => {
      const { faces, covered } = atThreshold.bands[band];
      const visible = faces - covered;
      return [band, { faces, visible, amongPossible: visible - (faces - atFloor.bands[band].covered) }];
    }),
  ) as Record<CoverageBand, BandResult>;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)}%`;
}

function table(results: readonly ModeResult[]): string {
  const header = ['mode', 'threshold → floor', 'possible faces / image', ...COVERAGE_BANDS.map((band) => `${band} px: among possible / left visible`)];
  const rows = results.map((result) => [
    result.mode,
    `${result.threshold} → ${result.floor}`,
    (result.possibleFaces / result.images).toFixed(1),
    ...COVERAGE_BANDS.map((band) => {
      const { visible, amongPossible } = result.bands[band];
      return `${amongPossible} / ${visible} (${percent(amongPossible, visible)})`;
    }),
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** One detection run at the lowest floor, scored at the threshold and at each floor below it. */
async function measure(mode: ModeName, registry: ModelRegistry): Promise<ModeResult[]> {
  const detector = await createBenchDetector(mode, registry);
  try {
    const threshold = detector.defaultThreshold;
    const floors = FLOORS.filter((floor) => floor < threshold);
    const predictions = await detectSet(detector, SET, Math.min(...floors));
    const groundTruth = groundTruthPath(FACES, SET);
    const from = (keep: (face: Face) => boolean) => predictions.map((image) => ({ ...image, faces: image.faces.filter(keep) }));
    const atThreshold = await scoreCommitCoverage(EVAL_TOOL, groundTruth, from((face) => reachesOperatingPoint(face, detector.point)));
    const results: ModeResult[] = [];
    for (const floor of floors) {
      const atFloor = await scoreCommitCoverage(EVAL_TOOL, groundTruth, from((face) => face.score >= floor || reachesOperatingPoint(face, detector.point)));
      const possibleFaces = predictions.reduce((sum, image) => sum + image.faces.filter((face) => face.score >= floor && !reachesOperatingPoint(face, detector.point)).length, 0);
      results.push({ mode, threshold, floor, images: predictions.length, possibleFaces, bands: bandsOf(atThreshold, atFloor) });
    }
    return results;
  } finally {
    await detector.dispose();
  }
}

async function main(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'veil-bench-home-'));
  try {
    const registry = new ModelRegistry({ home, manifestPath: join(REPO, 'models', 'manifest.json') });
    await registry.add({ file: YUNET_FILE, decoder: 'yunet' });
    const results: ModeResult[] = [];
    for (const mode of MODES) {
      console.error(`bench: ${mode} on ${SET} ...`);
      results.push(...(await measure(mode, registry)));
    }
    const markdown = `Possible faces on ${SET} (margin ${COMMIT_MARGIN_RULE.margin} + ${COMMIT_MARGIN_RULE.doubtMargin} x (1 - score), a face is visible unless 90% of it is covered; face-eval --coverage)\n\n${table(results)}\n`;
    console.log(markdown);
    const outDir = join(REPO, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'possibleFaces.json'), JSON.stringify({ set: SET, margin: COMMIT_MARGIN_RULE, machine: { node: process.version, cpus: cpus().length }, results }, null, 2) + '\n');
    await writeFile(join(outDir, 'possibleFaces.md'), markdown);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
