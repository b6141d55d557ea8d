// Runs every test suite with mocha and ends with the line CI reads: "N passed, N failed".
// Usage: node scripts/runTests.mjs [glob ...]   (default: every compiled test under out/test)
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = findTests('out/test').filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
const mocha = new Mocha({ timeout: 60_000, reporter: 'spec' });
for (const file of files) mocha.addFile(file);

let passed = 0;
let failed = 0;
let skipped = 0;
const runner = mocha.run((failures) => {
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failures > 0 || files.length === 0 ? 1 : 0;
});
runner.on('pass', () => passed++);
runner.on('fail', () => failed++);
runner.on('pending', () => skipped++);
