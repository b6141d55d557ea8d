/**
 * Test videos whose truth is known by construction: the astronaut's face (test/fixtures/astronaut.png, public
 * domain) cut out at a fixed rectangle and moved over a plain or gradient background along given paths — panning,
 * zooming, leaving the frame, crossing another face, hidden by a bar for a few frames, jumping at a scene cut —
 * and written with Veil's own frame writer (H.264/VP9 through the bundled ffmpeg). Every frame's face boxes are
 * returned in displayed coordinates: what the frame reader shows, rotation applied.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Rect } from '../../daemon/protocol';
import { openFrameWriter } from '../../daemon/video/frameWriter';
import { startTool } from '../../daemon/video/toolProcess';
import { ASTRONAUT, tempDir } from './images';
import { ASTRONAUT_FACE_LABEL } from './models';
import type { Scene, TrueFace } from './videoTrackerScenes';

/**
 * The rectangle of astronaut.png (512 × 512) pasted as "a face": the face with hair and a margin. Found once with
 * the detectors (`veil detect`): BlazeFace (embedded) 177,53 97×130 (score 0.90), YuNet 178,65 91×111 (0.94), and
 * the hand label ASTRONAUT_FACE_LABEL 179,59 91×120, all well inside it.
 */
export const FACE_CROP: Rect = { x: 145, y: 20, w: 160, h: 200 };

/** The face inside FACE_CROP: the hand label, the truth box a clip reports (scaled with the sprite). */
export const FACE_IN_CROP: Rect = { x: ASTRONAUT_FACE_LABEL.x - FACE_CROP.x, y: ASTRONAUT_FACE_LABEL.y - FACE_CROP.y, w: ASTRONAUT_FACE_LABEL.w, h: ASTRONAUT_FACE_LABEL.h };

/** Where a face's sprite is at a frame: its top-left corner (displayed pixels, may be outside) and its scale. */
export interface FaceKey {
  frame: number;
  x: number;
  y: number;
  /** Sprite size = FACE_CROP × scale (1: 160 × 200 px). */
  scale: number;
}

export interface FacePath {
  /** Sorted by frame; linear between two keys, held before the first and after the last. Two keys on consecutive frames jump. */
  keys: FaceKey[];
  /** The frames it is on screen: [from, to) (default: all). */
  from?: number;
  to?: number;
}

export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  frames: number;
  faces: FacePath[];
  /** `plain` grey, or a diagonal gradient (default). */
  background?: 'plain' | 'gradient';
  /** Frames at which the background changes to the next one (a scene cut). */
  cuts?: number[];
  /** A solid bar drawn over a face's box for frames [from, to): the face is there but hidden. */
  occlusions?: Array<{ face: number; from: number; to: number }>;
  /** A white 16 × 16 square at the displayed top-left corner (to check orientation). */
  marker?: boolean;
  /**
   * Degrees clockwise a player turns the stored frames (display matrix): the stored pixels are turned back so the
   * clip displays as specified. MP4 and MOV only: ffmpeg 4.1's Matroska muxer writes the rotation as a plain tag,
   * which players (and ffprobe) ignore.
   */
  rotation?: 0 | 90 | 180 | 270;
  /** By extension: mp4 (default), mov, mkv (H.264) or webm (VP9). */
  container?: 'mp4' | 'mov' | 'mkv' | 'webm';
  /** Adds a sine-tone audio stream (AAC; Opus in WebM). */
  audio?: boolean;
  /** Container metadata written into the clip (title, creation_time, location…): what a commit must remove. */
  metadata?: Record<string, string>;
  /** The file name without extension (default `clip`). */
  name?: string;
}

export interface TruthFace {
  /** The index of the face in `spec.faces`: the identity a tracker must keep. */
  face: number;
  /** Its box in displayed pixels, cut to the frame. */
  box: Rect;
  /** True while a bar hides it. */
  occluded: boolean;
}

export interface SyntheticClip {
  path: string;
  spec: ClipSpec;
  /** Per frame, the faces on screen (a face wholly outside the frame is not listed). */
  truth: TruthFace[][];
}

/** Bar colour over an occluded face, and the marker's. */
const BAR = [40, 40, 48] as const;
const MARKER = [255, 255, 255] as const;
/** The backgrounds a clip cycles through at each cut: [top-left, bottom-right] colours. */
const BACKGROUNDS: ReadonlyArray<readonly [readonly number[], readonly number[]]> = [
  [[70, 110, 160], [200, 210, 170]],
  [[150, 60, 60], [60, 60, 30]],
  [[40, 130, 80], [220, 220, 240]],
];

