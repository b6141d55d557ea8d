/**
 * Who the originals are encrypted to, under the policy's roles (README "Access with a purpose"): the recipients of
 * `.veil/recipients.txt` and those of every role that `mayOpenOriginals`, less any recipient the policy names only in
 * roles that may not open originals (an auditor's or an annotator's key listed in recipients.txt is held back: the
 * policy is the audited statement of who may see a face). A dataset without roles encrypts to recipients.txt as before.
 */
import type { PolicyRole } from '../protocol';

export interface RecipientsUnderPolicy {
  /** What commits (and changes of recipients) encrypt to: recipients.txt's in file order, then the roles' in policy order. */
  recipients: string[];
  /** Listed in recipients.txt but held back, each with the roles (none of which may open originals) that name it. */
  withheld: Array<{ recipient: string; roles: string[] }>;
}

/** The roles naming each recipient, in policy order. */
export function rolesByRecipient(roles: Record<string, PolicyRole>): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const [name, role] of Object.entries(roles)) {
    for (const recipient of role.recipients) named.set(recipient, [...(named.get(recipient) ?? []), name]);
  }
  return named;
}

/** The recipients the policy's roles let open originals. */
export function openingRoleRecipients(roles: Record<string, PolicyRole>): string[] {
  return [...new Set(Object.values(roles).flatMap((role) => (role.mayOpenOriginals ? role.recipients : [])))];
}

export function recipientsUnderPolicy(listed: readonly string[], roles: Record<string, PolicyRole>): RecipientsUnderPolicy {
  const opening = new Set(openingRoleRecipients(roles));
  const named = rolesByRecipient(roles);
  const withheld: RecipientsUnderPolicy['withheld'] = [];
  const recipients = new Set<string>();
  for (const recipient of new Set(listed)) {
    const roleNames = named.get(recipient);
    if (roleNames && !opening.has(recipient)) withheld.push({ recipient, roles: roleNames });
    else recipients.add(recipient);
  }
  for (const recipient of opening) recipients.add(recipient);
  return { recipients: [...recipients], withheld };
}
