import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { appendAudit, auditCheckpoint, auditPath } from '../../../daemon/audit/log';
import { EMPTY_CHECKPOINT, checkpointAfter, formatEntry, lineHash } from '../../../daemon/audit/chain';
import { verifyAuditLog } from '../../../daemon/audit/verifyLog';
import type { AuditEvent } from '../../../daemon/audit/events';
import { tempDir } from '../../support/images';
import { TEST_ACTOR } from '../../support/commitFixtures';

const detectRun = (images: number): AuditEvent => ({ type: 'detect-run', actor: TEST_ACTOR, model: 'm', threshold: 0.5, thorough: false, images, faces: 1 });

/** Writes `count` chained entries straight to the file (fast setup for size tests). */
function writeChainedLog(root: string, count: number, firstImages = 0): void {
  const lines: string[] = [];
  let checkpoint = EMPTY_CHECKPOINT;
  for (let i = 0; i < count; i++) {
    const line = formatEntry(checkpoint, detectRun(firstImages + i), new Date());
    lines.push(line);
    checkpoint = checkpointAfter(i, line);
  }
  mkdirSync(dirname(auditPath(root)), { recursive: true });
  writeFileSync(auditPath(root), lines.join('\n') + '\n');
}

async function msPerAppend(root: string, appends: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < appends; i++) await appendAudit(root, detectRun(i));
  return (performance.now() - start) / appends;
}

describe('audit log', () => {
  it('chains every line to the sha256 of the line before it', async () => {
    const root = tempDir();
    for (let i = 0; i < 5; i++) await appendAudit(root, detectRun(i));
    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 5);
    assert.equal(JSON.parse(lines[0]).prev, '0'.repeat(64));
    for (let i = 1; i < lines.length; i++) assert.equal(JSON.parse(lines[i]).prev, lineHash(lines[i - 1]));
    assert.deepEqual(await auditCheckpoint(root), { entries: 5, head: lineHash(lines[4]) });
    const report = await verifyAuditLog(root);
    assert.deepEqual(report.findings, []);
    assert.equal(report.entries.length, 5);
  });

  it('keeps the order of concurrent appends from one process', async () => {
    const root = tempDir();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(root, detectRun(i))));
    const report = await verifyAuditLog(root);
    assert.deepEqual(report.findings, []);
    assert.equal(report.checkpoint.entries, 20);
  });

  it('never forks the chain when two processes append at the same time', async function () {
    this.timeout(60_000);
    const root = tempDir();
    const worker = join(__dirname, 'append.worker.js');
    const run = (tag: string) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, [worker, root, '150', tag], { stdio: 'inherit' }).on('exit', resolve));
    assert.deepEqual(await Promise.all([run('one'), run('two')]), [0, 0]);
    const report = await verifyAuditLog(root);
    assert.deepEqual(report.findings, []);
    assert.equal(report.checkpoint.entries, 300);
    const writers = new Set(report.entries.map((entry) => (entry.type === 'detect-run' ? entry.model : '')));
    assert.deepEqual([...writers].sort(), ['one', 'two']);
  });

  it('reports one flipped byte in any line', async () => {
    const root = tempDir();
    for (let i = 0; i < 6; i++) await appendAudit(root, detectRun(i));
    const bytes = readFileSync(auditPath(root));
    const secondLine = bytes.indexOf('\n') + 1;
    const target = bytes.indexOf('"model":"m"', secondLine) + 9;
    bytes[target] ^= 0x01;
    writeFileSync(auditPath(root), bytes);
    const { findings } = await verifyAuditLog(root);
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.match(findings[0].message, /line 3: does not chain/);
  });

  it('misses a cut tail by the chain alone but catches it against a checkpoint', async () => {
    const root = tempDir();
    for (let i = 0; i < 8; i++) await appendAudit(root, detectRun(i));
    const checkpoint = await auditCheckpoint(root);
    const lines = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n');
    writeFileSync(auditPath(root), lines.slice(0, 5).join('\n') + '\n');
    assert.deepEqual((await verifyAuditLog(root)).findings, []);
    const { findings } = await verifyAuditLog(root, checkpoint);
    assert.equal(findings[0].kind, 'audit-checkpoint');
    assert.match(findings[0].message, /5 entries but the checkpoint says 8: its tail was cut/);
  });

  it('catches history rewritten before a checkpoint even when the log grew since', async () => {
    const root = tempDir();
    writeChainedLog(root, 4);
    const checkpoint = await auditCheckpoint(root);
    writeChainedLog(root, 6, 100); // a different history, consistent in itself
    const { findings } = await verifyAuditLog(root, checkpoint);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /history before the checkpoint was rewritten/);
  });

  it('cuts a torn last line off before appending and records the repair', async () => {
    const root = tempDir();
    for (let i = 0; i < 3; i++) await appendAudit(root, detectRun(i));
    appendFileSync(auditPath(root), '{"seq":3,"prev":"ab');
    assert.match((await verifyAuditLog(root)).findings.map((f) => f.message).join(), /incomplete/);
    await appendAudit(root, detectRun(3));
    const report = await verifyAuditLog(root);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.entries.map((entry) => entry.type), ['detect-run', 'detect-run', 'detect-run', 'audit-repair', 'detect-run']);
  });

  it('costs the same per append at 100k entries as at 10', async function () {
    this.timeout(120_000);
    const small = tempDir();
    const large = tempDir();
    writeChainedLog(small, 10);
    writeChainedLog(large, 100_000);
    await msPerAppend(small, 5); // warm up, and flush the freshly written files
    await msPerAppend(large, 5);
    const atTen = await msPerAppend(small, 40);
    const atHundredK = await msPerAppend(large, 40);
    console.log(`      append: ${atTen.toFixed(3)} ms at 10 entries, ${atHundredK.toFixed(3)} ms at 100k`);
    assert.ok(atHundredK < atTen * 3 + 1, `${atHundredK} ms at 100k vs ${atTen} ms at 10`);
    assert.deepEqual((await verifyAuditLog(large)).findings, []);
  });
});
