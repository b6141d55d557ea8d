/**
 * Opening originals in a long audit log (README "Retention, purge and restore", "Access with a purpose"): a dataset of
 * 200 committed images (real commits of small JPEGs, one face box each, encrypted to one key) whose audit log holds
 * 10,000 entries (review decisions of an archive padding it out). In one process, as a daemon kept by the editor:
 * 50 `vault/open`s of committed images one after another, then one `vault/restore` of all 200. Each opening's time is
 * the median over its run (per image, from the restore's progress reports), next to a whole read of the log
 * (`auditedFiles`), which each opening used to make, and 20 openings as a one-shot process makes them (`veil open`: no
 * follower kept, the log read whole each time). Writes bench/results/openings.json and its table, openings.md
 * (`--label before` for a run of the code before the follower: openings-before.*).
 * Usage: node out/bench/openings.js [--images N] [--entries N] [--label before|after]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box, ImageRecord } from '../daemon/protocol';
import { CancellationToken, type CallContext } from '../daemon/core/callContext';
import { appendAuditBatch } from '../daemon/audit/log';
import { auditedFiles } from '../daemon/audit/committed';
import { boxesSha256, countBoxes, type AuditEvent } from '../daemon/audit/events';
import { auditCheckpoint } from '../daemon/audit/log';
import { commitDataset } from '../daemon/commit/commit';
import { OpenDatasets } from '../daemon/services/datasets';
import { openOriginalFile } from '../daemon/services/originals';
import { openOriginal } from '../daemon/vault/openOriginal';
import { loadIdentities } from '../daemon/vault/identity';
import { restoreOriginals } from '../daemon/services/restore';
import { DEFAULT_MAX_PIXELS } from '../daemon/image/decode';
import { veilPath } from '../daemon/dataset/layout';
import { newKey } from './lib/vaultFixture';
import { writeResults } from './lib/results';
import { addRecipient } from '../daemon/vault/recipients';

const ACTOR = { osUser: 'bench', reviewer: 'bench' };
const OPENINGS = 50;
const ONE_SHOT_OPENINGS = 20;
const PURPOSE = 'model-reevaluation';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Math.max(1, Number(process.argv[index + 1])) : fallback;
}

function label(): string {
  const index = process.argv.indexOf('--label');
  return index > 0 ? process.argv[index + 1]! : 'after';
}

function context(onProgress: CallContext['progress'] = () => undefined): CallContext {
  return { token: new CancellationToken(), progress: onProgress, actor: ACTOR, answered: Promise.resolve() };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function fileOf(i: number): string {
  return `photo-${String(i).padStart(4, '0')}.jpg`;
}

/** `count` distinct 96 px JPEGs, reviewed with one accepted face box each, their decisions in the log as a review leaves them. */
async function seedReviewed(root: string, count: number): Promise<void> {
  const box: Box = { id: 'b1', x: 24, y: 16, w: 40, h: 48, score: 0.9, source: 'model', state: 'accepted', edited: false };
  const images: Record<string, ImageRecord> = {};
  const events: AuditEvent[] = [];
  for (let i = 0; i < count; i++) {
    const file = fileOf(i);
    const background = { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 13 + 7) % 256 };
    const bytes = await sharp({ create: { width: 96, height: 96, channels: 3, background } }).jpeg({ quality: 90 }).toBuffer();
    writeFileSync(join(root, file), bytes);
    images[file] = { file, width: 96, height: 96, boxes: [box], status: 'reviewed', detection: { model: 'bench', threshold: 0.5, thorough: false, at: new Date(0).toISOString() } };
    events.push({ type: 'review-change', actor: ACTOR, file, status: 'reviewed', boxes: countBoxes([box]), boxesSha256: boxesSha256([box]) });
  }
  writeFileSync(veilPath(root, 'reviewSnapshot'), JSON.stringify({ version: 1, images }));
  await appendAuditBatch(root, events);
}

/** Review decisions of an archive of other images, until the log holds `entries`. */
async function padLog(root: string, entries: number): Promise<void> {
  const missing = entries - (await auditCheckpoint(root)).entries;
  const box: Box = { id: 'b1', x: 10, y: 10, w: 50, h: 60, score: 0.8, source: 'model', state: 'accepted', edited: false };
  for (let start = 0; start < missing; start += 1000) {
    const batch: AuditEvent[] = [];
    for (let i = start; i < Math.min(missing, start + 1000); i++) {
      batch.push({ type: 'review-change', actor: ACTOR, file: `archive/${String(i).padStart(5, '0')}.jpg`, status: 'reviewed', boxes: countBoxes([box]), boxesSha256: boxesSha256([box]) });
    }
    await appendAuditBatch(root, batch);
  }
}

