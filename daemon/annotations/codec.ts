/** What each label format module provides (the registry of formats is formats.ts). */
import { BOX_SOURCES, BOX_STATES, ErrorCode, isFiniteNumber, isOneOf, isRecord, type Rect } from '../protocol';
import { VeilError } from '../errors';
import type { ExportBox, ExportImage, ReadAnnotations, ReadBox } from './model';

/** An annotation input as read from disk: one file, or every file of a folder (paths relative to it, forward slashes). */
export type AnnotationInput = { kind: 'file'; name: string; text: string } | { kind: 'folder'; files: Array<{ path: string; text: string }> };

export interface AnnotationCodec {
  /** What a Veil box loses in this format, in words (README "Annotations in and out"). */
  lost: string[];
  /** The bytes to write: one file's text, or each file's text by its path in the folder (ANNOTATION_OUTPUTS says which). */
  write(images: readonly ExportImage[], exportedAt: string): string | Map<string, string>;
  /** What the input says; throws a VeilError (InvalidParams) for an input that is not in the format at all. */
  read(input: AnnotationInput): ReadAnnotations;
}

/** The data of a one-JSON-file format (COCO, Label Studio); `format` names it in what is wrong. */
export function parseJsonInput(input: AnnotationInput, format: string): { name: string; data: unknown } {
  if (input.kind !== 'file') throw new VeilError(ErrorCode.InvalidParams, `${format} is one JSON file, not a folder`);
  try {
    return { name: input.name, data: JSON.parse(input.text) };
  } catch (error) {
    throw new VeilError(ErrorCode.InvalidParams, `is not a ${format} file: not valid JSON (${(error as Error).message})`, input.name);
  }
}

/** A number cut to `decimals` places (what a text format stores), as a number. */
export function rounded(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** A dataset path without its extension: the name a per-image label file (YOLO, VOC) takes. */
export function stemOf(file: string): string {
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  return dot > slash + 1 ? file.slice(0, dot) : file;
}

/** Veil's attributes of a box as the formats that hold them write them (COCO `attributes`, Label Studio `meta.veil`, VOC `<attributes>`). */
export function veilAttributesOf(box: ExportBox): { source: string; state: string; score: number | null; reviewer: string | null; edited: boolean } {
  return { source: box.source, state: box.state, score: box.score, reviewer: box.reviewer, edited: box.edited };
}

/** The attributes of `attributes` that are Veil's and valid; anything else is left to the import's defaults. `score` falls back to `fallbackScore`. */
export function veilAttributes(attributes: unknown, fallbackScore?: unknown): Omit<ReadBox, 'label' | keyof Rect> {
  const given = isRecord(attributes) ? attributes : {};
  const score = given.score === null || isFiniteNumber(given.score) ? given.score : isFiniteNumber(fallbackScore) ? fallbackScore : undefined;
  return {
    ...(score === undefined ? {} : { score }),
    ...(isOneOf(BOX_SOURCES, given.source) ? { source: given.source } : {}),
    ...(isOneOf(BOX_STATES, given.state) ? { state: given.state } : {}),
    ...(typeof given.edited === 'boolean' ? { edited: given.edited } : {}),
  };
}

/** One label file per image: two images that differ only by extension would need the same one. */
export function labelFilesByStem(images: readonly ExportImage[], extension: string): Map<string, ExportImage> {
  const byName = new Map<string, ExportImage>();
  for (const image of images) {
    const name = `${stemOf(image.file)}${extension}`;
    const other = byName.get(name);
    if (other) throw new VeilError(ErrorCode.InvalidParams, `and ${other.file} would share the label file ${name}: this format names label files by the image's name without its extension`, image.file);
    byName.set(name, image);
  }
  return byName;
}

