/**
 * `annotations/import`: boxes from a label file into the review state, all or nothing (README "Annotations in and out").
 * 1. The whole file is read and checked against the dataset, outside the review lock (image sizes may have to be read
 *    from the files): every entry names one file of the dataset, states its displayed size when it states one, and every
 *    face box lies inside it. Any problem is reported per file, and nothing is written.
 * 2. Under the review lock, on the latest state: committed images (or images a commit holds) are refused the same way;
 *    each image's boxes are merged (annotations/importMerge.ts); then one audit append holds the `annotations-import`
 *    entry and each changed image's `review-change` entry (the edit path's own, so a commit's decision check holds), and
 *    only then is the state written, as one review-log line.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { ErrorCode, type AnnotationsImportParams, type AnnotationsImportResult, type Box, type FileFailure, type ImageRecord } from '../protocol';
import { fileFailure, VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { eachInFlight } from '../core/inFlight';
import { appendAuditBatch, auditCheckpoint } from '../audit/log';
import type { AuditEvent } from '../audit/events';
import { scanDataset } from '../dataset/scan';
import { resolveInside } from '../dataset/paths';
import { probeDisplayedSize, type DecodeLimits } from '../image/decode';
import { filesInCommit } from '../commit/journal';
import { CODECS } from '../annotations/formats';
import { readAnnotationInput } from '../annotations/annotationFiles';
import { DatasetNames } from '../annotations/datasetNames';
import { faceLabels } from '../annotations/labels';
import { mergeImport } from '../annotations/importMerge';
import type { ReadBox, ReadEntry } from '../annotations/model';
import { commitConflict, outside, reviewChangeEvent } from './review';
import type { OpenDatasets } from './datasets';

type Size = { width: number; height: number };

/** One image's checked boxes, in displayed pixels. */
interface Planned {
  file: string;
  size: Size;
  boxes: Box[];
}

/** An imported box as a Veil box: a proposal, or (trusted) the decision the file holds. Ids like detection's: `m-`/`p-` model, `i-` imported by hand. */
function veilBox(read: ReadBox, rect: Pick<Box, 'x' | 'y' | 'w' | 'h'>, trust: boolean): Box {
  const state = trust ? (read.state ?? (read.decided === false ? 'proposed' : 'accepted')) : 'proposed';
  const source = read.source ?? 'manual';
  const prefix = source === 'manual' ? 'i' : state === 'possible' ? 'p' : 'm';
  return { id: `${prefix}-${randomUUID()}`, ...rect, score: read.score ?? null, source, state, edited: read.edited ?? false };
}

function sizeProblem(stated: Size, displayed: Size): string | undefined {
  if (stated.width === displayed.width && stated.height === displayed.height) return undefined;
  const turned = stated.width === displayed.height && stated.height === displayed.width;
  return (
    `is ${stated.width}x${stated.height} in the file but ${displayed.width}x${displayed.height} as displayed` +
    (turned ? ' (EXIF orientation: the file gives the stored size, so its boxes are likely in stored, not displayed, pixels)' : '')
  );
}

class ImportCheck {
  readonly problems: FileFailure[] = [];
  readonly planned = new Map<string, Planned>();
  otherLabels = 0;

  constructor(
    private readonly params: AnnotationsImportParams,
    private readonly root: string,
    private readonly faces: Set<string>,
    private readonly names: DatasetNames,
    private readonly recordOf: (file: string) => ImageRecord | undefined,
    private readonly limits: DecodeLimits,
  ) {}

  private problem(file: string, code: ErrorCode, message: string): void {
    this.problems.push({ file, code, message });
  }

