/**
 * A failed run of ffmpeg or ffprobe as a coded error whose message is the cause in a user's words, never the file
 * (the caller names the file: FileFailure). The one place ffmpeg's stderr is read for meaning.
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { READ_CONTAINERS_TEXT } from './decodeArgs';
import type { ToolExit } from './toolProcess';

interface Cause {
  pattern: RegExp;
  code: ErrorCode;
  /** The message, given the match. */
  say(match: RegExpMatchArray): string;
}

const NOT_A_VIDEO = 'not a readable video';

/** First match wins: the more specific causes come first. */
const CAUSES: Cause[] = [
  { pattern: /(ffmpeg|ffprobe) could not be started: (.*)/, code: ErrorCode.VideoToolMissing, say: (m) => `${m[1]} could not be started (${m[2]})` },
  {
    pattern: /\[(\w+?)(?:_pipe)? @ [^\]]*\] Format not on whitelist/,
    code: ErrorCode.VideoUnsupported,
    say: (m) => `it is ${m[1]} data, not a video container Veil reads (${READ_CONTAINERS_TEXT})`,
  },
  { pattern: /moov atom not found/, code: ErrorCode.VideoUnreadable, say: () => `${NOT_A_VIDEO}: its index (moov atom) is missing, so it is truncated or not a video` },
  { pattern: /EBML header parsing failed/, code: ErrorCode.VideoUnreadable, say: () => `${NOT_A_VIDEO}: its Matroska/WebM header is damaged` },
  { pattern: /Decoder \(codec (\w+)\) not found/, code: ErrorCode.VideoUnsupported, say: (m) => `its video codec (${m[1]}) is not one ffmpeg decodes` },
  { pattern: /Could not find tag for codec (\w+)[^,]*, codec not currently supported in container/, code: ErrorCode.VideoUnsupported, say: (m) => `its ${m[1]} stream cannot be kept in this container` },
  { pattern: /Only VP8 or VP9 or AV1 video and Vorbis or Opus audio/, code: ErrorCode.VideoUnsupported, say: () => 'WebM holds only VP8/VP9/AV1 video and Vorbis/Opus audio: its audio cannot be kept' },
  { pattern: /No space left on device/, code: ErrorCode.Internal, say: () => 'the disk is full' },
  { pattern: /Permission denied/, code: ErrorCode.Unreadable, say: () => 'cannot read or write the file (permission denied)' },
  { pattern: /No such file or directory/, code: ErrorCode.BadPath, say: () => 'file does not exist' },
  { pattern: /partial file|Read error|Invalid NAL unit size|Error splitting the input/, code: ErrorCode.VideoUnreadable, say: () => `${NOT_A_VIDEO}: the file is truncated or damaged` },
  { pattern: /Invalid data found when processing input/, code: ErrorCode.VideoUnreadable, say: () => `${NOT_A_VIDEO} (invalid data)` },
];

/** Lines ffmpeg ends a failure with that only say that it failed (the cause is in a line before them). */
const GENERIC = /^(Error initializing output stream|Could not write header|Conversion failed|Error while opening encoder)/;

/** The last line ffmpeg wrote that says something, without the file's path and ffmpeg's `[demuxer @ 0x…]` prefixes. */
function lastLine(stderr: string, path: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((line) => line.split(`file:${path}`).join('the file').split(path).join('the file').replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, '').trim())
    .filter((line) => line.length > 0);
  return lines.filter((line) => !GENERIC.test(line)).at(-1) ?? lines.at(-1);
}

/** The cause `stderr` names, if it names one Veil knows. */
export function knownCause(stderr: string): VeilError | undefined {
  for (const cause of CAUSES) {
    const match = stderr.match(cause.pattern);
    if (match) return new VeilError(cause.code, cause.say(match));
  }
  return undefined;
}

/**
 * Why a run failed: a known cause, else `fallback` with ffmpeg's own last line. `what` says what the run did
 * ("reading the video", "writing the video"), for the fallback message.
 */
export function toolFailure(exit: ToolExit, path: string, what: string, fallback: ErrorCode): VeilError {
  const known = knownCause(exit.stderr);
  if (known) return known;
  const line = lastLine(exit.stderr, path);
  const how = exit.signal ? `killed (${exit.signal})` : `exit code ${exit.code}`;
  return new VeilError(fallback, `${what} failed: ${line ?? how}`);
}

/** A decode that ended before the frames the probe counted: the file is cut short or damaged past its index. */
export function endedEarly(stderr: string, framesRead: number, frames: number): VeilError {
  const cause = knownCause(stderr)?.message ?? `${NOT_A_VIDEO}: the file is truncated or damaged`;
  return new VeilError(ErrorCode.VideoUnreadable, `${cause} (it ends after frame ${framesRead} of ${frames})`);
}
