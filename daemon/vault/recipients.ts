/**
 * `.veil/recipients.txt`: public keys (age X25519 recipients) that may open the originals; with the recipients of the
 * policy's roles that may open originals, what commits encrypt to (`encryptionRecipients`, policy/roles.ts).
 */
import { mkdir } from 'node:fs/promises';
import { Encrypter } from 'age-encryption';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { veilDir, veilPath, veilRelative } from '../dataset/layout';
import { writeAtomic } from '../storage/durable';
import { sha256Hex } from '../storage/hash';
import { readStateText } from '../storage/stateFile';
import { readPolicy } from '../policy/policy';
import { recipientsUnderPolicy, type RecipientsUnderPolicy } from '../policy/roles';
import { describeChange, finishCommand, loadRotationPlan } from './rotatePlan';

export function recipientsPath(root: string): string {
  return veilPath(root, 'recipients');
}

const NO_RECIPIENTS =
  'no recipients: nothing to encrypt the originals to. Run `veil keygen --out <identity file>` (keep that file away from the dataset) ' +
  `and add the printed \`age1…\` recipient as a line of ${veilRelative('recipients')} (or pass --add-to <dataset>), or to a role of ` +
  `${veilRelative('policy')} that may open originals`;

/** The recipient a line of the file names ('' for a blank or comment line). */
function recipientOf(line: string): string {
  return line.replace(/#.*/, '').trim();
}

function parseRecipients(text: string): string[] {
  return text
    .split('\n')
    .map(recipientOf)
    .filter((line) => line.length > 0);
}

/** Throws a KeyError unless `recipient` is a valid age recipient. */
export function checkRecipient(recipient: string, where: string): void {
  try {
    new Encrypter().addRecipient(recipient);
  } catch {
    throw new VeilError(ErrorCode.KeyError, `"${recipient}" is not a valid age recipient`, where);
  }
}

/** The text of recipients.txt, empty when it does not exist; any other read error is thrown (never taken for "none"). */
async function readRecipientsText(root: string): Promise<string> {
  try {
    return await readStateText(recipientsPath(root), veilRelative('recipients'));
  } catch (error) {
    // Recipients are the vault's business: whatever is wrong with the file (a folder, a FIFO) is a KeyError.
    if (VeilError.is(error)) throw new VeilError(ErrorCode.KeyError, `cannot read recipients (${error.message})`, veilRelative('recipients'));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    throw new VeilError(ErrorCode.KeyError, `cannot read recipients (${code ?? (error as Error).message})`, veilRelative('recipients'));
  }
}

/** The recipients the file lists, validated (none when it does not exist). */
export async function listedRecipients(root: string): Promise<string[]> {
  const recipients = parseRecipients(await readRecipientsText(root));
  for (const recipient of recipients) checkRecipient(recipient, veilRelative('recipients'));
  return recipients;
}

/** Who originals are encrypted to now: recipients.txt under the policy's roles (policy/roles.ts), validated. */
export async function encryptionRecipients(root: string): Promise<RecipientsUnderPolicy> {
  const [listed, { policy }] = await Promise.all([listedRecipients(root), readPolicy(root)]);
  return recipientsUnderPolicy(listed, policy.roles);
}

/**
 * The recipients a commit encrypts new originals to (`encryptionRecipients`); a KeyError telling the user what to do
 * when there are none, or while a change of recipients is unfinished (a commit then could reuse an object the change
 * is replacing).
 */
export async function readRecipients(root: string): Promise<string[]> {
  const unfinished = await loadRotationPlan(root);
  if (unfinished) {
    throw new VeilError(
      ErrorCode.KeyError,
      `a change of recipients (${describeChange(unfinished)}) was interrupted; run \`${finishCommand(unfinished)}\` again to finish it before committing`,
      veilRelative('rotationPlan'),
    );
  }
  const { recipients, withheld } = await encryptionRecipients(root);
  if (recipients.length === 0) {
    const held = withheld.map(({ recipient, roles }) => `${recipient} (role ${roles.join(', ')})`).join('; ');
    throw new VeilError(ErrorCode.KeyError, withheld.length > 0 ? `${NO_RECIPIENTS}; the policy holds back ${held}: no role of it may open originals` : NO_RECIPIENTS);
  }
  return recipients;
}

/** sha256 of a set of recipients (sorted, one per line): names who could open an object without listing them. */
export function recipientsSha256(recipients: readonly string[]): string {
  return sha256Hex([...new Set(recipients)].sort().join('\n'));
}

/**
 * Adds `recipient` to the dataset's list (no duplicate); returns false when it was already there. A list that
 * exists but cannot be read is refused, never rewritten with the new recipient alone (that would drop the others).
 */
export async function addRecipient(root: string, recipient: string): Promise<boolean> {
  checkRecipient(recipient, 'recipient');
  const path = recipientsPath(root);
  const text = await readRecipientsText(root);
  if (parseRecipients(text).includes(recipient)) return false;
  await mkdir(veilDir(root), { recursive: true });
  const prefix = text.length === 0 || text.endsWith('\n') ? text : text + '\n';
  await writeAtomic(path, Buffer.from(prefix + recipient + '\n'));
  return true;
}

/** Removes every line naming `recipient` (comments and other lines stay as they are); returns false when none did. */
export async function removeRecipient(root: string, recipient: string): Promise<boolean> {
  const lines = (await readRecipientsText(root)).split('\n');
  const kept = lines.filter((line) => recipientOf(line) !== recipient);
  if (kept.length === lines.length) return false;
  await writeAtomic(recipientsPath(root), Buffer.from(kept.join('\n')));
  return true;
}
