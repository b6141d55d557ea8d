/**
 * Roles (issue #11, item 1): commits encrypt only to the recipients of the policy's roles that may open originals (and
 * recipients.txt), judged by the stock `age` CLI; an annotator detects, reviews and commits holding no key at all; a
 * policy change that moves a recipient out of an opening role needs `recipients rotate` for the originals already
 * written, which the change says. Real daemon over stdio, real `veil` CLI, real keys.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy, PolicyRole } from '../../daemon/protocol';
import { addRecipient } from '../../daemon/vault/recipients';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { runCli } from '../support/cli';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { ageDecrypt, ageOpens, newKey, stanzaCount, type Keyholder } from '../support/rotationFixtures';

function role(recipients: Keyholder[], mayOpenOriginals: boolean, members: string[] = []): Partial<PolicyRole> {
  return { recipients: recipients.map((key) => key.recipient), mayOpenOriginals, members };
}

function policyFile(policy: Partial<Policy>): string {
  const file = join(tempDir('veil-policy-'), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

/** The astronaut as `a.png`, recipients.txt listing the auditor's key, and a policy of three roles of which only the custodian may open originals. */
async function governedDataset(keys: { custodian: Keyholder; auditor: Keyholder; annotator: Keyholder }): Promise<string> {
  const root = tempDir('veil-roles-');
  place(ASTRONAUT, root, 'a.png');
  await addRecipient(root, keys.auditor.recipient);
  const roles = {
    custodian: role([keys.custodian], true, ['Carla Custodian']),
    auditor: role([keys.auditor], false),
    annotator: role([keys.annotator], false, ['Annie Annotator']),
  };
  const applied = await runCli(['policy', 'apply', root, policyFile({ roles } as Partial<Policy>)]);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  return root;
}

/** An annotator's whole workflow through a daemon whose Veil home holds no key, and no identity passed anywhere. */
async function annotatorCommits(root: string): Promise<TestDaemon> {
  const home = tempDir('veil-annotator-home-');
  const daemon = await startDaemon({ VEIL_HOME: home });
  await daemon.client.request('session/configure', { reviewer: 'Annie Annotator' });
  await daemon.client.request('dataset/detect', { root });
  const record = await daemon.client.request('review/get', { root, file: 'a.png' });
  assert.ok(record.boxes.length > 0, 'detection found no face to review');
  await daemon.client.request('review/update', { root, file: 'a.png', boxes: record.boxes.map((box) => ({ ...box, state: 'accepted' })), status: 'reviewed', baseRevision: record.revision });
  const committed = await daemon.client.request('dataset/commit', { root });
  assert.deepEqual(committed.committed, ['a.png'], JSON.stringify(committed));
  assert.deepEqual(readdirSync(home, { recursive: true }).filter((name) => /identity|\.key$/.test(String(name))), [], 'the annotator held a key');
  return daemon;
}

describe('roles: who the originals are encrypted to (real daemon, real keys, stock age)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon | undefined;
  afterEach(async () => daemon?.client.close());

  it('an annotator without any identity file commits, and only the custodian role opens the original: not the auditor (even listed in recipients.txt) nor the annotator', async () => {
    const keys = { custodian: await newKey(), auditor: await newKey(), annotator: await newKey() };
    const root = await governedDataset(keys);
    daemon = await annotatorCommits(root);

    const [id] = readdirSync(join(root, '.veil', 'vault')).map((name) => name.replace(/\.age$/, ''));
    assert.ok(ageOpens(root, id!, keys.custodian), 'the custodian cannot open the original with the stock age CLI');
    assert.equal(ageDecrypt(root, id!, keys.auditor), undefined, "the auditor's key opens the original");
    assert.equal(ageDecrypt(root, id!, keys.annotator), undefined, "the annotator's key opens the original");
    assert.equal(stanzaCount(root, id!), 1, 'the original is wrapped to someone besides the custodian');

    const listed = await daemon.client.request('recipients/list', { root });
    assert.deepEqual(
      listed.recipients.map((entry) => [entry.recipient, entry.listed, entry.roles, entry.opens]),
      [
        [keys.custodian.recipient, true, ['custodian'], 1],
        [keys.auditor.recipient, false, ['auditor'], 0],
      ],
    );
    const cli = await runCli(['recipients', 'list', root]);
    assert.match(cli.stdout, new RegExp(`${keys.auditor.recipient}\\s+held back: its roles may not open originals\\s+0 of 1\\s+auditor`));

    // The custodian opens it for a purpose; the auditor's key is refused, and the refusal logged.
    const opened = await daemon.client.request('vault/read', { root, file: 'a.png', identity: keys.custodian.identityFile, purpose: 'audit' });
    assert.equal(opened.recipient, keys.custodian.recipient);
    const refused = await rpcError(daemon.client.request('vault/read', { root, file: 'a.png', identity: keys.auditor.identityFile, purpose: 'audit' }));
    assert.match(refused.message, /not encrypted to .*refused, and the refusal is in the audit log/);
  });

  it('a policy change moving the custodian key to the auditor role says the originals need rotating; new commits and `recipients rotate` leave it out', async () => {
    const keys = { custodian: await newKey(), auditor: await newKey(), annotator: await newKey() };
    const root = await governedDataset(keys);
    daemon = await annotatorCommits(root);
    const successor = await newKey();
    const moved = {
      roles: {
        custodian: role([successor], true),
        auditor: role([keys.auditor, keys.custodian], false),
        annotator: role([keys.annotator], false),
      },
    } as Partial<Policy>;
    const applied = await runCli(['policy', 'apply', root, policyFile(moved)]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(
      applied.stdout,
      new RegExp(`1 vault object\\(s\\) keep the recipients they were encrypted to \\(${keys.custodian.recipient} still opens them; ${successor.recipient} cannot open them yet\\): run \`veil recipients rotate`),
    );

    // Refused before anything changes: removing a recipient the policy's opening role names, adding one only its auditor role names.
    const keep = await rpcError(daemon.client.request('recipients/remove', { root, recipient: successor.recipient, identity: keys.custodian.identityFile }));
    assert.match(keep.message, /recipient of the policy's role custodian, which may open originals/);
    const never = await rpcError(daemon.client.request('recipients/add', { root, recipient: keys.auditor.recipient, identity: keys.custodian.identityFile }));
    assert.match(never.message, /only in roles that may not open originals \(auditor\)/);

    const [id] = readdirSync(join(root, '.veil', 'vault')).map((name) => name.replace(/\.age$/, ''));
    assert.ok(ageOpens(root, id!, keys.custodian), 'before the rotation the existing original still opens with the moved key');
    const rotated = await daemon.client.request('recipients/rotate', { root, identity: keys.custodian.identityFile });
    assert.deepEqual(rotated.recipients, [successor.recipient]);
    assert.ok(ageOpens(root, id!, successor), 'the new custodian cannot open the original after the rotation');
    for (const key of [keys.custodian, keys.auditor, keys.annotator]) assert.equal(ageDecrypt(root, id!, key), undefined, `${key.recipient} still opens the original`);
    const again = await runCli(['policy', 'apply', root, policyFile(moved)]);
    assert.doesNotMatch(again.stdout, /recipients rotate/, 'a rotated vault is still said to need rotating');
    assert.deepEqual((await daemon.client.request('dataset/verify', { root })).findings, []);
  });
});
