/** Progress lines on stderr: rewritten in place on a terminal, every 10% otherwise; with `--json` one NDJSON event each. */
import type { ProgressParams } from '../daemon/protocol';
import type { CliIO } from './io';

export function progressPrinter(io: CliIO, label: string): (progress: ProgressParams) => void {
  const { event } = io;
  if (event) return ({ done, total, file }) => event({ event: 'progress', task: label, done, total, ...(file ? { file } : {}) });
  let lastDecile = -1;
  return ({ done, total, file }) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    io.status(`${label} ${done}/${total} (${percent}%) ${file ?? ''}`);
    const decile = Math.floor(percent / 10);
    if (!process.stderr.isTTY && decile !== lastDecile && done > 0) {
      lastDecile = decile;
      io.stderr(`${label} ${done}/${total} (${percent}%)`);
    }
    if (done === total) io.status('');
  };
}
