/**
 * Optimal assignment (the Hungarian algorithm, in its O(n²·m) shortest-augmenting-path form with row and column
 * potentials): which detection each track takes at a frame so that the total cost is least. A few dozen faces per
 * frame make this microseconds (bench/videoTracker.ts), so no approximation (greedy matching) is needed.
 */

/** A pair that must never be made (outside the gate): a cost no sum of allowed pairs reaches. */
export const FORBIDDEN = 1e9;

/**
 * For each row of `cost` (rows × columns, finite numbers), the column it is assigned to, or -1. The assignment
 * first makes as many allowed pairs (cost < FORBIDDEN) as it can, then the least total cost among those; a row is
 * left unassigned when only forbidden columns (or none) are left for it.
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const columns = rows === 0 ? 0 : cost[0]!.length;
  if (rows === 0 || columns === 0) return new Array<number>(rows).fill(-1);
  if (rows > columns) {
    // The algorithm needs rows ≤ columns: solve the transpose and read it back.
    const transposed = Array.from({ length: columns }, (_, column) => cost.map((row) => row[column]!));
    const byColumn = solve(transposed);
    const byRow = new Array<number>(rows).fill(-1);
    byColumn.forEach((row, column) => {
      if (row >= 0) byRow[row] = column;
    });
    return byRow.map((column, row) => (column >= 0 && cost[row]![column]! < FORBIDDEN ? column : -1));
  }
  return solve(cost).map((column, row) => (cost[row]![column]! < FORBIDDEN ? column : -1));
}

/** rows ≤ columns: every row gets a column (forbidden ones included; the caller drops those). */
function solve(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const columns = cost[0]!.length;
  // 1-based as in the textbook form: index 0 is the virtual column a new row starts from.
  const rowPotential = new Float64Array(rows + 1);
  const columnPotential = new Float64Array(columns + 1);
  const rowOfColumn = new Int32Array(columns + 1);
  const previousColumn = new Int32Array(columns + 1);
  const slack = new Float64Array(columns + 1);
  const visited = new Uint8Array(columns + 1);
  for (let row = 1; row <= rows; row++) {
    rowOfColumn[0] = row;
    let column = 0;
    slack.fill(Infinity);
    visited.fill(0);
    do {
      visited[column] = 1;
      const fromRow = rowOfColumn[column]!;
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= columns; j++) {
        if (visited[j]) continue;
        const reduced = cost[fromRow - 1]![j - 1]! - rowPotential[fromRow]! - columnPotential[j]!;
        if (reduced < slack[j]!) {
          slack[j] = reduced;
          previousColumn[j] = column;
        }
        if (slack[j]! < delta) {
          delta = slack[j]!;
          next = j;
        }
      }
      for (let j = 0; j <= columns; j++) {
        if (visited[j]) {
          rowPotential[rowOfColumn[j]!] += delta;
          columnPotential[j] -= delta;
        } else slack[j] -= delta;
      }
      column = next;
    } while (rowOfColumn[column] !== 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const before = previousColumn[column]!;
      rowOfColumn[column] = rowOfColumn[before]!;
      column = before;
    } while (column !== 0);
  }
  const columnOfRow = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= columns; j++) if (rowOfColumn[j]! > 0) columnOfRow[rowOfColumn[j]! - 1] = j - 1;
  return columnOfRow;
}
