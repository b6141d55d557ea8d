/**
 * `audit/monitor` and `veil audit`: every suspicious pattern of the issue flagged in a log made by real daemon operations
 * (openings out of hours, too many a day, without or with a disallowed purpose, refusals, a forced purge, a rewritten
 * line, an untrusted signature, a policy edited by hand), nothing in a clean log; the CLI's exit codes and --json.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditFlag, AuditMonitorResult } from '../../daemon/protocol';
import { auditPath } from '../../daemon/audit/log';
import { appendAuditSync } from '../support/commitFixtures';
import { committedDataset } from '../support/committedDataset';
import { runCli } from '../support/cli';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir } from '../support/images';
import { applyPolicy, hoursAroundNow, newSigningKey } from '../support/monitorFixtures';

/** "kind@seq" for entry flags, "kind" for flags of the log as a whole; sorted. */
function flagged(result: AuditMonitorResult): string[] {
  return result.flags.map((flag: AuditFlag) => (flag.seq === undefined ? flag.kind : `${flag.kind}@${flag.seq}`)).sort();
}

const PURPOSES = { required: true, allowed: ['audit', 'model-reevaluation'], freeText: false };

describe('audit/monitor and `veil audit`: suspicious activity flagged (real daemon over stdio)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('flags each suspicious pattern at its entry, and the log, its signatures and its policy as a whole', async () => {
    daemon = await startDaemon();
    const { client } = daemon;
    const { root, identity } = await committedDataset(client); // entries 0-3: detect-image, detect-run, commit-image, commit
    const out = (name: string) => join(tempDir('veil-open-'), name);
    await applyPolicy(client, root, { purposes: PURPOSES, monitoring: { workingHours: hoursAroundNow(6, 8), maxOpeningsPerActorPerDay: 1 } }); // 4
    const opened = await client.request('vault/open', { root, file: 'a.png', identity, out: out('1.png'), purpose: 'audit' }); // 5: out of hours
    await client.request('vault/read', { root, file: 'a.png', identity, purpose: 'model-reevaluation' }); // 6: out of hours, 2nd of the day
    await rpcError(client.request('vault/open', { root, file: 'a.png', identity, out: out('2.png') })); // 7: refused, no purpose
    const stranger = join(tempDir('veil-key-'), 'other.txt');
    await client.request('keys/create', { out: stranger });
    await rpcError(client.request('vault/open', { root, file: 'a.png', identity: stranger, out: out('3.png'), purpose: 'audit' })); // 8: refused, wrong key
    // An opening as the versions before purposes logged it: no purpose at all.
    appendAuditSync(root, { type: 'open-original', actor: { osUser: 'tester', reviewer: 'Test Reviewer' }, file: 'a.png', vaultObject: opened.vaultObject, out: '/tmp/old.png' }); // 9
    await applyPolicy(client, root, { purposes: { ...PURPOSES, allowed: ['audit'] }, monitoring: { workingHours: hoursAroundNow(6, 8), maxOpeningsPerActorPerDay: 1 } }); // 10
    await client.request('vault/purge', { root, files: ['a.png'], force: true, reason: 'asked by the data subject' }); // 11: forced, no retention set

    const entryFlags = [
      'outside-working-hours@5',
      'outside-working-hours@6',
      'too-many-openings@6',
      'opening-refused@7',
      'opening-refused@8',
      'outside-working-hours@9',
      'too-many-openings@9',
      'opening-without-purpose@9',
      'forced-purge@11',
    ].sort();
    const before = await client.request('audit/monitor', { root });
    assert.deepEqual(flagged(before), entryFlags);
    assert.deepEqual(before.checked, { entries: 12, openings: 3, signatures: 0 });
    const [tooMany] = before.flags.filter((flag) => flag.kind === 'too-many-openings');
    assert.match(tooMany.message, /^Test Reviewer's 2nd opening on \d{4}-\d{2}-\d{2} \(Asia\/Kolkata\); the policy allows 1 per reviewer a day \(policy of entry 4\)$/);
    assert.deepEqual([tooMany.actor, tooMany.file], ['Test Reviewer', 'a.png']);
    // Entry 10 narrowed the purposes to "audit"; opening 6 is judged by the policy of its time (entry 4), which accepted it.
    assert.equal(before.flags.find((flag) => flag.kind === 'purpose-not-allowed'), undefined);
    assert.match(before.flags.find((flag) => flag.kind === 'forced-purge')!.message, /purged while no-retention, forced: asked by the data subject/);
    assert.match(before.flags.find((flag) => flag.seq === 8)!.message, /opening refused \(a key the original is not encrypted to\)/);
    assert.ok(before.rules.some((rule) => rule.startsWith('openings outside the working hours mon, tue, wed, thu, fri, sat, sun')));

    // The log's integrity: a signature by a key the policy does not trust, the policy edited by hand, a line rewritten.
    const untrusted = await newSigningKey(client);
    await client.request('checkpoint/sign', { root, key: untrusted.keyFile }); // 12
    appendFileSync(join(root, '.veil', 'policy.json'), '\n');
    const lines = readFileSync(auditPath(root), 'utf8').split('\n');
    lines[1] = lines[1].replace('"Test Reviewer"', '"Somebody Else"');
    writeFileSync(auditPath(root), lines.join('\n'));
    const after = await client.request('audit/monitor', { root });
    assert.deepEqual(flagged(after), ['audit-chain', 'policy-problem', 'signature-problem', ...entryFlags].sort());
    assert.match(after.flags.find((flag) => flag.kind === 'audit-chain')!.message, /^audit-chain: line 3: does not chain to the line before/);
    assert.match(after.flags.find((flag) => flag.kind === 'signature-problem')!.message, /^signature-untrusted: entry 12/);
    assert.equal(after.ok, false);

    // Filters keep the flags of the entries they keep, and always those of the log as a whole.
    const refusals = await client.request('audit/monitor', { root, actions: ['open-refused'] });
    assert.deepEqual(flagged(refusals), ['audit-chain', 'opening-refused@7', 'opening-refused@8', 'policy-problem', 'signature-problem']);
    const later = await client.request('audit/monitor', { root, since: new Date(Date.now() + 60_000).toISOString() });
    assert.deepEqual(flagged(later), ['audit-chain', 'policy-problem', 'signature-problem']);
    assert.deepEqual(flagged(await client.request('audit/monitor', { root, actor: 'Nobody' })), ['audit-chain', 'policy-problem', 'signature-problem']);

    // `veil audit`: the trail and the flags, exit 4; --json is one document.
    const cli = await runCli(['audit', root]);
    assert.equal(cli.code, 4, cli.stderr);
    assert.match(cli.stdout, /open-refused +a\.png +opening refused \(no purpose given\)/);
    assert.match(cli.stdout, /^too-many-openings +6 /m);
    assert.match(cli.stderr, /12 flag\(s\)/);
    const json = await runCli(['audit', root, '--json', '--action', 'open-original', '--action', 'open-refused']);
    assert.equal(json.code, 4, json.stderr);
    const { result: document } = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(document).sort(), ['checked', 'filter', 'flags', 'ok', 'root', 'rules', 'trail']);
    assert.deepEqual(document.filter, { actions: ['open-original', 'open-refused'] });
    assert.deepEqual(document.trail.entries.map((entry: { seq: number }) => entry.seq), [5, 6, 7, 8, 9], 'the trail in log order');
    assert.deepEqual([document.trail.total, document.trail.matched], [13, 5]);
    assert.deepEqual(document.trail.entries[0].purpose, 'audit');
    assert.equal(document.flags.length, 11);

    // A line that does not parse: left out of the trail (audit/list refuses the whole log), flagged where it is.
    appendFileSync(auditPath(root), '{"seq":13}\n');
    const damaged = await runCli(['audit', root, '--json']);
    assert.equal(damaged.code, 4);
    const { trail, flags } = JSON.parse(damaged.stdout).result;
    assert.deepEqual([trail.total, trail.matched, trail.entries.at(-1).seq], [13, 13, 12]);
    assert.ok(flags.some((flag: AuditFlag) => flag.kind === 'audit-chain' && /^audit-chain: line 14: no valid "prev" hash/.test(flag.message)), JSON.stringify(flags));
  });

  it('flags nothing in a clean log: openings in hours, within the daily limit, for allowed purposes, signed by a trusted key', async () => {
    daemon = await startDaemon();
    const { client } = daemon;
    const { root, identity } = await committedDataset(client);
    const signer = await newSigningKey(client);
    await applyPolicy(client, root, {
      purposes: { required: true, allowed: ['audit'], freeText: false },
      signers: [{ name: 'auditor', publicKey: signer.publicKey }],
      monitoring: { workingHours: hoursAroundNow(-2, 2), maxOpeningsPerActorPerDay: 2 },
    });
    await client.request('vault/open', { root, file: 'a.png', identity, out: join(tempDir('veil-open-'), 'a.png'), purpose: 'audit' });
    await client.request('vault/read', { root, file: 'a.png', identity, purpose: 'Audit' });
    await client.request('checkpoint/sign', { root, key: signer.keyFile });

    const result = await client.request('audit/monitor', { root, signers: [signer.publicKey] });
    assert.deepEqual(result.flags, []);
    assert.deepEqual([result.ok, result.checked], [true, { entries: 8, openings: 2, signatures: 1 }]);
    const cli = await runCli(['audit', root]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /ok: nothing flagged \(8 entries, 2 openings, 1 checkpoint signatures\)/);
    const json = JSON.parse((await runCli(['audit', root, '--json', '--since', '1h', '--actor', 'Test Reviewer'])).stdout).result;
    assert.deepEqual([json.ok, json.flags, json.trail.matched], [true, [], 8]);
  });

  it('refuses bad filters as usage errors (exit 2) before any daemon runs, and bad params as InvalidParams', async () => {
    const root = tempDir('veil-audit-usage-');
    for (const args of [['audit'], ['audit', root, '--since', 'last tuesday'], ['audit', root, '--action', 'delete'], ['audit', root, '--until', '2026-02-30x']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /veil audit: /);
    }
    daemon = await startDaemon();
    for (const params of [{ root, since: 'yesterday' }, { root, until: '2026-11-29' }, { root, signers: ['veil-ed25519:short'] }, { root: 'relative' }]) {
      assert.equal((await rpcError(daemon.client.request('audit/monitor', params as never))).code, -32602, JSON.stringify(params));
    }
  });
});
