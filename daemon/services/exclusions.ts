/**
 * `dataset/exclude` and `dataset/include`: a person decides that commits leave files as they are (a video handled
 * elsewhere, a drawing, a consenting subject), or takes that back. Each decision is one audit line per file, written
 * under the review lock before the exclusions change (as review decisions are): a commit accepts an exclusion only
 * when the log's latest exclusion decision of the file says the same.
 */
import { stat } from 'node:fs/promises';
import { ErrorCode, type ExcludeParams, type ExclusionResult, type ImageRecord, type IncludeParams } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { resolveInside, toDatasetPath } from '../dataset/paths';
import { scannedKind } from '../dataset/scan';
import { readExclusions, writeExclusions } from '../review/exclusions';
import { filesInCommit } from '../commit/journal';
import { appendAudit, auditCheckpoint } from '../audit/log';
import type { OpenDatasets } from './datasets';

/** The dataset-relative names of `files` (once each), each a file the scan lists; refuses the whole call otherwise. */
async function faceFilesOf(root: string, files: readonly string[]): Promise<string[]> {
  const named = new Set<string>();
  for (const requested of files) {
    const absolute = resolveInside(root, requested);
    const file = toDatasetPath(root, absolute);
    if ((await stat(absolute)).isDirectory()) throw new VeilError(ErrorCode.InvalidParams, 'is a folder: name the files in it', file);
    if (!scannedKind(file)) {
      throw new VeilError(ErrorCode.InvalidParams, 'is not a file Veil looks at (an image or video, by its name, outside hidden folders): there is nothing to exclude', file);
    }
    named.add(file);
  }
  return [...named];
}

/** Committed images are anonymized already; images of a running or interrupted commit are about to be. */
async function refuseCommitted(root: string, files: readonly string[], recordOf: (file: string) => ImageRecord | undefined): Promise<void> {
  const inCommit = await filesInCommit(root);
  for (const file of files) {
    if (recordOf(file)?.status === 'committed') throw new VeilError(ErrorCode.Conflict, 'is committed (anonymized) already: there is nothing to exclude', file);
    if (inCommit.has(file)) throw new VeilError(ErrorCode.Conflict, 'is part of a commit that is running or was interrupted (run commit again to finish it first)', file);
  }
}

/** Records one decision for every file named: excluded for `reason`, or (null) included again. */
async function recordDecision(rootParam: string, requested: readonly string[], reason: string | null, actor: Actor, datasets: OpenDatasets): Promise<ExclusionResult> {
  const { root, store } = await datasets.open(rootParam);
  const files = await faceFilesOf(root, requested);
  await store.update(async (get) => {
    if (reason !== null) await refuseCommitted(root, files, get);
    const exclusions = new Map(await readExclusions(root));
    for (const file of files) {
      if (reason === null) {
        await appendAudit(root, { type: 'include', actor, file });
        exclusions.delete(file);
      } else {
        await appendAudit(root, { type: 'exclude', actor, file, reason });
        exclusions.set(file, { reason, by: actor.reviewer, at: new Date().toISOString() });
      }
    }
    await writeExclusions(root, exclusions);
    return { write: [], result: undefined };
  });
  return { files, checkpoint: await auditCheckpoint(root) };
}

export async function excludeFiles(params: ExcludeParams, actor: Actor, datasets: OpenDatasets): Promise<ExclusionResult> {
  const reason = params.reason.trim();
  if (reason.length === 0) throw new VeilError(ErrorCode.InvalidParams, '"reason" must say why the files are excluded');
  return recordDecision(params.root, params.files, reason, actor, datasets);
}

export async function includeFiles(params: IncludeParams, actor: Actor, datasets: OpenDatasets): Promise<ExclusionResult> {
  return recordDecision(params.root, params.files, null, actor, datasets);
}