/** Writes the clip into a new temporary folder (or `dir`) and returns it with its truth. */
export async function makeClip(spec: ClipSpec, dir = tempDir('veil-clip-')): Promise<SyntheticClip> {
  if (spec.width % 2 || spec.height % 2) throw new Error(`clip sides must be even (4:2:0), got ${spec.width}×${spec.height}`);
  const container = spec.container ?? 'mp4';
  const rotation = spec.rotation ?? 0;
  if (rotation !== 0 && container !== 'mp4' && container !== 'mov') throw new Error(`a ${container} clip cannot carry a rotation (MP4 and MOV only)`);
  const path = join(dir, `${spec.name ?? 'clip'}.${container}`);
  const needsRemux = rotation !== 0 || spec.audio || spec.metadata !== undefined;
  const encoded = needsRemux ? join(dir, `.encoded-${spec.name ?? 'clip'}.${container}`) : path;
  const turned = rotation === 90 || rotation === 270;
  const stored = turned ? { width: spec.height, height: spec.width } : { width: spec.width, height: spec.height };
  const sprites = new SpriteCache();
  const writer = await openFrameWriter(encoded, { ...stored, fps: spec.fps });
  const truth: TruthFace[][] = [];
  try {
    for (let frame = 0; frame < spec.frames; frame++) {
      const { rgb, faces } = await renderFrame(spec, frame, sprites);
      truth.push(faces);
      await writer.write(rotation === 0 ? rgb : await turnBack(rgb, spec, rotation));
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  if (needsRemux) {
    await remux(encoded, path, spec, rotation);
    await rm(encoded, { force: true });
  }
  return { path, spec, truth };
}

/** Frame `frame` as it must display (RGB, spec.width × spec.height) and the faces on it: what the reader must return, up to encoding loss. */
export async function renderFrame(spec: ClipSpec, frame: number, sprites = new SpriteCache()): Promise<{ rgb: Buffer; faces: TruthFace[] }> {
  const rgb = background(spec, frame);
  const faces: TruthFace[] = [];
  for (const [index, path] of spec.faces.entries()) {
    if (frame < (path.from ?? 0) || frame >= (path.to ?? spec.frames)) continue;
    const key = keyAt(path.keys, frame);
    const sprite = await sprites.get(key.scale);
    blit(rgb, spec.width, spec.height, sprite.rgb, sprite.width, sprite.height, Math.round(key.x), Math.round(key.y));
    const box = clip(
      { x: Math.round(key.x) + FACE_IN_CROP.x * (sprite.width / FACE_CROP.w), y: Math.round(key.y) + FACE_IN_CROP.y * (sprite.height / FACE_CROP.h), w: FACE_IN_CROP.w * (sprite.width / FACE_CROP.w), h: FACE_IN_CROP.h * (sprite.height / FACE_CROP.h) },
      spec,
    );
    const occluded = (spec.occlusions ?? []).some((o) => o.face === index && frame >= o.from && frame < o.to);
    if (box) faces.push({ face: index, box, occluded });
  }
  for (const face of faces) if (face.occluded) fill(rgb, spec.width, spec.height, grow(face.box, 0.15), BAR);
  if (spec.marker) fill(rgb, spec.width, spec.height, { x: 0, y: 0, w: 16, h: 16 }, MARKER);
  return { rgb, faces };
}

/** The face crop resized per scale, kept for the whole clip. */
export class SpriteCache {
  private readonly sprites = new Map<number, Promise<{ rgb: Buffer; width: number; height: number }>>();
  get(scale: number): Promise<{ rgb: Buffer; width: number; height: number }> {
    const rounded = Math.round(scale * 100) / 100;
    let sprite = this.sprites.get(rounded);
    if (!sprite) {
      const width = Math.max(2, Math.round(FACE_CROP.w * rounded));
      const height = Math.max(2, Math.round(FACE_CROP.h * rounded));
      sprite = sharp(ASTRONAUT)
        .extract({ left: FACE_CROP.x, top: FACE_CROP.y, width: FACE_CROP.w, height: FACE_CROP.h })
        .resize(width, height)
        .removeAlpha()
        .raw()
        .toBuffer()
        .then((rgb) => ({ rgb, width, height }));
      this.sprites.set(rounded, sprite);
    }
    return sprite;
  }
}

function keyAt(keys: FaceKey[], frame: number): FaceKey {
  const after = keys.findIndex((key) => key.frame >= frame);
  if (after === -1) return keys.at(-1)!;
  if (after === 0 || keys[after]!.frame === frame) return keys[after]!;
  const a = keys[after - 1]!;
  const b = keys[after]!;
  const t = (frame - a.frame) / (b.frame - a.frame);
  return { frame, x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, scale: a.scale + (b.scale - a.scale) * t };
}

function background(spec: ClipSpec, frame: number): Buffer {
  const scene = (spec.cuts ?? []).filter((cut) => cut <= frame).length;
  const [from, to] = BACKGROUNDS[scene % BACKGROUNDS.length]!;
  const rgb = Buffer.alloc(spec.width * spec.height * 3);
  const plain = spec.background === 'plain';
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      const t = plain ? 0.5 : (x / spec.width + y / spec.height) / 2;
      const i = (y * spec.width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[i + c] = Math.round(from[c]! + (to[c]! - from[c]!) * t);
    }
  }
  return rgb;
}

/** Copies a sprite into the frame at (left, top), cut to the frame. */
function blit(frame: Buffer, width: number, height: number, sprite: Buffer, sw: number, sh: number, left: number, top: number): void {
  const x0 = Math.max(0, left);
  const x1 = Math.min(width, left + sw);
  if (x1 <= x0) return;
  for (let y = Math.max(0, top); y < Math.min(height, top + sh); y++) {
    const from = ((y - top) * sw + (x0 - left)) * 3;
    sprite.copy(frame, (y * width + x0) * 3, from, from + (x1 - x0) * 3);
  }
}

function fill(frame: Buffer, width: number, height: number, rect: Rect, colour: readonly number[]): void {
  const cut = clip(rect, { width, height });
  if (!cut) return;
  for (let y = Math.floor(cut.y); y < Math.ceil(cut.y + cut.h); y++) {
    for (let x = Math.floor(cut.x); x < Math.ceil(cut.x + cut.w); x++) {
      const i = (y * width + x) * 3;
      frame[i] = colour[0]!;
      frame[i + 1] = colour[1]!;
      frame[i + 2] = colour[2]!;
    }
  }
}

function grow(rect: Rect, by: number): Rect {
  return { x: rect.x - rect.w * by, y: rect.y - rect.h * by, w: rect.w * (1 + 2 * by), h: rect.h * (1 + 2 * by) };
}

/** `rect` cut to the frame, or undefined when nothing of it is inside. */
function clip(rect: Rect, size: { width: number; height: number }): Rect | undefined {
  const x = Math.max(0, rect.x);
  const y = Math.max(0, rect.y);
  const right = Math.min(size.width, rect.x + rect.w);
  const bottom = Math.min(size.height, rect.y + rect.h);
  return right > x && bottom > y ? { x, y, w: right - x, h: bottom - y } : undefined;
}

/** The displayed frame turned back (counter-clockwise by `rotation`): the pixels a file displayed turned by `rotation` stores. */
async function turnBack(rgb: Buffer, spec: ClipSpec, rotation: 90 | 180 | 270): Promise<Buffer> {
  return sharp(rgb, { raw: { width: spec.width, height: spec.height, channels: 3 } })
    .rotate(360 - rotation)
    .raw()
    .toBuffer();
}

/**
 * Adds what a camera would: the display rotation, container metadata, an audio stream. The rotation is written as
 * ffmpeg 4.1's `rotate` stream tag, which its MP4 muxer turns into a display matrix of the *opposite* sense
 * (`rotate=270` is shown turned 90° clockwise: checked in Chromium, whose playback is the reference), hence 360 − r.
 */
async function remux(source: string, dest: string, spec: ClipSpec, rotation: number): Promise<void> {
  const audioCodec = spec.container === 'webm' ? 'libopus' : 'aac';
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', `file:${source}`];
  if (spec.audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.frames / spec.fps}`);
  args.push('-map', '0:v:0', ...(spec.audio ? ['-map', '1:a:0', '-c:a', audioCodec] : []), '-c:v', 'copy');
  if (rotation !== 0) args.push('-metadata:s:v:0', `rotate=${(360 - rotation) % 360}`);
  for (const [key, value] of Object.entries(spec.metadata ?? {})) args.push('-metadata', `${key}=${value}`);
  args.push(`file:${dest}`);
  const run = await startTool('ffmpeg', args);
  const exit = await run.exited;
  if (exit.code !== 0) throw new Error(`remuxing the synthetic clip failed: ${exit.stderr}`);
}

/** The clip's truth as the tracker's scenes (test/support/videoTrackerScenes.ts): one true face per face of the spec, on screen where the truth lists it. */
export function clipScene(clip: SyntheticClip): Scene {
  const faces: TrueFace[] = clip.spec.faces.map((_, index) => {
    const frames = clip.truth.flatMap((faces, frame) => (faces.some((face) => face.face === index) ? [frame] : []));
    return { id: `face${index}`, from: frames[0]!, to: frames[frames.length - 1]!, boxAt: (frame) => clip.truth[frame]!.find((face) => face.face === index)!.box };
  });
  return { video: { width: clip.spec.width, height: clip.spec.height, frames: clip.spec.frames, fps: clip.spec.fps }, faces, cuts: clip.spec.cuts ?? [] };
}