function markdownTable(result: {
  label: string;
  date: string;
  images: number;
  entries: number;
  loadAverage: number[];
  wholeLogReadMs: number;
  openMs: { median: number; first: number; max: number };
  oneShotOpenMs: number;
  restore: { seconds: number; medianMsPerImage: number; firstMs: number };
}): string {
  return [
    `Openings of originals, ${result.label}: ${result.images} committed images, an audit log of ${result.entries.toLocaleString('en')} entries, one process (a daemon kept by the editor); 2 cores; ${result.date.slice(0, 10)}, load ${result.loadAverage.join(' ')}`,
    '',
    '| what | ms |',
    '|---|---|',
    `| a whole read of the log (\`auditedFiles\`, median of 5) | ${result.wholeLogReadMs.toFixed(1)} |`,
    `| \`vault/open\`, median of ${OPENINGS} (first; slowest) | ${result.openMs.median.toFixed(1)} (${result.openMs.first.toFixed(1)}; ${result.openMs.max.toFixed(1)}) |`,
    `| an opening without a follower (the log read whole: \`veil open\`, one process each), median of ${ONE_SHOT_OPENINGS} | ${result.oneShotOpenMs.toFixed(1)} |`,
    `| \`vault/restore\` of all ${result.images}: per image, median (first image) | ${result.restore.medianMsPerImage.toFixed(1)} (${result.restore.firstMs.toFixed(1)}) |`,
    `| \`vault/restore\` of all ${result.images}: whole call, s | ${result.restore.seconds.toFixed(2)} |`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const images = argument('images', 200);
  const entries = argument('entries', 10_000);
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-openings-'));
  try {
    const root = join(work, 'dataset');
    mkdirSync(join(root, '.veil'), { recursive: true });
    const key = await newKey(work, 'custodian');
    await addRecipient(root, key.recipient);
    await seedReviewed(root, images);
    await padLog(root, entries - images - 1);
    const committed = await commitDataset({ root }, context(), { datasets: new OpenDatasets(), limits: { maxPixels: DEFAULT_MAX_PIXELS } });
    if (committed.committed.length !== images) throw new Error(`the commit left ${JSON.stringify(committed.leftAsIs)}`);
    const logEntries = (await auditCheckpoint(root)).entries;

    const reads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      await auditedFiles(root);
      reads.push(performance.now() - start);
    }

    // One daemon's worth of state, kept across the calls as the editor's daemon keeps it.
    const datasets = new OpenDatasets();
    const outs = join(work, 'opened');
    mkdirSync(outs);
    const opens: number[] = [];
    for (let i = 0; i < OPENINGS; i++) {
      const start = performance.now();
      await openOriginalFile({ root, file: fileOf(i), identity: key.identityFile, out: join(outs, `${i}.jpg`), purpose: PURPOSE }, ACTOR, datasets);
      opens.push(performance.now() - start);
    }

    // The path of a process that keeps nothing between openings: no follower, so the log is read whole each time.
    const oneShot: number[] = [];
    for (let i = 0; i < ONE_SHOT_OPENINGS; i++) {
      const start = performance.now();
      await openOriginal({ root, file: fileOf(OPENINGS + i), purpose: PURPOSE, keys: () => loadIdentities(key.identityFile), out: join(outs, `one-shot-${i}.jpg`), actor: ACTOR });
      oneShot.push(performance.now() - start);
    }

    const marks: number[] = [];
    const restoreStart = performance.now();
    const restored = await restoreOriginals({ root, identity: key.identityFile, purpose: PURPOSE }, context(() => marks.push(performance.now())), { datasets });
    const restoreSeconds = (performance.now() - restoreStart) / 1000;
    if (restored.restored.length !== images || restored.failures.length > 0) throw new Error(`the restore left ${JSON.stringify(restored.failures.slice(0, 3))}`);
    // Progress is reported before each image and once at the end: the gaps are the images.
    const perImage = marks.slice(1).map((mark, i) => mark - marks[i]!);

    const result = {
      label: label(),
      date: new Date().toISOString(),
      images,
      entries: logEntries,
      loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
      wholeLogReadMs: median(reads),
      openMs: { median: median(opens), first: opens[0]!, max: Math.max(...opens) },
      oneShotOpenMs: median(oneShot),
      restore: { seconds: restoreSeconds, medianMsPerImage: median(perImage), firstMs: perImage[0]! },
    };
    const table = markdownTable(result);
    console.log(table);
    const name = result.label === 'after' ? 'openings' : `openings-${result.label}`;
    console.log(`wrote ${writeResults(name, result, table)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
