import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Box } from '../../daemon/protocol';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, place, tempDir } from '../support/images';

/** The audit log, one JSON object per line. */
function auditEntries(root: string): Array<{ type: string; actor: { osUser: string; reviewer: string }; file?: string }> {
  return readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function lastReviewChange(root: string) {
  const change = auditEntries(root).filter((entry) => entry.type === 'review-change').at(-1);
  assert.ok(change, 'no review decision in the audit log');
  return change;
}

describe('session settings through the real daemon', function () {
  this.timeout(60_000);
  let daemon: TestDaemon;
  let root: string;
  // VEIL_REVIEWER empty: the default reviewer is the OS user, whatever the environment of the test run.
  beforeEach(async () => {
    daemon = await startDaemon({ VEIL_REVIEWER: '' });
    root = tempDir();
    place(ASTRONAUT, root, 'astronaut.png');
    await daemon.client.request('dataset/detect', { root });
  });
  afterEach(async () => daemon.client.close());

  async function decide(state: Box['state']) {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    assert.ok(record.boxes.length > 0, 'no face detected in astronaut.png');
    return daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: record.boxes.map((b) => ({ ...b, state })), status: state === 'accepted' ? 'reviewed' : undefined });
  }

  it('audits a review decision under the reviewer name set by session/configure, without a restart', async () => {
    await decide('rejected');
    assert.equal(lastReviewChange(root).actor.reviewer, 'Test Reviewer', 'the name given to initialize');

    const configured = await daemon.client.request('session/configure', { reviewer: 'Ada Lovelace' });
    assert.deepEqual(configured, { reviewer: 'Ada Lovelace' });
    const record = await decide('accepted');
    assert.equal(lastReviewChange(root).actor.reviewer, 'Ada Lovelace');
    assert.equal(record.reviewer, 'Ada Lovelace', 'review state names the new reviewer too');
  });

  it('goes back to the OS user name when the reviewer is empty or absent', async () => {
    const osUser = userInfo().username;
    await daemon.client.request('session/configure', { reviewer: 'Ada Lovelace' });
    assert.deepEqual(await daemon.client.request('session/configure', { reviewer: '  ' }), { reviewer: osUser });
    await decide('rejected');
    assert.deepEqual(lastReviewChange(root).actor, { osUser, reviewer: osUser });

    await daemon.client.request('session/configure', { reviewer: 'Ada Lovelace' });
    assert.deepEqual(await daemon.client.request('session/configure', {}), { reviewer: osUser });
  });

  it('applies a new reviewer to a request sent right behind session/configure, unanswered yet', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    const configuring = daemon.client.request('session/configure', { reviewer: 'Grace Hopper' });
    const deciding = daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: record.boxes.map((b) => ({ ...b, state: 'rejected' as const })) });
    await Promise.all([configuring, deciding]);
    assert.equal(lastReviewChange(root).actor.reviewer, 'Grace Hopper');
  });
});
