/**
 * What a video file is, as Veil reads it (VideoInfo): ffprobe's JSON of its streams and format, checked against the
 * limits, the demuxer allow-list and the codecs ffmpeg decodes. No frame is decoded (`-count_frames` reads the
 * whole file: minutes for a long video): the frame count is the stream's own (`nb_frames`, MP4/MOV) or its
 * duration × rate (MKV/WebM carry no count); the frame reader holds the decode to exactly that count.
 * Errors carry a code and the cause; the caller names the file (FileFailure).
 */
import { ErrorCode, isRecord, type VideoInfo } from '../protocol';
import { VeilError } from '../errors';
import { statRegularFile, type FileRule } from '../storage/regularFile';
import { probeInputArgs } from './decodeArgs';
import { decodableVideoCodecs } from './ffmpegCodecs';
import { runToolForOutput } from './toolProcess';
import { toolFailure } from './toolErrors';

export interface VideoLimits {
  /** The longest video read, in seconds. */
  maxDurationS: number;
  /** The largest displayed frame, in pixels (width × height). */
  maxFramePixels: number;
}

/**
 * 4 hours: the longest recordings a dataset of consultations, gait studies or operations holds (a long operation);
 * a commit re-encodes every frame, at 0.9–1.6× real time at 720p on 2 cores (bench/results/videoIo.json), so 4 h
 * of video is already hours of work. 8K (7680 × 4320, 33.2 MP): the largest frames cameras record; one RGB frame
 * of it is 100 MB, which the reader, the detector and the writer each hold at once.
 */
export const DEFAULT_VIDEO_LIMITS: VideoLimits = { maxDurationS: 4 * 3600, maxFramePixels: 7680 * 4320 };

/**
 * A video file: regular, at most 256 GB. The limits above are what bound a video's work; this only bounds the file
 * (4 h of 8K at 120 Mbit/s, a high-end camera, is 216 GB), and refuses a FIFO or a device before ffprobe opens it.
 */
export const VIDEO_FILE: FileRule = { what: 'a video', maxBytes: 256 * 1024 ** 3, folderCode: ErrorCode.VideoUnreadable };

/** ffprobe's JSON is a few kB; tags can be long, a hostile file's much longer. */
const MAX_PROBE_OUTPUT_BYTES = 8 * 1024 * 1024;

const NOT_READABLE = 'not a readable video';

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
}

interface Probed {
  streams: ProbedStream[];
  format: { duration?: string };
}

export async function probeVideo(path: string, limits: VideoLimits = DEFAULT_VIDEO_LIMITS, signal?: AbortSignal): Promise<VideoInfo> {
  const stats = await statRegularFile(path, path, VIDEO_FILE).catch((error: unknown) => {
    // The caller names the file: keep the code and the cause only.
    throw VeilError.is(error) ? new VeilError(error.code, error.message) : error;
  });
  if (stats.size === 0) throw new VeilError(ErrorCode.VideoUnreadable, 'file is empty (0 bytes)');
  const key = `${path}\0${stats.ino}\0${stats.size}\0${stats.mtimeMs}`;
  const known = probed.get(key);
  if (known) {
    checkLimits(known, limits);
    return { ...known };
  }
  const info = await probeFile(path, signal);
  checkLimits(info, limits);
  if (probed.size >= MAX_REMEMBERED_PROBES) probed.clear();
  probed.set(key, info);
  return { ...info };
}

/**
 * Probes already made, by path, inode, size and mtime (a file replaced or rewritten is probed again). The Veil view's
 * status lists every video without a review record by its probe, at each refresh: an ffprobe is 55 ms on this
 * machine, against a map lookup.
 */
const probed = new Map<string, VideoInfo>();
const MAX_REMEMBERED_PROBES = 10_000;

async function probeFile(path: string, signal: AbortSignal | undefined): Promise<VideoInfo> {
  const run = await runToolForOutput('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...probeInputArgs(path)], MAX_PROBE_OUTPUT_BYTES, signal);
  if (run.code !== 0) throw toolFailure(run, path, 'reading the video', ErrorCode.VideoUnreadable);
  const description = parseProbe(run.stdout);
  const stream = videoStreamOf(description);
  await checkDecodable(stream);
  // A WebM recorded by a browser (MediaRecorder) carries no duration: its packets are counted instead.
  const packets = durationOf(stream, description) === undefined ? await countVideoPackets(path, signal) : undefined;
  return videoInfoOf(stream, description, packets);
}

function parseProbe(stdout: string): Probed {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    throw new VeilError(ErrorCode.VideoUnreadable, 'ffprobe did not describe the file (no JSON)');
  }
  if (!isRecord(value) || !Array.isArray(value.streams) || !isRecord(value.format)) {
    throw new VeilError(ErrorCode.VideoUnreadable, 'ffprobe did not describe the file (no streams or format)');
  }
  return { streams: value.streams.filter(isRecord) as ProbedStream[], format: value.format as Probed['format'] };
}

/** The codec name ffprobe gives, or why ffmpeg cannot decode it: refused before any decode starts. */
async function checkDecodable(stream: ProbedStream): Promise<void> {
  const codec = stream.codec_name ?? 'unknown';
  if ((await decodableVideoCodecs()).has(codec)) return;
  const tag = stream.codec_tag_string && !stream.codec_tag_string.startsWith('[') ? `, tagged ${stream.codec_tag_string}` : '';
  throw new VeilError(ErrorCode.VideoUnsupported, `its video codec (${codec}${tag}) is not one ffmpeg decodes`);
}

