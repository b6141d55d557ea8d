/**
 * Annotations out and in at 10,000 images with 3 boxes each (README "Annotations in and out"), through the real daemon
 * over stdio as the CLI and the editor call it. The dataset is fabricated: empty image files (an export reads only the
 * review state; an import takes each image's size from its review record, so nothing is decoded) under 20 folders, a
 * review state of three model proposals per image. Each format is exported from it, then imported into a copy whose
 * records hold no box yet (every box is added: the whole check, merge, audit append and review write).
 *
 * Usage: node out/bench/annotations.js [--rounds N] [--images N]   → table + bench/results/annotations.json and .md
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DaemonClient } from '../client/daemonClient';
import { ANNOTATION_FORMATS, type AnnotationFormat, type Box, type ImageRecord } from '../daemon/protocol';

const REPO = resolve(__dirname, '..', '..');
const DAEMON = join(REPO, 'dist', 'daemon.js');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

function boxes(i: number): Box[] {
  return [0, 1, 2].map((j) => ({ id: `m-${i}-${j}`, x: 100.25 + j * 1200, y: 80.5 + (i % 7), w: 96.75, h: 120.125, score: 0.6 + j / 10, source: 'model', state: 'proposed', edited: false }));
}

/** A dataset of `images` empty files whose review records hold three proposals each (`withBoxes`) or none. */
function fabricate(root: string, images: number, withBoxes: boolean): void {
  const records: Record<string, ImageRecord> = {};
  for (let i = 0; i < images; i++) {
    const file = `camera-${String(i % 20).padStart(2, '0')}/img-${String(i).padStart(6, '0')}.jpg`;
    if (i < 20) mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
    const detection = { model: 'yunet', threshold: 0.5, thorough: false, at: '2026-11-30T00:00:00.000Z' };
    records[file] = { file, width: 4000, height: 3000, boxes: withBoxes ? boxes(i) : [], status: 'unreviewed', detection, revision: 0 };
  }
  mkdirSync(join(root, '.veil'), { recursive: true });
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: 0, images: records }));
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

function sizeOf(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    const file = statSync(join(path, name));
    if (file.isFile()) total += file.size;
  }
  return total;
}

async function main(): Promise<void> {
  const images = option('--images', 10_000);
  const rounds = option('--rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'veil-bench-annotations-'));
  const client = DaemonClient.spawn({ daemonPath: DAEMON, env: { VEIL_HOME: mkdtempSync(join(tmpdir(), 'veil-bench-home-')) } });
  try {
    await client.request('initialize', { clientName: 'bench' });
    const source = join(work, 'source');
    const empty = join(work, 'empty');
    fabricate(source, images, true);
    fabricate(empty, images, false);
    const rows: Array<{ format: AnnotationFormat; exportMs: number[]; importMs: number[]; outputMB: number; boxes: number }> = [];
    for (const format of ANNOTATION_FORMATS) {
      const row = { format, exportMs: [] as number[], importMs: [] as number[], outputMB: 0, boxes: 0 };
      for (let k = 0; k < rounds; k++) {
        const out = join(work, `export-${format}-${k}`);
        const exported = await timed(() => client.request('annotations/export', { root: source, format, out }));
        row.exportMs.push(exported.ms);
        row.outputMB = sizeOf(out) / 2 ** 20;
        const target = join(work, `import-${format}-${k}`);
        cpSync(empty, target, { recursive: true });
        const imported = await timed(() => client.request('annotations/import', { root: target, format, file: out }));
        if (!imported.result.imported || imported.result.boxes !== images * 3) throw new Error(`${format}: imported ${JSON.stringify({ ...imported.result, problems: imported.result.problems.slice(0, 3) })}`);
        row.importMs.push(imported.ms);
        row.boxes = imported.result.boxes;
        // Kept until the end: removing 10,000 files here made the next round's YOLO and VOC exports 3.6–4.0 s instead of
        // 0.3–0.5 (ext4 without a journal skips each inode freed in the last minutes: README "Large datasets").
      }
      rows.push(row);
      console.log(`${format}: export ${round(median(row.exportMs))} ms, import ${round(median(row.importMs))} ms`);
    }
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map((n) => Math.round(n * 100) / 100) },
      images,
      boxesPerImage: 3,
      rounds,
      formats: rows.map((row) => ({ format: row.format, exportMs: { median: round(median(row.exportMs)), samples: row.exportMs.map(round) }, importMs: { median: round(median(row.importMs)), samples: row.importMs.map(round) }, outputMB: Math.round(row.outputMB * 100) / 100, boxesImported: row.boxes })),
    };
    const table = [
      `Annotations out and in, ${images.toLocaleString('en-US')} images × 3 boxes, real daemon over stdio (ms: median (min–max) of ${rounds}; ${result.date.slice(0, 10)}, ${result.machine.cpus} cores, load ${result.machine.loadAverage.join(' ')})`,
      '',
      '| format | export | import (all-or-nothing check, merge, audit, write) | output |',
      '|---|---|---|---|',
      ...rows.map((row) => `| ${row.format} | ${round(median(row.exportMs))} (${round(Math.min(...row.exportMs))}–${round(Math.max(...row.exportMs))}) | ${round(median(row.importMs))} (${round(Math.min(...row.importMs))}–${round(Math.max(...row.importMs))}) | ${(Math.round(row.outputMB * 100) / 100).toFixed(2)} MB |`),
    ].join('\n');
    console.log(table);
    const out = join(REPO, 'bench', 'results', 'annotations');
    writeFileSync(`${out}.json`, JSON.stringify(result, null, 1) + '\n');
    writeFileSync(`${out}.md`, table + '\n');
    console.log(`wrote ${out}.json and .md`);
  } finally {
    await client.close();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
