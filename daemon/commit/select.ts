/**
 * What a commit does with each file that can hold a face: takes it (reviewed images, plus unreviewed ones with model
 * boxes when asked; never twice), or accounts for it as it is: committed before, excluded by a person, or left as
 * it was with the cause. Every file of the scan lands in exactly one of these.
 */
import { ErrorCode, type Box, type ExcludedFile, type ImageRecord, type LeftAsIs } from '../protocol';
import { VeilError, fileFailure } from '../errors';
import type { ExcludeEvent, IncludeEvent } from '../audit/events';
import type { DatasetScan } from '../dataset/listFaceFiles';
import type { Exclusion } from '../review/exclusions';
import { leftAsIsOf } from './accounting';
import { possibleFacesLeft, type PossibleFacesLeft } from '../review/possibleFaces';
import type { PossibleFacesAllowed } from '../audit/events';

export interface Selection {
  /** To commit now. */
  files: string[];
  alreadyCommitted: string[];
  excluded: ExcludedFile[];
  leftAsIs: LeftAsIs[];
}

export interface SelectionState {
  recordOf(file: string): ImageRecord | undefined;
  /** The exclusions of the review state. */
  exclusions: ReadonlyMap<string, Exclusion>;
  /** The latest exclusion decision of each file in the audit log. */
  audited: ReadonlyMap<string, ExcludeEvent | IncludeEvent>;
  includeUnreviewed: boolean;
}

/**
 * An exclusion counts only when the audit log's latest exclusion decision of the file says the same: like a review
 * decision, an exclusions file edited by hand must never leave a face as it is with nothing to show for it.
 */
function auditedExclusion(file: string, exclusion: Exclusion, state: SelectionState): ExcludedFile | LeftAsIs {
  const decision = state.audited.get(file);
  if (decision?.type === 'exclude' && decision.reason === exclusion.reason) return { file, ...exclusion };
  const why = decision?.type === 'exclude' ? 'its exclusion differs from the last one in the audit log' : 'is excluded in the review state but the audit log has no exclusion of it';
  const message = `${why} (edited outside Veil?); left as it is: exclude it again with veil exclude`;
  return leftAsIsOf(fileFailure(file, new VeilError(ErrorCode.Corrupt, message, file)));
}

export function selectImages(scan: DatasetScan, state: SelectionState): Selection {
  const selection: Selection = { files: [], alreadyCommitted: [], excluded: [], leftAsIs: [] };
  const refused = new Map(scan.refused.map((failure) => [failure.file, failure]));
  const files = [...scan.entries.map((entry) => entry.file), ...refused.keys()].sort((a, b) => a.localeCompare(b));
  for (const file of files) {
    const record = state.recordOf(file);
    const exclusion = state.exclusions.get(file);
    const failure = refused.get(file);
    if (record?.status === 'committed') selection.alreadyCommitted.push(file);
    else if (exclusion) {
      const outcome = auditedExclusion(file, exclusion, state);
      if ('cause' in outcome) selection.leftAsIs.push(outcome);
      else selection.excluded.push(outcome);
    } else if (failure) selection.leftAsIs.push(leftAsIsOf(failure));
    else if (record?.status === 'reviewed') selection.files.push(file);
    else if (!record?.detection) selection.leftAsIs.push({ file, cause: 'not-detected', message: 'never run through detection (run veil detect, then review it)' });
    else if (state.includeUnreviewed) selection.files.push(file);
    else selection.leftAsIs.push({ file, cause: 'not-reviewed', message: 'not reviewed (review it, or use --include-unreviewed to commit the model boxes as they are)' });
  }
  return selection;
}

/** Images named in the refusal's message: the rest are counted. */
const NAMED_IN_REFUSAL = 10;

function refusalMessage(left: readonly PossibleFacesLeft[]): string {
  const possible = left.reduce((sum, entry) => sum + entry.possible, 0);
  const named = left.slice(0, NAMED_IN_REFUSAL).map((entry) => `${entry.file} (${entry.possible})`);
  const more = left.length > NAMED_IN_REFUSAL ? `, and ${left.length - NAMED_IN_REFUSAL} more` : '';
  return (
    `${possible} possible face${possible === 1 ? '' : 's'} unresolved in ${left.length} unreviewed image${left.length === 1 ? '' : 's'} ` +
    `whose model boxes would be committed as they are: ${named.join(', ')}${more}; ` +
    'review them (promote or reject each possible face), or commit with --allow-possible-faces --reason TEXT'
  );
}

/**
 * The commit guard: unreviewed images taken with their model boxes as they are must hold no unresolved possible face
 * (a likely miss nobody looked at), unless the commit gives a reason to go ahead (`allowPossibleFaces`), which the
 * commit's audit entry records. Refused with every such image counted and the first as the error's file.
 */
export function guardPossibleFaces(files: readonly string[], recordOf: (file: string) => ImageRecord | undefined, reason: string | undefined): PossibleFacesAllowed | undefined {
  const left = possibleFacesLeft(files, recordOf);
  if (left.length === 0) return undefined;
  if (reason === undefined) throw new VeilError(ErrorCode.PossibleFacesUnresolved, refusalMessage(left), left[0].file);
  return { reason, images: left.length, possible: left.reduce((sum, entry) => sum + entry.possible, 0) };
}

/** The boxes painted over: every box a person did not reject, except possible faces nobody promoted. */
export function boxesToRedact<T extends Pick<Box, 'state'>>(boxes: readonly T[]): T[] {
  return boxes.filter((box) => box.state !== 'rejected' && box.state !== 'possible');
}
