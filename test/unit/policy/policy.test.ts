import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { DEFAULT_POLICY, parsePolicy, policyText, readPolicy, starterPolicy } from '../../../daemon/policy/policy';
import { applyPolicy, initPolicy, showPolicy } from '../../../daemon/services/policy';
import { auditPath } from '../../../daemon/audit/log';
import { sha256Hex } from '../../../daemon/storage/hash';
import { createIdentity } from '../../../daemon/vault/identity';
import { tempDir } from '../../support/images';
import { TEST_ACTOR } from '../../support/commitFixtures';

const SIGNER_KEY = `veil-ed25519:${Buffer.alloc(32, 7).toString('base64')}`;

function refusal(field: RegExp, file = 'policy.json') {
  return (error: unknown) => VeilError.is(error) && error.code === ErrorCode.Corrupt && error.file === file && field.test(error.message);
}

function parse(value: unknown) {
  return parsePolicy(Buffer.from(JSON.stringify(value)), 'policy.json');
}

function auditTypes(root: string): string[] {
  return readFileSync(auditPath(root), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line).type);
}

describe('governance policy', () => {
  it('a dataset without a policy gets every default, and a partial policy the defaults of what it leaves out', async () => {
    const root = tempDir('veil-policy-');
    assert.deepEqual(await readPolicy(root), { present: false, sha256: null, policy: DEFAULT_POLICY });
    const partial = parse({ purposes: { allowed: ['audit'] }, roles: { auditor: { mayOpenOriginals: false } } });
    assert.deepEqual(partial.purposes, { required: false, allowed: ['audit'], freeText: true });
    assert.deepEqual(partial.roles.auditor, { description: '', members: [], recipients: [], mayOpenOriginals: false });
    assert.deepEqual([partial.signers, partial.retention, partial.monitoring], [DEFAULT_POLICY.signers, DEFAULT_POLICY.retention, DEFAULT_POLICY.monitoring]);
  });

  it('accepts the starter policy and a complete one with every field set', async () => {
    assert.deepEqual(parse(starterPolicy()), starterPolicy());
    const { recipient } = await createIdentity();
    const complete = {
      version: 1,
      roles: { custodian: { description: 'keys', members: ['Dr. Ada'], recipients: [recipient], mayOpenOriginals: true } },
      purposes: { required: true, allowed: ['clinical-follow-up'], freeText: false },
      retention: { days: 365, action: 'purge' },
      signers: [{ name: 'audit server', publicKey: SIGNER_KEY }],
      monitoring: { workingHours: { days: ['mon', 'fri'], from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' }, maxOpeningsPerActorPerDay: 20 },
    };
    assert.deepEqual(parse(complete), complete);
  });

  it('refuses a hand-edited policy, naming the file and the field at fault', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ signer: [] }, /\.signer: not a field here/],
      [{ roles: { custodian: { recipients: ['age1notakey'] } } }, /roles\["custodian"\]\.recipients\[0\]: expected an age recipient/],
      [{ roles: { Custodian: {} } }, /roles\["Custodian"\]: expected a role name/],
      [{ signers: [{ name: 'a', publicKey: 'veil-ed25519:AAAA' }] }, /\.signers\[0\]\.publicKey: expected the base64 of 32 bytes/],
      [{ signers: [{ name: 'a', publicKey: SIGNER_KEY }, { name: 'b', publicKey: SIGNER_KEY }] }, /\.signers\[1\]: expected no repeat/],
      [{ signers: [{ name: 'a', publicKey: SIGNER_KEY }, { name: 'a', publicKey: `veil-ed25519:${Buffer.alloc(32, 8).toString('base64')}` }] }, /\.signers\[1\]\.name: expected a name no other signer has/],
      [{ signers: [{ publicKey: SIGNER_KEY }] }, /\.signers\[0\]\.name: expected a name/],
      [{ purposes: { required: true, freeText: false } }, /\.purposes: requires a purpose but accepts none/],
      [{ retention: { days: 0 } }, /\.retention\.days: expected a whole number from 1/],
      [{ monitoring: { workingHours: { days: ['mon'], from: '8:00', to: '18:00', timeZone: 'UTC' } } }, /workingHours\.from: expected "HH:MM"/],
      [{ monitoring: { workingHours: { days: ['mon'], from: '08:00', to: '18:00', timeZone: 'Mars/Olympus' } } }, /workingHours\.timeZone: expected an IANA time zone/],
      [{ version: 2 }, /\.version: expected 1/],
    ];
    for (const [value, field] of cases) assert.throws(() => parse(value), refusal(field), JSON.stringify(value));
    assert.throws(() => parsePolicy(Buffer.from('{"roles": '), 'policy.json'), refusal(/expected valid JSON/));
  });

  it('init writes the starter policy with its audit entry, and refuses to overwrite it', async () => {
    const root = tempDir('veil-policy-');
    const result = await initPolicy({ root }, TEST_ACTOR);
    const bytes = readFileSync(join(root, '.veil', 'policy.json'));
    assert.equal(bytes.toString(), policyText(starterPolicy()));
    assert.equal(result.sha256, sha256Hex(bytes));
    const [entry] = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual([entry.type, entry.source, entry.sha256, entry.previousSha256], ['policy-change', 'init', result.sha256, null]);
    await assert.rejects(initPolicy({ root }, TEST_ACTOR), (error: unknown) => VeilError.is(error) && error.code === ErrorCode.Conflict && /exists already/.test(error.message));
    assert.deepEqual(auditTypes(root), ['policy-change']);
    const shown = await showPolicy({ root });
    assert.deepEqual([shown.present, shown.sha256, shown.policy], [true, result.sha256, starterPolicy()]);
  });

  it('apply checks the new policy whole before anything is written, then audits and puts it in place', async () => {
    const root = tempDir('veil-policy-');
    await initPolicy({ root }, TEST_ACTOR);
    const before = readFileSync(join(root, '.veil', 'policy.json'));
    const source = join(tempDir('veil-policy-src-'), 'new-policy.json');
    writeFileSync(source, JSON.stringify({ signers: [{ name: 'auditor', publicKey: 'veil-ed25519:nope' }] }));
    await assert.rejects(applyPolicy({ root, file: source }, TEST_ACTOR), refusal(/\.signers\[0\]\.publicKey/, source));
    assert.deepEqual([auditTypes(root), readFileSync(join(root, '.veil', 'policy.json'))], [['policy-change'], before]);

    writeFileSync(source, JSON.stringify({ signers: [{ name: 'auditor', publicKey: SIGNER_KEY }] }));
    const applied = await applyPolicy({ root, file: source }, TEST_ACTOR);
    const entry = JSON.parse(readFileSync(auditPath(root), 'utf8').trimEnd().split('\n')[1]);
    assert.deepEqual([entry.source, entry.sha256, entry.previousSha256], ['apply', applied.sha256, sha256Hex(before)]);
    assert.deepEqual((await readPolicy(root)).policy.signers, [{ name: 'auditor', publicKey: SIGNER_KEY }]);
  });

  it('refuses a malformed policy in place when it is read, naming the file and field', async () => {
    const root = tempDir('veil-policy-');
    mkdirSync(join(root, '.veil'));
    writeFileSync(join(root, '.veil', 'policy.json'), JSON.stringify({ retention: { action: 'shred' } }));
    await assert.rejects(readPolicy(root), refusal(/\.retention\.action: expected one of report, purge/, '.veil/policy.json'));
  });
});
