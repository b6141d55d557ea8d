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
export type EvalResult = Record<'ALL' | 'S' | 'M' | 'L', BucketScore>;

export async function scorePredictions(evalTool: string, groundTruth: string, images: PredictedImage[]): Promise<EvalResult> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-bench-'));
  try {
    const pred = join(dir, 'pred.json');
    const out = join(dir, 'score.json');
    await writeFile(pred, JSON.stringify({ images }));
    await run(process.execPath, [evalTool, '--gt', groundTruth, '--pred', pred, '--json', out]);
    return JSON.parse(await readFile(out, 'utf8')) as EvalResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