/** The first video stream that is not a cover picture: the one the reader decodes (`-map 0:V:0`). */
function videoStreamOf(probed: Probed): ProbedStream {
  const stream = probed.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!stream) {
    const why = probed.streams.length > 0 ? 'it has no video stream (audio or pictures only)' : 'no stream can be read from it (it is damaged)';
    throw new VeilError(ErrorCode.VideoUnreadable, `${NOT_READABLE}: ${why}`);
  }
  return stream;
}

/** The video stream's duration: its own, Matroska's per-stream tag, else the file's. */
function durationOf(stream: ProbedStream, probed: Probed): number | undefined {
  return seconds(stream.duration) ?? matroskaDuration(stream.tags?.DURATION) ?? seconds(probed.format.duration);
}

/** `-count_packets` demuxes the whole file (no decoding): seconds for a long video, so only when nothing else says. */
async function countVideoPackets(path: string, signal?: AbortSignal): Promise<number | undefined> {
  const args = ['-v', 'error', '-select_streams', 'V:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', ...probeInputArgs(path)];
  const run = await runToolForOutput('ffprobe', args, MAX_PROBE_OUTPUT_BYTES, signal);
  if (run.code !== 0) throw toolFailure(run, path, 'reading the video', ErrorCode.VideoUnreadable);
  const count = Number(run.stdout.trim());
  return Number.isInteger(count) && count > 0 ? count : undefined;
}

/**
 * Frames at `fps` in `durationS`. Matroska/WebM durations are whole milliseconds (a frame count × 1/fps rounded
 * either way) and can run to the end of a longer audio stream (ffmpeg's muxer writes the file's duration for every
 * stream: 50 frames at 25 fps with AAC beside them lasted 2.023 s): a floor with a tenth of a frame's slack counts
 * both right.
 */
function framesIn(durationS: number, fps: number): number {
  return Math.floor(durationS * fps + 0.1);
}

function videoInfoOf(stream: ProbedStream, probed: Probed, packets: number | undefined): VideoInfo {
  if (!positiveInteger(stream.width) || !positiveInteger(stream.height)) throw new VeilError(ErrorCode.VideoUnreadable, `${NOT_READABLE}: its frame size is unknown`);
  const stored = { width: stream.width, height: stream.height };
  const fps = rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate);
  if (!fps) throw new VeilError(ErrorCode.VideoUnreadable, `${NOT_READABLE}: its frame rate is unknown`);
  const known = durationOf(stream, probed);
  const counted = Number(stream.nb_frames);
  const frames = Number.isInteger(counted) && counted > 0 ? counted : known ? framesIn(known, fps) : packets;
  if (!frames) throw new VeilError(ErrorCode.VideoUnreadable, `${NOT_READABLE}: it has no frames, or its duration is unknown`);
  const durationS = known ?? frames / fps;
  const rotation = rotationOf(stream);
  const square = squarePixelWidth(stored.width, stream.sample_aspect_ratio);
  const turned = rotation === 90 || rotation === 270;
  return {
    width: turned ? stored.height : square,
    height: turned ? square : stored.height,
    fps,
    frames,
    durationS,
    codec: stream.codec_name!,
    rotation,
    hasAudio: probed.streams.some((s) => s.codec_type === 'audio'),
  };
}
function positiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

/** `30000/1001` → 29.97…; undefined for `0/0` and other non-rates. */
function rate(text: string | undefined): number | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return undefined;
  const value = Number(match[1]) / Number(match[2]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function seconds(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Matroska's per-stream `DURATION` tag, `00:00:04.000000000`. */
function matroskaDuration(text: string | undefined): number | undefined {
  const match = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(text ?? '');
  if (!match) return undefined;
  return seconds(String(Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])));
}

/**
 * Degrees clockwise the stored frame is turned to be displayed. ffprobe prints the display matrix's angle
 * counter-clockwise (an iPhone portrait video: -90, shown turned 90° clockwise; checked against Chromium's
 * playback); ffprobe before 5.0 printed a `rotate` tag, clockwise. Angles between quarter turns are refused.
 */
function rotationOf(stream: ProbedStream): VideoInfo['rotation'] {
  const matrix = stream.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && typeof d.rotation === 'number');
  const clockwise = matrix ? -matrix.rotation! : Number(stream.tags?.rotate ?? 0);
  const turn = (((Math.round(clockwise) % 360) + 360) % 360) as number;
  if (turn !== 0 && turn !== 90 && turn !== 180 && turn !== 270) {
    throw new VeilError(ErrorCode.VideoUnsupported, `it is displayed turned by ${turn}°, and Veil turns videos by quarter turns only`);
  }
  return turn;
}

/** The displayed width of frames with non-square pixels (`sample_aspect_ratio` 8:9 for DV), even for the encoder. */
function squarePixelWidth(width: number, sar: string | undefined): number {
  const match = /^(\d+):(\d+)$/.exec(sar ?? '');
  if (!match || Number(match[1]) === 0 || Number(match[2]) === 0 || match[1] === match[2]) return width;
  return Math.max(2, 2 * Math.round((width * Number(match[1])) / Number(match[2]) / 2));
}

function checkLimits(info: VideoInfo, limits: VideoLimits): void {
  if (info.durationS > limits.maxDurationS) {
    throw new VeilError(ErrorCode.VideoTooLarge, `it lasts ${clock(info.durationS)}, above the limit of ${clock(limits.maxDurationS)} for a video`);
  }
  const pixels = info.width * info.height;
  if (pixels > limits.maxFramePixels) {
    throw new VeilError(ErrorCode.VideoTooLarge, `its frames are ${info.width}×${info.height} (${megapixels(pixels)} MP), above the limit of ${megapixels(limits.maxFramePixels)} MP per frame`);
  }
}

function clock(s: number): string {
  const whole = Math.round(s);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(whole / 3600)}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(1);
}
