/**
 * Backing up a vault (`veil backup`): N originals of 3 MB (default 1,000; bench/rotate.ts's fixture) encrypted to two
 * recipients, each named by a commit-image entry of the audit log as a commit leaves it. Three runs to one backup
 * folder: the first (every object copied and read back), a second with nothing changed, and a third after a real
 * commit of one more image. Each run's time, blobs and bytes written and reused; next to it, `cp -r` of the same vault
 * and `sync` (what a plain copy costs), and a restore of the last generation into an empty folder. Peak RSS is sampled
 * every 50 ms (objects are streamed 1 MiB at a time). Writes bench/results/backup.json and its table, backup.md.
 * Usage: node out/bench/backup.js [--objects N]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BackupCreateResult, ImageRecord } from '../daemon/protocol';
import { CancellationToken, type CallContext } from '../daemon/core/callContext';
import { appendAudit, appendAuditBatch } from '../daemon/audit/log';
import { boxesSha256, countBoxes, type AuditEvent } from '../daemon/audit/events';
import { commitDataset } from '../daemon/commit/commit';
import { OpenDatasets } from '../daemon/services/datasets';
import { DEFAULT_MAX_PIXELS } from '../daemon/image/decode';
import { readVaultIndex } from '../daemon/vault/vaultIndex';
import { veilPath } from '../daemon/dataset/layout';
import { createBackup } from '../daemon/backup/backup';
import { restoreBackup } from '../daemon/backup/restore';
import { ORIGINAL_BYTES, makeVault, newKey } from './lib/vaultFixture';
import { writeResults } from './lib/results';

const REPO = resolve(__dirname, '..', '..');
const ASTRONAUT = join(REPO, 'test', 'fixtures', 'astronaut.png');
const ACTOR = { osUser: 'bench', reviewer: 'bench' };
const NO_SHA = '0'.repeat(64);

function objectCount(): number {
  const index = process.argv.indexOf('--objects');
  return index > 0 ? Math.max(1, Number(process.argv[index + 1])) : 1000;
}

function context(): CallContext {
  return { token: new CancellationToken(), progress: () => undefined, actor: ACTOR, answered: Promise.resolve() };
}

/** The commit-image entry a commit writes for each object (the backup looks objects up by the ciphertext it records). */
async function recordCommits(root: string, objects: readonly string[]): Promise<void> {
  const index = await readVaultIndex(root);
  const counts = countBoxes([]);
  const events: AuditEvent[] = objects.map((id, i) => ({
    type: 'commit-image',
    commitId: 'bench',
    actor: ACTOR,
    file: `photo-${String(i).padStart(4, '0')}.jpg`,
    model: 'bench',
    threshold: 0.5,
    redaction: { mode: 'fill', margin: 0.25, shape: 'rect' },
    boxes: counts,
    redacted: 0,
    boxesSha256: boxesSha256([]),
    originalSha256: id,
    outputSha256: NO_SHA,
    vaultObject: id,
    vaultSha256: index.get(id)!.vaultSha256,
  }));
  await appendAuditBatch(root, events);
}

