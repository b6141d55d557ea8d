/**
 * The purpose of an opening of an original, checked against the dataset's policy (README "Access with a purpose").
 * A purpose is required in every case; `purposes.required` decides whether it must be one the policy accepts (one of
 * `allowed`, or any words when `freeText`), else any words are accepted and `allowed` only lists the usual choices.
 */
import { acceptsFreeTextPurpose, type OpenRefusal, type PolicyPurposes } from '../protocol';

export type PurposeCheck = { accepted: true; purpose: string } | { accepted: false; reason: Extract<OpenRefusal, 'no-purpose' | 'purpose-not-allowed'>; purpose?: string; message: string };

/** One line, single spaces: what the log records of the words given (a line break would split a trail's column). */
export function normalizedPurpose(given: string): string {
  return given.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

/**
 * Accepts `given` under `purposes`, or says why not. A listed purpose matches whatever its letter case and is recorded
 * in the policy's spelling (so the log names one purpose one way, for `veil audit` to count).
 */
export function checkPurpose(given: string | undefined, purposes: PolicyPurposes): PurposeCheck {
  const purpose = normalizedPurpose(given ?? '');
  const choices = purposes.allowed.length > 0 ? `: one of ${purposes.allowed.join(', ')}` : '';
  if (purpose.length === 0) {
    return { accepted: false, reason: 'no-purpose', message: `opening an original needs a purpose (--purpose)${choices}${choices && acceptsFreeTextPurpose(purposes) ? ', or your own words' : ''}` };
  }
  const listed = purposes.allowed.find((allowed) => allowed.toLowerCase() === purpose.toLowerCase());
  if (listed !== undefined) return { accepted: true, purpose: listed };
  if (acceptsFreeTextPurpose(purposes)) return { accepted: true, purpose };
  return { accepted: false, reason: 'purpose-not-allowed', purpose, message: `the dataset's policy does not accept the purpose "${purpose}"${choices}` };
}
