import assert from 'node:assert/strict';
import { GroupCommit } from '../../../daemon/core/groupCommit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A writer that records each group it is handed and answers each item doubled. */
function recordingWriter() {
  const groups: number[][] = [];
  const write = async (items: number[]) => {
    groups.push(items);
    return items.map((item) => item * 2);
  };
  return { groups, write };
}

describe('group commit', () => {
  it('is due once the open group holds its most items; its write answers each item with its own result', async () => {
    const writer = recordingWriter();
    const groups = new GroupCommit(writer.write, { maxItems: 3, maxWaitMs: 60_000 });
    const results = [groups.add(1), groups.add(2)];
    assert.equal(groups.due, false);
    results.push(groups.add(3));
    assert.equal(groups.due, true);
    assert.deepEqual(writer.groups, [], 'a group was written before the caller flushed it');
    await groups.flush();
    assert.deepEqual(await Promise.all(results), [2, 4, 6]);
    assert.deepEqual(writer.groups, [[1, 2, 3]]);
    assert.equal(groups.due, false);
  });

  it('is due once the first item of a group that is not full has waited its longest', async () => {
    const writer = recordingWriter();
    const groups = new GroupCommit(writer.write, { maxItems: 100, maxWaitMs: 40 });
    assert.equal(groups.due, false, 'an empty group is never due');
    const first = groups.add(1);
    await sleep(20);
    const second = groups.add(2);
    assert.equal(groups.due, false);
    await sleep(25);
    assert.equal(groups.due, true);
    await groups.flush();
    assert.deepEqual(await Promise.all([first, second]), [2, 4]);
    // The next group's wait starts at its own first item.
    const third = groups.add(3);
    assert.equal(groups.due, false);
    await groups.flush();
    assert.equal(await third, 6);
    assert.deepEqual(writer.groups, [[1, 2], [3]]);
  });

  it('a flush with no item waiting writes nothing', async () => {
    const writer = recordingWriter();
    const groups = new GroupCommit(writer.write, { maxItems: 2, maxWaitMs: 60_000 });
    await groups.flush();
    assert.deepEqual(writer.groups, []);
  });

  it('a failed write fails the items of its group only', async () => {
    const groups = new GroupCommit(
      async (items: number[]) => {
        if (items.includes(3)) throw new Error('disk full');
        return items;
      },
      { maxItems: 2, maxWaitMs: 60_000 },
    );
    const results: Array<Promise<number | string>> = [];
    for (const item of [1, 2, 3, 4, 5]) {
      results.push(groups.add(item).catch((error: Error) => error.message));
      if (groups.due) await groups.flush();
    }
    await groups.flush();
    assert.deepEqual(await Promise.all(results), [1, 2, 'disk full', 'disk full', 5]);
  });
});
