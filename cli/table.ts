/** Plain-text tables for terminal summaries: numbers right-aligned, text left-aligned. */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string[] {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const numeric = headers.map((_, col) => rows.length > 0 && rows.every((row) => typeof row[col] === 'number'));
  const line = (row: string[]) => row.map((cell, col) => (numeric[col] ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

/** Files listed in a summary (skipped, problems, shortfalls) before the rest are counted. */
const LISTED_FILES = 20;

/** `title`, then each file with its message, the first LISTED_FILES of them. Prints nothing for no files. */
export function printFileList(print: (line: string) => void, title: string, items: ReadonlyArray<{ file: string; message: string }>): void {
  if (items.length === 0) return;
  print(title);
  for (const item of items.slice(0, LISTED_FILES)) print(`  ${item.file}: ${item.message}`);
  if (items.length > LISTED_FILES) print(`  … and ${items.length - LISTED_FILES} more`);
}
