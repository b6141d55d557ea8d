/**
 * What was anonymized and how, for the report: the dataset's files by status, the faces of the committed images by
 * where their boxes came from, the redaction settings and the models of their latest commits (with each model's sha256
 * as installed now: the log records a model's name, not its hash).
 */
import type { DatasetScan } from '../dataset/listFaceFiles';
import type { Exclusion } from '../review/exclusions';
import type { AuditEntry, CommitImageEvent } from '../audit/events';
import type { HashStatus, ImageRecord, MaskShape, ModelInfo, RedactionMode } from '../protocol';

export interface FaceCounts {
  /** Boxes the model proposed in the committed images (whatever became of them). */
  proposedByModel: number;
  /** Model boxes a person accepted as the model drew them. */
  acceptedAsDetected: number;
  /** Model boxes a person moved or resized, then kept. */
  adjusted: number;
  /** Boxes a person drew where the model found nothing. */
  drawn: number;
  /** Boxes a person rejected (a false alarm): not redacted. */
  rejected: number;
  /** Model boxes nobody decided, redacted because the image was committed with its model boxes as they were. */
  unreviewed: number;
  /** Boxes redacted, as the latest commit-image entries of these images record them. */
  redactedPerLog: number;
}

export interface Anonymization {
  files: {
    /** Files that can hold a face: images Veil reads and files it refuses (a video, a damaged image). */
    faceFiles: number;
    /** Images Veil reads, by their status in the review state. */
    images: number;
    committed: number;
    reviewed: number;
    unreviewed: number;
    excluded: number;
    /** Files Veil cannot anonymize (refused by the scan): each must be excluded or dealt with elsewhere. */
    refused: number;
  };
  faces: FaceCounts;
  /** Committed images by the redaction their latest commit used. */
  redaction: Array<{ mode: RedactionMode; shape: MaskShape; margin: number; doubtMargin?: number; images: number }>;
  /** Committed images by the model and threshold their boxes came from (null: boxes drawn with no detection). */
  models: Array<{ name: string | null; threshold: number | null; images: number; sha256: string | null; hashStatus: HashStatus | 'unknown' }>;
  /** Images committed with model boxes nobody reviewed. */
  modelOnlyImages: number;
  excluded: Array<{ file: string; reason: string; by: string; at: string }>;
}

function countFaces(records: readonly ImageRecord[], latest: ReadonlyMap<string, CommitImageEvent>): FaceCounts {
  const faces: FaceCounts = { proposedByModel: 0, acceptedAsDetected: 0, adjusted: 0, drawn: 0, rejected: 0, unreviewed: 0, redactedPerLog: 0 };
  for (const record of records) {
    // A video's faces are its tracks, counted as boxes are (a track has the same source, state and edited flag).
    for (const box of [...record.boxes, ...(record.tracks ?? [])]) {
      // A possible face nobody promoted was never proposed (bench/results/possibleFaces.md: most are not faces).
      if (box.state === 'possible') continue;
      if (box.source === 'model') faces.proposedByModel++;
      if (box.state === 'rejected') faces.rejected++;
      else if (box.source === 'manual') faces.drawn++;
      else if (box.state === 'proposed') faces.unreviewed++;
      else if (box.edited) faces.adjusted++;
      else faces.acceptedAsDetected++;
    }
    faces.redactedPerLog += latest.get(record.file)?.redacted ?? 0;
  }
  return faces;
}

/** Counts of `items` by the key `keyOf` gives, in first-seen order. */
function tally<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Array<{ key: K; count: number }> {
  const counts = new Map<string, { key: K; count: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const id = JSON.stringify(key);
    const found = counts.get(id) ?? { key, count: 0 };
    found.count++;
    counts.set(id, found);
  }
  return [...counts.values()];
}

export function anonymization(
  entries: readonly AuditEntry[],
  records: readonly ImageRecord[],
  scan: DatasetScan,
  exclusions: ReadonlyMap<string, Exclusion>,
  models: readonly ModelInfo[],
): Anonymization {
  const latest = new Map<string, CommitImageEvent>();
  for (const entry of entries) if (entry.type === 'commit-image') latest.set(entry.file, entry);
  const committed = records.filter((record) => record.status === 'committed');
  const commits = committed.map((record) => latest.get(record.file)).filter((event): event is CommitImageEvent => event !== undefined);
  const byName = new Map(models.map((model) => [model.name, model]));
  const statusOf = new Map(records.map((record) => [record.file, record.status]));
  const statuses = tally(scan.entries, (entry) => statusOf.get(entry.file) ?? 'unreviewed');
  const imagesWith = (status: ImageRecord['status']) => statuses.find((counted) => counted.key === status)?.count ?? 0;
  return {
    files: {
      faceFiles: scan.entries.length + scan.refused.length,
      images: scan.entries.length,
      committed: imagesWith('committed'),
      reviewed: imagesWith('reviewed'),
      unreviewed: imagesWith('unreviewed'),
      excluded: exclusions.size,
      refused: scan.refused.length,
    },
    faces: countFaces(committed, latest),
    redaction: tally(commits, (event) => event.redaction).map(({ key, count }) => ({ ...key, images: count })),
    models: tally(commits, (event) => [event.model, event.threshold] as const).map(({ key: [name, threshold], count }) => {
      const model = name === null ? undefined : byName.get(name);
      return { name, threshold, images: count, sha256: model?.sha256 ?? null, hashStatus: model?.hashStatus ?? 'unknown' };
    }),
    modelOnlyImages: commits.filter((event) => event.modelOnly).length,
    excluded: [...exclusions].map(([file, exclusion]) => ({ file, ...exclusion })).sort((a, b) => a.file.localeCompare(b.file)),
  };
}
