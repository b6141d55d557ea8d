/**
 * Which video codecs the ffmpeg in use decodes, read once from `ffmpeg -codecs`: the probe (ffprobe of 2023) names
 * codecs the bundled ffmpeg (2018) cannot decode, and a system build (VEIL_FFMPEG) may lack others. Asked before a
 * video is accepted, so an unsupported codec is refused at probe time with its name, not midway through a commit.
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { runToolForOutput } from './toolProcess';

/** `-codecs` prints about 500 lines (40 kB). */
const MAX_CODECS_OUTPUT_BYTES = 1024 * 1024;

let decodable: Promise<ReadonlySet<string>> | undefined;

/** Codec names (as ffprobe prints `codec_name`) this ffmpeg has a video decoder for. */
export function decodableVideoCodecs(): Promise<ReadonlySet<string>> {
  if (!decodable) {
    decodable = listDecodable();
    decodable.catch(() => (decodable = undefined));
  }
  return decodable;
}

async function listDecodable(): Promise<ReadonlySet<string>> {
  const run = await runToolForOutput('ffmpeg', ['-hide_banner', '-codecs'], MAX_CODECS_OUTPUT_BYTES);
  if (run.code !== 0) throw new VeilError(ErrorCode.VideoToolMissing, `ffmpeg does not run (-codecs: exit code ${run.code}): ${run.stderr.trim().slice(-200)}`);
  // " DEV.LS h264   H.264 / AVC …": flags D (decodes) and V (video), then the name.
  const names = run.stdout
    .split('\n')
    .map((line) => /^ D.V... (\S+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  return new Set(names);
}
