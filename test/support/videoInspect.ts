/** What ffprobe sees in a video file (tags, side data, streams, keyframes): for tests of what a written video holds. */
import { runToolForOutput } from '../../daemon/video/toolProcess';

export interface InspectedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  tags?: Record<string, string>;
  side_data_list?: Array<Record<string, unknown>>;
}

export interface Inspected {
  format: { format_name: string; tags?: Record<string, string> };
  streams: InspectedStream[];
  chapters: unknown[];
}

async function ffprobe(args: string[]): Promise<string> {
  const run = await runToolForOutput('ffprobe', ['-v', 'error', ...args], 64 * 1024 * 1024);
  if (run.code !== 0) throw new Error(`ffprobe ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

export async function inspectVideo(path: string): Promise<Inspected> {
  return JSON.parse(await ffprobe(['-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', `file:${path}`])) as Inspected;
}

/** Every tag of the file and of its streams, as `format:key=value` / `stream N:key=value`. */
export function allTags(inspected: Inspected): string[] {
  const format = Object.entries(inspected.format.tags ?? {}).map(([key, value]) => `format:${key}=${value}`);
  const streams = inspected.streams.flatMap((stream, i) => Object.entries(stream.tags ?? {}).map(([key, value]) => `stream ${i}:${key}=${value}`));
  return [...format, ...streams];
}

/** The indexes of the video packets that are keyframes (demuxed only, no decoding). */
export async function keyframeIndexes(path: string): Promise<number[]> {
  const csv = await ffprobe(['-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', `file:${path}`]);
  return csv
    .trim()
    .split('\n')
    .flatMap((flags, i) => (flags.includes('K') ? [i] : []));
}
