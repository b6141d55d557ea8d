/** The policy's rules of access (README "Access with a purpose"): which purposes an opening may state, and who the originals are encrypted to. */
import assert from 'node:assert/strict';
import type { PolicyPurposes, PolicyRole } from '../../../daemon/protocol';
import { checkPurpose } from '../../../daemon/policy/purpose';
import { recipientsUnderPolicy } from '../../../daemon/policy/roles';

const LISTED = ['clinical-follow-up', 'model-reevaluation', 'audit'];

function outcome(given: string | undefined, purposes: PolicyPurposes): string {
  const checked = checkPurpose(given, purposes);
  return checked.accepted ? `accepted "${checked.purpose}"` : checked.reason;
}

function role(recipients: string[], mayOpenOriginals: boolean): PolicyRole {
  return { description: '', members: [], recipients, mayOpenOriginals };
}

describe('purposes of an opening', () => {
  it('a purpose is required under every policy: none, or only blanks and line breaks, is refused as no-purpose', () => {
    for (const purposes of [
      { required: false, allowed: [], freeText: true },
      { required: true, allowed: LISTED, freeText: false },
      { required: true, allowed: LISTED, freeText: true },
    ]) {
      assert.deepEqual([undefined, '', '  \n\t '].map((given) => outcome(given, purposes)), ['no-purpose', 'no-purpose', 'no-purpose']);
    }
  });

  it('required without free text accepts only a listed purpose, matched in any letter case and recorded in the policy spelling', () => {
    const purposes = { required: true, allowed: LISTED, freeText: false };
    assert.equal(outcome('Audit', purposes), 'accepted "audit"');
    assert.equal(outcome('  model-reevaluation ', purposes), 'accepted "model-reevaluation"');
    assert.equal(outcome('curiosity', purposes), 'purpose-not-allowed');
    const refused = checkPurpose('curiosity', purposes);
    assert.ok(!refused.accepted && /one of clinical-follow-up, model-reevaluation, audit/.test(refused.message), JSON.stringify(refused));
  });

  it('required with free text, or not required, accepts any words, on one line with single spaces', () => {
    for (const purposes of [{ required: true, allowed: LISTED, freeText: true }, { required: false, allowed: LISTED, freeText: false }, { required: false, allowed: [], freeText: true }]) {
      assert.equal(outcome('second opinion\n  for  Dr. Ada\u0007', purposes), 'accepted "second opinion for Dr. Ada"');
      assert.equal(outcome('AUDIT', purposes), purposes.allowed.length > 0 ? 'accepted "audit"' : 'accepted "AUDIT"');
    }
  });
});

describe('recipients under the policy roles', () => {
  const [custodian, auditor, annotator, plain] = ['age1custodian', 'age1auditor', 'age1annotator', 'age1plain'];
  const roles = { custodian: role([custodian], true), auditor: role([auditor], false), annotator: role([annotator], false) };

  it('encrypts to recipients.txt and to the roles that may open originals, nobody else', () => {
    assert.deepEqual(recipientsUnderPolicy([plain], roles), { recipients: [plain, custodian], withheld: [] });
    assert.deepEqual(recipientsUnderPolicy([], roles).recipients, [custodian]);
  });

  it('holds back a recipient of recipients.txt that the policy names only in roles that may not open originals', () => {
    assert.deepEqual(recipientsUnderPolicy([auditor, plain, auditor], roles), { recipients: [plain, custodian], withheld: [{ recipient: auditor, roles: ['auditor'] }] });
  });

  it('a recipient in an opening role and another role is encrypted to once; a dataset without roles encrypts to recipients.txt as before', () => {
    const both = { ...roles, auditor: role([auditor, custodian], false) };
    assert.deepEqual(recipientsUnderPolicy([custodian], both).recipients, [custodian]);
    assert.deepEqual(recipientsUnderPolicy([plain, auditor], {}), { recipients: [plain, auditor], withheld: [] });
  });
});