/** One reviewed image (the astronaut, its face accepted) and its review decision, ready for a real commit. */
async function reviewedImage(root: string): Promise<void> {
  const file = 'new-photo.png';
  writeFileSync(join(root, file), readFileSync(ASTRONAUT));
  const boxes = [{ id: 'b1', x: 175, y: 75, w: 95, h: 110, score: 0.9, source: 'model' as const, state: 'accepted' as const, edited: false }];
  const record: ImageRecord = { file, width: 512, height: 512, boxes, status: 'reviewed', detection: { model: 'bench', threshold: 0.5, thorough: false, at: new Date().toISOString() } };
  writeFileSync(veilPath(root, 'reviewSnapshot'), JSON.stringify({ version: 1, images: { [file]: record } }));
  await appendAudit(root, { type: 'review-change', actor: ACTOR, file, status: 'reviewed', boxes: countBoxes(boxes), boxesSha256: boxesSha256(boxes) });
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMiB: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = performance.now();
  try {
    const value = await work();
    return { value, seconds: (performance.now() - start) / 1000, peakRssMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

async function backupRun(name: string, root: string, destination: string) {
  const { value, seconds, peakRssMiB } = await timed(() => createBackup({ root, destination }, context()));
  const result: BackupCreateResult = value;
  if (result.cancelled || result.warnings.length > 0) throw new Error(`${name}: ${JSON.stringify(result.warnings)}`);
  return { name, seconds, peakRssMiB, generation: result.generation, written: result.written, reused: result.reused, vaultObjects: result.vaultObjects };
}

interface Run {
  name: string;
  seconds: number;
  peakRssMiB: number;
  written: { blobs: number; bytes: number };
  reused: { blobs: number; bytes: number };
}

/** The result as bench/results/backup.md holds it (and the console shows it). */
function markdownTable(result: {
  date: string;
  objects: number;
  setupSeconds: number;
  loadAverage: number[];
  rssBeforeMiB: number;
  plainCopySeconds: number;
  runs: Run[];
  restore: { seconds: number; bytes: number; peakRssMiB: number };
  firstToPlainCopy: number;
}): string {
  const rows = [
    ['`cp -r` of the vault + `sync` (reference)', result.plainCopySeconds.toFixed(1), megabytes(result.objects * ORIGINAL_BYTES), '–', '–'],
    ...result.runs.map((run) => [`veil backup: ${run.name}`, run.seconds.toFixed(2), `${run.written.blobs} (${megabytes(run.written.bytes)})`, `${run.reused.blobs} (${megabytes(run.reused.bytes)})`, run.peakRssMiB.toFixed(0)]),
    ['veil restore-backup of the last generation', result.restore.seconds.toFixed(1), megabytes(result.restore.bytes), '–', result.restore.peakRssMiB.toFixed(0)],
  ];
  return [
    `Backup of ${result.objects.toLocaleString('en')} originals of ${ORIGINAL_BYTES / 1e6} MB (random bytes, 2 recipients, each named by a commit-image entry) to one folder; 2 cores; ` +
      `${result.date.slice(0, 10)}, load ${result.loadAverage.join(' ')}; set up in ${result.setupSeconds.toFixed(0)} s; RSS before the runs ${result.rssBeforeMiB.toFixed(0)} MiB`,
    '',
    '| run | seconds | written (read back) | reused | peak RSS MiB |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `First run: ${result.firstToPlainCopy.toFixed(2)}× the plain copy (it also hashes each object as it reads it back, fsyncs each, and seals the state).`,
    '',
  ].join('\n');
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const count = objectCount();
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-backup-'));
  try {
    const root = join(work, 'dataset');
    mkdirSync(join(root, '.veil'), { recursive: true });
    const keys = join(work, 'keys');
    mkdirSync(keys);
    const [alice, bob] = [await newKey(keys, 'alice'), await newKey(keys, 'bob')];
    const setupStart = performance.now();
    const objects = await makeVault(root, count, [alice, bob]);
    await recordCommits(root, objects);
    await reviewedImage(root);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const rssBefore = process.memoryUsage().rss / 2 ** 20;

    const copyStart = performance.now();
    const copied = spawnSync('sh', ['-c', 'cp -r "$1" "$2" && sync', 'sh', veilPath(root, 'vault'), join(work, 'plain-copy')]);
    if (copied.status !== 0) throw new Error(`cp failed: ${copied.stderr}`);
    const copySeconds = (performance.now() - copyStart) / 1000;
    rmSync(join(work, 'plain-copy'), { recursive: true, force: true });

    const destination = join(work, 'backup');
    const first = await backupRun('first backup', root, destination);
    const unchanged = await backupRun('second, nothing changed', root, destination);
    const committed = await commitDataset({ root }, context(), { datasets: new OpenDatasets(), limits: { maxPixels: DEFAULT_MAX_PIXELS } });
    if (committed.committed.length !== 1) throw new Error(`the commit left ${JSON.stringify(committed.leftAsIs)}`);
    const afterCommit = await backupRun('third, after one commit', root, destination);
    const restored = await timed(() => restoreBackup({ backup: destination, root: join(work, 'restored'), identity: alice.identityFile }, context()));

    const result = {
      date: new Date().toISOString(),
      objects: count,
      originalBytes: ORIGINAL_BYTES,
      recipients: 2,
      setupSeconds,
      loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
      rssBeforeMiB: rssBefore,
      plainCopySeconds: copySeconds,
      runs: [first, unchanged, afterCommit],
      restore: { seconds: restored.seconds, bytes: restored.value.bytes, peakRssMiB: restored.peakRssMiB },
      firstToPlainCopy: first.seconds / copySeconds,
    };
    const table = markdownTable(result);
    console.log(table);
    console.log(`wrote ${writeResults('backup', result, table)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
