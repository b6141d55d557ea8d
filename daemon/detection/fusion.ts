/**
 * Test-time augmentation: the same image shown to the model in several views (plain and mirrored) gives each
 * face once per view; a face's fused score is the mean of its views' scores, a view that did not see it
 * counting 0. A texture that one view takes for a face and the other does not is halved, a face both views see
 * keeps its score (what each detector bought: README, "Coverage levers").
 */
import type { Face } from '../protocol';
import { iou } from './nms';

/**
 * One face per group of overlapping faces across `views` (IoU above `iouThreshold` with the group's best): its box
 * is the score-weighted mean of each view's best face in the group, its score their sum divided by the number of
 * views. Within one view, faces are expected to be merged already (each view contributes at most one per group).
 */
export function averageViews(views: readonly (readonly Face[])[], iouThreshold: number): Face[] {
  const tagged = views.flatMap((faces, view) => faces.map((face) => ({ face, view })));
  tagged.sort((a, b) => b.face.score - a.face.score);
  const taken = new Set<number>();
  const fused: Face[] = [];
  tagged.forEach((leader, index) => {
    if (taken.has(index)) return;
    const bestPerView = new Map<number, Face>();
    tagged.forEach((other, j) => {
      if (taken.has(j) || (j !== index && iou(leader.face, other.face) <= iouThreshold)) return;
      taken.add(j);
      if (!bestPerView.has(other.view)) bestPerView.set(other.view, other.face);
    });
    const members = [...bestPerView.values()];
    const total = members.reduce((sum, f) => sum + f.score, 0);
    // Faces all scoring 0 (a threshold-0 sweep) weigh equally.
    const weight = (f: Face) => (total > 0 ? f.score : 1);
    const weights = members.reduce((sum, f) => sum + weight(f), 0);
    const mean = (pick: (f: Face) => number) => members.reduce((sum, f) => sum + pick(f) * weight(f), 0) / weights;
    fused.push({ x: mean((f) => f.x), y: mean((f) => f.y), w: mean((f) => f.w), h: mean((f) => f.h), score: total / views.length });
  });
  return fused;
}

/** A face found in a horizontally mirrored view of an image `columns` wide, mapped back onto the image. */
export function unmirror(face: Face, columns: number): Face {
  return { ...face, x: columns - face.x - face.w };
}
