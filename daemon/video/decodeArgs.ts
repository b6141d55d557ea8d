/**
 * How Veil opens and decodes a video: the one home of the input options and of the filter chain that turns stored
 * frames into displayed ones. The frame reader and the review proxy both build their ffmpeg command from here, so
 * frame n is the same picture in detection, commit, verify and the review panel.
 */
import type { VideoInfo } from '../protocol';

/**
 * The demuxers Veil lets ffmpeg and ffprobe use (`-format_whitelist`): MP4/MOV/M4V/3GP (mov), MKV/WebM (matroska),
 * AVI, WMV (asf), FLV, MPEG-PS (mpeg), MPEG-TS, Ogg, MXF. Everything else is refused before a byte is demuxed:
 * an HLS or concat playlist named .mp4 would make ffmpeg open other files, an image named .mp4 is no video.
 */
export const READ_DEMUXERS = ['mov', 'matroska', 'avi', 'asf', 'flv', 'mpeg', 'mpegts', 'ogg', 'mxf'] as const;

/** The containers READ_DEMUXERS stand for, in the words a user knows (for messages). */
export const READ_CONTAINERS_TEXT = 'MP4, MOV, MKV, WebM, AVI, WMV, FLV, MPEG, MPEG-TS, Ogg and MXF';

/** Options before `-i` that every decode of a source shares: only local files, only the demuxers above. */
function inputSafety(): string[] {
  return ['-format_whitelist', READ_DEMUXERS.join(','), '-protocol_whitelist', 'file'];
}

/** The input as ffmpeg and ffprobe take it: `file:` so that a name with a colon or a leading dash is never a protocol or an option. */
export function fileInput(path: string): string {
  return `file:${path}`;
}

/** A source read only for its other streams (the audio a written video keeps): the same safety as a decode. */
export function sourceInputArgs(path: string): string[] {
  return [...inputSafety(), '-i', fileInput(path)];
}

/** ffprobe's arguments before the input (the same safety as a decode). */
export function probeInputArgs(path: string): string[] {
  return [...inputSafety(), fileInput(path)];
}

/**
 * ffmpeg's input arguments for a decode starting `seekS` seconds after the file's start (accurate seek: frames
 * before it are decoded and dropped). Rotation is applied by `displayFilters`, not by ffmpeg's autorotate, so the
 * probe (ffprobe of 2023) and the decode (ffmpeg of 2018, or a system build) follow one reading of the display matrix.
 */
export function decodeInputArgs(path: string, seekS = 0): string[] {
  const seek = seekS > 0 ? ['-ss', seekS.toFixed(6)] : [];
  return ['-noautorotate', ...seek, ...sourceInputArgs(path), '-map', '0:V:0', '-an', '-sn', '-dn'];
}

/** The filter that turns stored pixels `rotation` degrees clockwise, as the display matrix asks. */
const ROTATE: Record<VideoInfo['rotation'], string | undefined> = { 0: undefined, 90: 'transpose=clock', 180: 'hflip,vflip', 270: 'transpose=cclock' };

/**
 * Stored frames → displayed frames at a constant rate: turned as displayed, one frame every 1/fps s from the
 * video's first frame (the fps filter repeats or drops frames of a variable-rate source onto that grid), scaled to
 * the displayed size (a no-op unless the pixels are not square: anamorphic video is stretched to square pixels, as
 * a player shows it), and timed from 0 (a video that starts after its audio starts at frame 0 all the same).
 */
export function displayFilters(info: Pick<VideoInfo, 'rotation' | 'fps' | 'width' | 'height'>): string[] {
  const rotate = ROTATE[info.rotation];
  return [...(rotate ? [rotate] : []), `fps=fps=${info.fps}`, `scale=${info.width}:${info.height}`, 'setsar=1', 'setpts=PTS-STARTPTS'];
}

/**
 * Output timing: the frames as the filters made them. Without it ffmpeg's default for raw output repeats the first
 * frame over the time before it (a video 0.5 s behind its audio gained 13 copies of frame 0 at 25 fps).
 */
export const FILTERED_TIMING = ['-vsync', 'passthrough'] as const;
