/** Scores predictions with ../shared/tools/face-eval.mjs (the one scorer every number in the notes comes from). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_DOUBT_MARGIN, DEFAULT_MARGIN, marginFor, type Face } from '../../daemon/protocol';

const run = promisify(execFile);

export interface PredictedImage {
  file: string;
  width: number;
  height: number;
  faces: Face[];
}

export interface BucketScore {
  faces: number;
  ap: number;
  recall: number;
  precision: number;
}
/** Height bands of face-eval's --coverage, in its order. */
export const COVERAGE_BANDS = ['10-16', '16-32', '32-64', '64+'] as const;
export type CoverageBand = (typeof COVERAGE_BANDS)[number];

/** What face-eval's --coverage reports: per band, how many counted faces the redaction regions cover (>= 90 %). */
export interface Coverage {
  threshold: number;
  margin: number;
  cover: number;
  /** Regions a commit would redact (detections at the threshold). */
  redacted: number;
  bands: Record<CoverageBand, { faces: number; covered: number }>;
}

export type EvalResult = Record<'ALL' | 'S' | 'M' | 'L', BucketScore> & { coverage?: Coverage };

/** Asks face-eval for coverage too: detections scoring >= threshold, each grown by margin, as a commit redacts. */
export interface CoverageRequest {
  threshold: number;
  margin: number;
}

export async function scorePredictions(evalTool: string, groundTruth: string, images: PredictedImage[], coverage?: CoverageRequest): Promise<EvalResult> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-bench-'));
  try {
    const pred = join(dir, 'pred.json');
    const out = join(dir, 'score.json');
    await writeFile(pred, JSON.stringify({ images }));
    const coverageArgs = coverage ? ['--coverage', '--threshold', String(coverage.threshold), '--margin', String(coverage.margin)] : [];
    await run(process.execPath, [evalTool, '--gt', groundTruth, '--pred', pred, '--json', out, ...coverageArgs]);
    return JSON.parse(await readFile(out, 'utf8')) as EvalResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The margin a commit gives each detection (`marginFor`: model boxes nobody moved), with today's defaults. */
export const COMMIT_MARGIN_RULE = { margin: DEFAULT_MARGIN, doubtMargin: DEFAULT_DOUBT_MARGIN };

/** Every box grown by its own margin, as a commit grows it: face-eval then scores coverage with --margin 0. */
export function grownBy(images: PredictedImage[], marginOf: (face: Face) => number): PredictedImage[] {
  return images.map((image) => ({
    ...image,
    faces: image.faces.map((face) => {
      const m = marginOf(face);
      return { x: face.x - m * face.w, y: face.y - m * face.h, w: face.w * (1 + 2 * m), h: face.h * (1 + 2 * m), score: face.score };
    }),
  }));
}

/** The margin a commit with today's defaults gives a detection. */
export function commitMarginOf(face: Face): number {
  return marginFor({ score: face.score, edited: false }, COMMIT_MARGIN_RULE);
}

/** Coverage as a commit redacts with today's defaults: every detection given (already cut at the operating point), each grown by its own margin. */
export async function scoreCommitCoverage(evalTool: string, groundTruth: string, images: PredictedImage[]): Promise<Coverage> {
  const { coverage } = await scorePredictions(evalTool, groundTruth, grownBy(images, commitMarginOf), { threshold: 0, margin: 0 });
  if (!coverage) throw new Error(`face-eval reported no coverage for ${groundTruth}`);
  return coverage;
}
