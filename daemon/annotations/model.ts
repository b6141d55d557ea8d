/**
 * What the label formats exchange with Veil (README "Annotations in and out"): an image's face boxes in displayed pixels
 * with Veil's attributes, on the way out; on the way in, what a file says of each image, before it is matched to the
 * dataset and checked (importAnnotations.ts).
 */
import type { BoxSource, BoxState, Rect } from '../protocol';

/** The label Veil writes its boxes under. */
export const FACE_LABEL = 'face';

/** A box as exported: its place (displayed pixels) and what Veil knows of it. */
export interface ExportBox extends Rect {
  score: number | null;
  source: BoxSource;
  state: BoxState;
  edited: boolean;
  /** Who reviewed the image (null while nobody has). */
  reviewer: string | null;
}

export interface ExportImage {
  /** Relative to the dataset root, forward slashes. */
  file: string;
  width: number;
  height: number;
  boxes: ExportBox[];
}

/**
 * A box as a file gives it, in the entry's `units`: pixels, or fractions of the image's width and height (YOLO's
 * normalized coordinates, Label Studio's percentages / 100). Veil's attributes are set only when the file carries them.
 */
export interface ReadBox extends Rect {
  label: string;
  score?: number | null;
  source?: BoxSource;
  state?: BoxState;
  edited?: boolean;
  /** False for a box the file itself marks as undecided (a Label Studio prediction): a trusted import keeps it proposed. */
  decided?: boolean;
}

/** What a file says of one image. */
export interface ReadEntry {
  /** The image as the file names it (a path, a URL, a label file's path without extension). */
  name: string;
  /** `path`: `name` names the image with its extension; `stem`: without it (a YOLO label file, a VOC file without `<filename>`). */
  naming: 'path' | 'stem';
  units: 'pixels' | 'fraction';
  /** The image's size as the file states it (checked against the displayed size). */
  size?: { width: number; height: number };
  boxes: ReadBox[];
  /** What is wrong with this entry in the file itself (a box without four numbers, an unknown image id…). */
  problems: string[];
}

export interface ReadAnnotations {
  entries: ReadEntry[];
  /** Every label the file declares or uses, in its order: which of them are faces is decided by faceLabels. */
  labels: string[];
}
