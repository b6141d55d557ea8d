/**
 * A state file of Veil's that may not exist yet (the plan of a change of recipients, the vault index): its text, or
 * undefined when there is none. Any other failure is refused naming the file — never taken for "none", which would
 * let a writer start over a plan or an index it could not read.
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { readStateText } from './stateFile';

/** `what` names the file in the refusal ("the plan of a change of recipients"). */
export async function readStateTextIfPresent(path: string, file: string, what: string): Promise<string | undefined> {
  try {
    return await readStateText(path, file);
  } catch (error) {
    if (VeilError.is(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new VeilError(ErrorCode.Unreadable, `cannot read ${what} (${code ?? (error as Error).message})`, file);
  }
}
