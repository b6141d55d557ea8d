/**
 * Possible faces: detections scored between a low floor and the operating threshold (the detector's default, see
 * `operatingThreshold` in daemon/detection/detector.ts). They are not redacted; the review shows them on demand and
 * walks images by them first, and a commit of unreviewed images refuses while any is unresolved.
 */
import type { Box, Face, ImageRecord } from '../protocol';
import { reachesOperatingPoint, type OperatingPoint } from '../detection/detector';

/**
 * The score from which a detection is kept as a possible face. On wider-dev (bench/results/possibleFaces.md) 0.2 holds
 * 47 of the 88 faces YuNet --thorough leaves visible at its threshold (0.3: 18, 0.4: 5), at 27 possible faces per
 * crowd image, which the review hides until asked (V): the misses are worth more than the boxes to dismiss.
 */
export const POSSIBLE_FACE_FLOOR = 0.2;

/** The score the detector is asked with: the floor, or the threshold itself when that is lower. */
export function detectionFloor(threshold: number): number {
  return Math.min(POSSIBLE_FACE_FLOOR, threshold);
}

/** A run's faces split at the operating point: those proposed, and those below it kept as possible faces. */
export function partitionFaces(faces: readonly Face[], point: OperatingPoint): { faces: Face[]; possible: Face[] } {
  return { faces: faces.filter((face) => reachesOperatingPoint(face, point)), possible: faces.filter((face) => !reachesOperatingPoint(face, point)) };
}

/** The possible faces nobody has resolved yet (promoted to a proposal, or rejected). */
export function unresolvedPossible<T extends Pick<Box, 'state'>>(boxes: readonly T[]): T[] {
  return boxes.filter((box) => box.state === 'possible');
}

/** An unreviewed image whose model boxes a commit would take as they are, with its unresolved possible faces. */
export interface PossibleFacesLeft {
  file: string;
  possible: number;
}

/** The images among `files` a commit would take unreviewed that still hold unresolved possible faces. */
export function possibleFacesLeft(files: readonly string[], recordOf: (file: string) => ImageRecord | undefined): PossibleFacesLeft[] {
  return files.flatMap((file) => {
    const record = recordOf(file);
    // A video's possible faces are its tracks in state `possible`.
    const possible = record?.status === 'unreviewed' ? unresolvedPossible([...record.boxes, ...(record.tracks ?? [])]).length : 0;
    return possible > 0 ? [{ file, possible }] : [];
  });
}
