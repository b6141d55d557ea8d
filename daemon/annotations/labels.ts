/** Which labels of an imported file are faces: the ones asked for, else the file's only label, else "face". */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { FACE_LABEL } from './model';

export function faceLabels(declared: readonly string[], asked: readonly string[] | undefined, source: string): Set<string> {
  if (asked && asked.length > 0) {
    const unknown = asked.filter((label) => !declared.includes(label));
    if (unknown.length > 0) throw new VeilError(ErrorCode.InvalidParams, `has no label ${unknown.map((label) => `"${label}"`).join(', ')} (its labels: ${listed(declared)})`, source);
    return new Set(asked);
  }
  if (declared.length <= 1) return new Set(declared);
  const face = declared.filter((label) => label.toLowerCase() === FACE_LABEL);
  if (face.length > 0) return new Set(face);
  throw new VeilError(ErrorCode.InvalidParams, `labels ${declared.length} classes (${listed(declared)}) and none is "${FACE_LABEL}": name the face classes with --labels`, source);
}

function listed(labels: readonly string[]): string {
  return labels.length === 0 ? 'none' : labels.map((label) => `"${label}"`).join(', ');
}
