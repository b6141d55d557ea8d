/**
 * The monitor judges each opening by the policy in force when it happened (README "Monitoring", policy/history.ts):
 * every policy-change entry records its policy's text, so working hours or purposes changed after an opening do not
 * flag it, and openings after the change are judged by the new rules. Through the real daemon over stdio and real
 * keys. A log written before entries recorded the text falls back to the policy in place now, and says so.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type AuditFlag, type AuditMonitorResult } from '../../daemon/protocol';
import { sha256Hex } from '../../daemon/storage/hash';
import { appendAuditSync, auditEntries, rechainLog } from '../support/commitFixtures';
import { committedDataset } from '../support/committedDataset';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir } from '../support/images';
import { applyPolicy, hoursAroundNow } from '../support/monitorFixtures';

function flagged(result: AuditMonitorResult): string[] {
  return result.flags.map((flag: AuditFlag) => (flag.seq === undefined ? flag.kind : `${flag.kind}@${flag.seq}`)).sort();
}

const EVERY_PURPOSE = { required: true, allowed: ['audit', 'model-reevaluation'], freeText: false };

describe('monitoring judges each opening by the policy in force when it happened (real daemon over stdio)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('an opening within the hours and purposes of its time stays unflagged after a policy change narrows them; openings after the change are judged by the new policy', async () => {
    daemon = await startDaemon();
    const { client } = daemon;
    const { root, identity } = await committedDataset(client); // entries 0-3
    const out = (name: string) => join(tempDir('veil-open-'), name);
    await client.request('vault/open', { root, file: 'a.png', identity, out: out('0.png'), purpose: 'curiosity' }); // 4: no policy yet, any words
    await applyPolicy(client, root, { purposes: EVERY_PURPOSE, monitoring: { workingHours: hoursAroundNow(-2, 2), maxOpeningsPerActorPerDay: 1 } }); // 5
    await client.request('vault/read', { root, file: 'a.png', identity, purpose: 'model-reevaluation' }); // 6: in the hours of entry 5
    await applyPolicy(client, root, { purposes: { ...EVERY_PURPOSE, allowed: ['audit'] }, monitoring: { workingHours: hoursAroundNow(6, 8), maxOpeningsPerActorPerDay: 5 } }); // 7
    const later = await client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' }); // 8: outside the hours of entry 7
    assert.deepEqual((await client.request('dataset/verify', { root })).findings, []);
    // An opening as a Veil that did not check purposes would have logged it: judged by the policy of entry 7.
    appendAuditSync(root, { type: 'open-original', actor: { osUser: 'tester', reviewer: 'Test Reviewer' }, file: 'a.png', vaultObject: later.vaultObject, purpose: 'model-reevaluation', shownIn: 'old' }); // 9

    const result = await client.request('audit/monitor', { root });
    // Judged by today's policy, 4 ("curiosity"), 6 (out of today's hours, for a purpose no longer allowed) would be flagged too.
    assert.deepEqual(flagged(result), ['outside-working-hours@8', 'outside-working-hours@9', 'purpose-not-allowed@9']);
    assert.match(result.flags.find((flag) => flag.seq === 8)!.message, /outside the working hours mon, tue, wed, thu, fri, sat, sun \d\d:\d\d–\d\d:\d\d \(Asia\/Kolkata\) \(policy of entry 7\)$/);
    assert.match(result.flags.find((flag) => flag.kind === 'purpose-not-allowed')!.message, /does not accept the purpose "model-reevaluation": one of audit \(policy of entry 7\)$/);
    assert.ok(result.rules.includes('these are the rules in place now; each opening is judged by the policy in force when it happened (2 policy change(s) in the log)'), result.rules.join('\n'));

    // Each change records the text of the policy it put in place, hashing to the sha256 it records; the last one is the file.
    const changes = auditEntries(root).filter((entry) => entry.type === 'policy-change');
    for (const change of changes) assert.equal(sha256Hex(change.content as string), change.sha256);
    assert.equal(changes.at(-1)!.content, readFileSync(join(root, '.veil', 'policy.json'), 'utf8'));
  });

  it('a log whose policy-change entries record no text (before Veil recorded it) is judged by the policy in place now where the entry is not that policy, and says which entries', async () => {
    daemon = await startDaemon();
    const { client } = daemon;
    const { root, identity } = await committedDataset(client); // 0-3
    await applyPolicy(client, root, { monitoring: { workingHours: hoursAroundNow(-2, 2), maxOpeningsPerActorPerDay: null } }); // 4
    await client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' }); // 5
    await applyPolicy(client, root, { monitoring: { workingHours: hoursAroundNow(6, 8), maxOpeningsPerActorPerDay: null } }); // 6
    await client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' }); // 7
    assert.deepEqual(flagged(await client.request('audit/monitor', { root })), ['outside-working-hours@7']);

    // The same log as the versions before this one wrote it: each policy-change with its sha256 only.
    rechainLog(root, auditEntries(root).map(({ content: _content, ...entry }) => entry));
    const legacy = await client.request('audit/monitor', { root });
    // Entry 6's policy is the file in place (same sha256): known. Entry 4's is gone: opening 5 falls back to today's.
    assert.deepEqual(flagged(legacy), ['outside-working-hours@5', 'outside-working-hours@7']);
    assert.match(legacy.flags.find((flag) => flag.seq === 5)!.message, /\(by the policy in place now: entry 4 records only its policy's sha256\)$/);
    assert.match(legacy.flags.find((flag) => flag.seq === 7)!.message, /\(policy of entry 6\)$/);
    assert.ok(legacy.rules.includes("entry 5: judged by the policy in place now, since policy-change entry 4 records only its policy's sha256 (written before Veil recorded a policy's text)"), legacy.rules.join('\n'));
  });

  it('a policy file that is not UTF-8 (its text could not be recorded byte for byte) is refused by apply, naming the file; nothing is logged', async () => {
    daemon = await startDaemon();
    const root = tempDir('veil-policy-utf8-');
    const file = join(tempDir('veil-policy-'), 'latin1.json');
    writeFileSync(file, Buffer.concat([Buffer.from('{"roles":{"custodian":{"description":"Gr'), Buffer.from([0xfc]), Buffer.from('n"}}}')]));
    const refused = await rpcError(daemon.client.request('policy/apply', { root, file }));
    assert.equal(refused.code, ErrorCode.Corrupt);
    assert.deepEqual([refused.file, refused.message], [file, 'not a valid policy: expected UTF-8 text (JSON is)']);
    assert.equal(existsSync(join(root, '.veil', 'audit.jsonl')), false);
  });
});
