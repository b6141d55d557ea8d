/**
 * A commit refused because possible faces on unreviewed images are unresolved (ErrorCode.PossibleFacesUnresolved):
 * the editor shows the daemon's message (how many, and where) with two ways on instead of the generic failure with
 * Retry (retrying cannot succeed until someone looks): open the review at the first such image, or commit anyway for
 * a reason the person types, which the commit's audit entry records (the CLI's --allow-possible-faces --reason).
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DaemonError } from '../client/daemonClient';
import { ErrorCode } from '../daemon/protocol';

const REVIEW_FIRST = 'Review the First Image';
const COMMIT_ANYWAY = 'Commit Anyway…';

export type PossibleFacesAnswer = { override: string } | 'handled' | 'not-this-refusal';

/**
 * What to do after `error`: not this refusal; handled (shown, the review opened or nothing chosen); or commit again
 * with `override` as the logged reason.
 */
export async function answerPossibleFacesRefusal(error: unknown, root: string, openReview: (root: string) => { showImageFile(path: string): void }): Promise<PossibleFacesAnswer> {
  if (!DaemonError.is(error) || error.code !== ErrorCode.PossibleFacesUnresolved) return 'not-this-refusal';
  const first = error.file;
  const choice = await vscode.window.showWarningMessage(`Veil: commit refused: ${error.message}`, ...(first ? [REVIEW_FIRST] : []), COMMIT_ANYWAY);
  if (choice === REVIEW_FIRST && first) openReview(root).showImageFile(join(root, first));
  if (choice !== COMMIT_ANYWAY) return 'handled';
  const reason = await vscode.window.showInputBox({
    title: 'Veil: why commit with possible faces left unresolved? (recorded in the audit log)',
    prompt: 'Those images keep only the boxes the model was sure of; a possible face on them stays visible.',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'A reason is required: it is the audit log\'s record of this decision'),
  });
  return reason?.trim() ? { override: reason.trim() } : 'handled';
}
