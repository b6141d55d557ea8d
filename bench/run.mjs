// `npm run bench`: runs every benchmark (each prints its table and writes bench/results/<name>.json).
// Usage: node bench/run.mjs [name ...]   e.g. `node bench/run.mjs detect` — extra flags after `--` go to each bench.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ALL = ['detect', 'coverageLevers', 'possibleFaces', 'commit', 'webview', 'reviewEdit', 'viewCounts', 'redactionStrength', 'rotate', 'backup', 'videoTracker', 'videoIo', 'openings', 'videoScrub', 'videoPipeline', 'videoDetectLevers', 'annotations', 'largeDataset', 'shards'];
const separator = process.argv.indexOf('--');
const names = (separator === -1 ? process.argv.slice(2) : process.argv.slice(2, separator)).filter(Boolean);
const extra = separator === -1 ? [] : process.argv.slice(separator + 1);
let failed = 0;
for (const name of names.length > 0 ? names : ALL) {
  const script = `out/bench/${name}.js`;
  if (!existsSync(script)) {
    console.error(`bench: ${script} does not exist (known: ${ALL.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(process.execPath, ['--expose-gc', script, ...extra], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
