import assert from 'node:assert/strict';
import { FORBIDDEN, minCostAssignment } from '../../daemon/video/assignment';
import { seededRandom, type Random } from '../support/seededRandom';

/** The best (most allowed pairs, then least cost) over every way to give rows distinct columns or none: by enumeration. */
function bruteForce(cost: number[][]): { pairs: number; total: number } {
  const columns = cost[0]?.length ?? 0;
  let best = { pairs: 0, total: 0 };
  const used = new Array<boolean>(columns).fill(false);
  const visit = (row: number, pairs: number, total: number) => {
    if (row === cost.length) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.total - 1e-12)) best = { pairs, total };
      return;
    }
    visit(row + 1, pairs, total);
    for (let column = 0; column < columns; column++) {
      if (used[column] || cost[row]![column]! >= FORBIDDEN) continue;
      used[column] = true;
      visit(row + 1, pairs + 1, total + cost[row]![column]!);
      used[column] = false;
    }
  };
  visit(0, 0, 0);
  return best;
}

function randomMatrix(random: Random, rows: number, columns: number, forbiddenShare: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: columns }, () => (random.chance(forbiddenShare) ? FORBIDDEN : Math.round(random.next() * 300) / 100)));
}

describe('video tracker: assignment (Hungarian algorithm)', () => {
  it('finds the brute-force optimum on 2,000 random matrices up to 6 × 6, square or not, with forbidden pairs or without', () => {
    const random = seededRandom(20261130);
    for (let round = 0; round < 2000; round++) {
      const rows = 1 + random.below(6);
      const columns = 1 + random.below(6);
      const cost = randomMatrix(random, rows, columns, round % 2 === 0 ? 0 : 0.4);
      const assigned = minCostAssignment(cost);
      const context = `seed ${random.seed}, round ${round}: ${JSON.stringify(cost)} → ${JSON.stringify(assigned)}`;
      assert.equal(assigned.length, rows, context);
      const columnsUsed = assigned.filter((column) => column >= 0);
      assert.equal(new Set(columnsUsed).size, columnsUsed.length, `distinct columns, ${context}`);
      assert.ok(assigned.every((column, row) => column < 0 || cost[row]![column]! < FORBIDDEN), `no forbidden pair, ${context}`);
      const total = assigned.reduce((sum, column, row) => sum + (column >= 0 ? cost[row]![column]! : 0), 0);
      const best = bruteForce(cost);
      assert.equal(columnsUsed.length, best.pairs, `as many pairs as possible, ${context}`);
      assert.ok(Math.abs(total - best.total) < 1e-9, `least cost ${total} vs ${best.total}, ${context}`);
    }
  });

  it('prefers two allowed pairs to one cheaper pair, and leaves a row unassigned when only forbidden columns are left', () => {
    assert.deepEqual(minCostAssignment([[0.1, 0.2], [0.3, FORBIDDEN]]), [1, 0]);
    assert.deepEqual(minCostAssignment([[0.5], [FORBIDDEN]]), [0, -1]);
    assert.deepEqual(minCostAssignment([[FORBIDDEN, FORBIDDEN]]), [-1]);
    assert.deepEqual(minCostAssignment([]), []);
    assert.deepEqual(minCostAssignment([[], []]), [-1, -1]);
  });
});
