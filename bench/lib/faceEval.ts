/** Scores predictions with ../shared/tools/face-eval.mjs (the one scorer every number in the notes comes from). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Face } from '../../daemon/protocol';

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
