/** `veil detect <dir>`: propose face boxes for every image, save them for review, print a summary. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DatasetDetectResult } from '../../daemon/protocol';
import { numberOption, onePositional, parseCommandArgs, shardOption } from '../args';
import { interruptSignal, withDaemon } from '../daemonSession';
import type { CliIO } from '../io';
import { progressPrinter } from '../progress';
import { formatTable } from '../table';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';

const USAGE = 'veil detect <dir> [--predictions out.json] [--model NAME|PATH] [--threshold T] [--thorough] [--video-stride N] [--force] [--max-pixels N] [--shard i/n]';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      predictions: { type: 'string' },
      model: { type: 'string' },
      threshold: { type: 'string' },
      thorough: { type: 'boolean' },
      force: { type: 'boolean' },
      'video-stride': { type: 'string' },
      'max-pixels': { type: 'string' },
      shard: { type: 'string' },
    },
    USAGE,
  );
  const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', USAGE));
  const threshold = numberOption(values.threshold, 'threshold', 0, 1);
  const maxPixels = numberOption(values['max-pixels'], 'max-pixels', 1, 1e10);
  const videoStride = numberOption(values['video-stride'], 'video-stride', 1, 30);
  const shard = shardOption(values.shard);
  const interrupt = interruptSignal(io);
  try {
    const result = await withDaemon(
      io,
      (client) =>
        client.request(
          'dataset/detect',
          { root, model: values.model, threshold, thorough: values.thorough, videoStride, force: values.force, shard },
          { onProgress: progressPrinter(io, 'detecting'), signal: interrupt.signal },
        ),
      { maxPixels },
    );
    if (values.predictions) await writeFile(resolve(io.cwd, values.predictions), JSON.stringify({ images: result.images }, null, 1) + '\n');
    io.result(result);
    printSummary(io, root, result, values.predictions);
    return result.failures.length > 0 || result.cancelled ? EXIT.failed : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

function printSummary(io: CliIO, root: string, result: DatasetDetectResult, predictionsPath: string | undefined): void {
  // A video's row counts its tracks (`tracks`), its faces' places are in the review.
  const rows = result.images.map((image) => [
    image.file,
    `${image.width}x${image.height}`,
    image.tracks === undefined ? image.faces.length : `${image.tracks} track${image.tracks === 1 ? '' : 's'}`,
    image.faces.map((face) => `(${Math.round(face.x)},${Math.round(face.y)} ${Math.round(face.w)}x${Math.round(face.h)} ${face.score.toFixed(2)})`).slice(0, 3).join(' ') +
      (image.faces.length > 3 ? ' …' : ''),
  ]);
  for (const line of formatTable(['image', 'size', 'faces', 'where (x,y w×h score)'], rows)) io.stdout(line);
  io.stdout('');
  io.stdout(
    `${result.images.length} images, ${result.faces} faces proposed (model ${result.model}, threshold ${result.threshold}${result.thorough ? ', thorough' : ''}); ` +
      `${result.processed} detected now, ${result.skipped} already done`,
  );
  if (result.cancelled) io.stdout('cancelled: the remaining images were not processed (run again to continue)');
  io.stdout(`review state: ${resolve(root, result.reviewPath)}`);
  if (predictionsPath) io.stdout(`detections:   ${resolve(io.cwd, predictionsPath)}`);
  printCheckpoint(io, result.checkpoint);
  if (result.failures.length > 0) {
    io.stderr(`\n${result.failures.length} file(s) failed:`);
    for (const failure of result.failures) io.stderr(`  ${failure.file}: ${failure.message}`);
  }
}