  async entry(entry: ReadEntry): Promise<void> {
    if (entry.problems.length > 0) return this.problem(entry.name, ErrorCode.InvalidParams, entry.problems.join('; '));
    const match = this.names.match(entry);
    if ('problem' in match) return this.problem(entry.name, ErrorCode.BadPath, match.problem);
    const { file } = match;
    if (this.planned.has(file)) return this.problem(file, ErrorCode.InvalidParams, `is named twice in the file (again as "${entry.name}")`);
    const record = this.recordOf(file);
    if (record?.video) return this.problem(file, ErrorCode.UnsupportedFormat, 'is a video: importing face tracks is not supported');
    let size: Size;
    try {
      size = record ?? (await probeDisplayedSize(resolveInside(this.root, file), file, this.limits));
    } catch (error) {
      return void this.problems.push(fileFailure(file, error));
    }
    const wrongSize = entry.size && sizeProblem(entry.size, size);
    if (wrongSize) return this.problem(file, ErrorCode.InvalidParams, wrongSize);
    const boxes: Box[] = [];
    for (const read of entry.boxes) {
      if (!this.faces.has(read.label)) {
        this.otherLabels++;
        continue;
      }
      const scale = entry.units === 'fraction' ? size : { width: 1, height: 1 };
      const rect = { x: read.x * scale.width, y: read.y * scale.height, w: read.w * scale.width, h: read.h * scale.height };
      const where = `a box at ${rect.x.toFixed(1)},${rect.y.toFixed(1)} ${rect.w.toFixed(1)}x${rect.h.toFixed(1)}`;
      if (!(rect.w > 0 && rect.h > 0)) return this.problem(file, ErrorCode.InvalidParams, `${where} is empty`);
      if (outside(rect, size)) return this.problem(file, ErrorCode.InvalidParams, `${where} lies outside the ${size.width}x${size.height} image`);
      boxes.push(veilBox(read, rect, this.params.trust === true));
    }
    this.planned.set(file, { file, size, boxes });
    return undefined;
  }
}

/** Entries checked at once (an image without a review record has its size read from the file). */
const CHECK_CONCURRENCY = 8;

export async function importAnnotations(params: AnnotationsImportParams, actor: Actor, datasets: OpenDatasets, limits: DecodeLimits): Promise<AnnotationsImportResult> {
  if (params.trust && !params.reason?.trim()) throw new VeilError(ErrorCode.InvalidParams, 'a trusted import needs a reason (recorded in the audit log)');
  // The whole dataset: a label file names its images from the root.
  const { root, scope, store, scanned: entries } = await datasets.openScanned(params.root, (root, _scope, place) => scanDataset(root, '', place));
  const { input, sha256 } = await readAnnotationInput(params.file);
  const read = CODECS[params.format].read(input);
  const faces = faceLabels(read.labels, params.labels, basename(params.file));
  const check = new ImportCheck(params, root, faces, new DatasetNames(entries.map((entry) => entry.file), scope), (file) => store.get(file), limits);
  await eachInFlight(read.entries, CHECK_CONCURRENCY, (entry) => check.entry(entry));
  const outcome = { root, format: params.format, imported: false, images: 0, boxes: 0, sameFace: 0, otherLabels: check.otherLabels };
  if (check.problems.length > 0) return { ...outcome, problems: sortedProblems(check.problems), checkpoint: await auditCheckpoint(root) };

  const { result } = await store.update(async (get, revision) => {
    const inCommit = await filesInCommit(root);
    const problems: FileFailure[] = [];
    const all = [...check.planned.values()].map(({ file, size, boxes }) => {
      const stored = get(file);
      const conflict = commitConflict(file, stored, inCommit);
      if (conflict) problems.push(fileFailure(file, conflict));
      return { before: stored, ...mergeImport(stored, { file, ...size }, boxes) };
    });
    const merges = all.filter((merge) => merge.changed);
    const sameFace = all.reduce((sum, merge) => sum + merge.sameFace, 0);
    if (problems.length > 0) return { write: [], result: { ...outcome, sameFace, problems: sortedProblems(problems) } };
    const boxes = merges.reduce((sum, merge) => sum + merge.added, 0);
    if (merges.length > 0) {
      const importEvent: AuditEvent = { type: 'annotations-import', actor, format: params.format, source: params.file, sha256, images: merges.length, boxes, trust: params.trust === true, ...(params.reason?.trim() ? { reason: params.reason.trim() } : {}) };
      const changes = merges.flatMap((merge) => reviewChangeEvent(actor, merge.before, merge.record, revision) ?? []);
      await appendAuditBatch(root, [importEvent, ...changes]);
    }
    return { write: merges.map((merge) => merge.record), result: { ...outcome, imported: true, images: merges.length, boxes, sameFace, problems: [] } };
  });
  return { ...result, checkpoint: await auditCheckpoint(root) };
}

function sortedProblems(problems: FileFailure[]): FileFailure[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file));
}
