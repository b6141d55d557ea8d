/** `audit/list`: the audit log read by the daemon for a person, newest first, paged and filtered; a damaged log refused. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type AuditListResult } from '../../daemon/protocol';
import { committedDataset } from '../support/committedDataset';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir } from '../support/images';

const actions = (page: AuditListResult) => page.entries.map((entry) => entry.action);

describe('audit/list: the audit log read for a person (real daemon over stdio)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('lists every entry newest first with its actor, image and details, filters by reviewer and action, and pages', async () => {
    daemon = await startDaemon();
    const { root, identity } = await committedDataset(daemon.client);
    await daemon.client.request('session/configure', { reviewer: 'Second Reviewer' });
    await daemon.client.request('vault/read', { root, file: 'a.png', identity, purpose: 'audit' });

    const all = await daemon.client.request('audit/list', { root });
    assert.deepEqual(actions(all), ['open-original', 'commit', 'commit-image', 'detect-run', 'detect-image']);
    assert.deepEqual([all.total, all.matched, all.next], [5, 5, undefined]);
    assert.deepEqual(all.entries.map((entry) => entry.seq), [4, 3, 2, 1, 0]);
    const [opened, , committedImage] = all.entries;
    assert.deepEqual(opened.actor?.reviewer, 'Second Reviewer');
    assert.equal(opened.file, 'a.png');
    assert.match(opened.details, /for "audit" with the key of age1[0-9a-z]+ and shown in test, from memory \(never written to disk\)/);
    assert.match(committedImage.details, /^fill \(rect, margin 0\.25 \+ 1 × \(1 − score\)\): 1 box redacted, model boxes nobody reviewed; original kept as vault object [0-9a-f]{12}…$/);
    assert.deepEqual(all.actors, ['Second Reviewer', 'Test Reviewer']);
    assert.deepEqual(all.actions, ['detect-run', 'detect-image', 'commit-image', 'commit', 'open-original']);

    const byReviewer = await daemon.client.request('audit/list', { root, actor: 'Test Reviewer' });
    assert.deepEqual(actions(byReviewer), ['commit', 'commit-image', 'detect-run', 'detect-image']);
    assert.deepEqual([byReviewer.total, byReviewer.matched], [5, 4]);
    const byAction = await daemon.client.request('audit/list', { root, actions: ['commit-image', 'open-original'] });
    assert.deepEqual(actions(byAction), ['open-original', 'commit-image']);

    const first = await daemon.client.request('audit/list', { root, limit: 2 });
    assert.deepEqual([actions(first), first.next], [['open-original', 'commit'], 3]);
    const second = await daemon.client.request('audit/list', { root, limit: 2, before: first.next });
    assert.deepEqual([actions(second), second.next], [['commit-image', 'detect-run'], 1]);
    const last = await daemon.client.request('audit/list', { root, limit: 2, before: second.next });
    assert.deepEqual([actions(last), last.next], [['detect-image'], undefined]);

    // A folder inside the dataset lists the dataset's log, as every command on such a folder works on its dataset.
    mkdirSync(join(root, 'sub'));
    const inside = await daemon.client.request('audit/list', { root: join(root, 'sub') });
    assert.deepEqual([inside.root, inside.total], [realpathSync(root), 5]);
  });

  it('lists nothing for a folder never detected', async () => {
    daemon = await startDaemon();
    const empty = await daemon.client.request('audit/list', { root: tempDir() });
    assert.deepEqual([empty.entries, empty.total, empty.actors, empty.actions], [[], 0, [], []]);
  });

  it('refuses a relative root, a missing one, a bad page or filter, and a damaged log (naming the file and the line)', async () => {
    daemon = await startDaemon();
    const { root } = await committedDataset(daemon.client);
    const refusal = async (params: Record<string, unknown>) => rpcError(daemon.client.request('audit/list', params as never));
    assert.equal((await refusal({ root: 'dataset' })).code, ErrorCode.InvalidParams);
    assert.equal((await refusal({ root, limit: 0 })).code, ErrorCode.InvalidParams);
    assert.equal((await refusal({ root, limit: 1001 })).code, ErrorCode.InvalidParams);
    assert.equal((await refusal({ root, before: -1 })).code, ErrorCode.InvalidParams);
    assert.equal((await refusal({ root, actions: ['delete-everything'] })).code, ErrorCode.InvalidParams);
    assert.equal((await refusal({ root, actions: ['commit', 'commit'] })).code, ErrorCode.InvalidParams);
    assert.equal((await refusal({ root, actor: '' })).code, ErrorCode.InvalidParams);
    const missing = await refusal({ root: join(root, 'no-such-folder') });
    assert.equal(missing.code, ErrorCode.BadPath);

    // A torn last line (a power loss mid-append) is passed over; a malformed entry before it is refused.
    appendFileSync(join(root, '.veil', 'audit.jsonl'), '{"seq":4,"pr');
    assert.equal((await daemon.client.request('audit/list', { root })).total, 4);
    appendFileSync(join(root, '.veil', 'audit.jsonl'), '\n{"seq":5}\n');
    const damaged = await refusal({ root });
    assert.deepEqual([damaged.code, damaged.file], [ErrorCode.Corrupt, '.veil/audit.jsonl']);
    assert.match(damaged.message, /^line 5: not valid JSON/);
  });
});
