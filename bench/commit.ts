/**
 * Commit throughput on 12 MP JPEGs, next to the raw cost of a sharp decode + encode of the same images in the
 * same run (the bar: commit <= 1.5x raw), split into phases; and the audit append cost at 10 and 100k entries.
 * Writes bench/results/commit.json.   Usage: node out/bench/commit.js [--images N]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { REDACTION_MODES, type ImageRecord, type RedactionMode } from '../daemon/protocol';
import { commitDataset, defaultImagesInFlight } from '../daemon/commit/commit';
import { PhaseTimes, type Phase } from '../daemon/core/phaseTimes';
import { appendAudit, auditPath } from '../daemon/audit/log';
import { EMPTY_CHECKPOINT, checkpointAfter, formatEntry } from '../daemon/audit/chain';
import { boxesSha256, countBoxes } from '../daemon/audit/events';
import { DEFAULT_MAX_PIXELS, displayedPipeline } from '../daemon/image/decode';
import { encodeAs } from '../daemon/redact/encode';
import { OpenDatasets } from '../daemon/services/datasets';
import { CancellationToken } from '../daemon/core/callContext';
import { createIdentity } from '../daemon/vault/identity';
import { addRecipient } from '../daemon/vault/recipients';

const REPO = resolve(__dirname, '..', '..');
const ASTRONAUT = join(REPO, 'test', 'fixtures', 'astronaut.png');
const WIDTH = 4000;
const HEIGHT = 3000;
const LIMITS = { maxPixels: DEFAULT_MAX_PIXELS };
const ACTOR = { osUser: 'bench', reviewer: 'bench' };
const PHASES: Phase[] = ['read', 'decode', 'render', 'encode', 'verify', 'encrypt', 'fsync'];
const ROUNDS = 3;

function imageCount(): number {
  const index = process.argv.indexOf('--images');
  return index > 0 ? Math.max(1, Number(process.argv[index + 1])) : 12;
}

/** 12 MP photo-like JPEGs: the astronaut upscaled with grain (so they compress like photos, ~3-4 MB each). */
async function makeJpegs(count: number): Promise<Buffer[]> {
  const base = await sharp(ASTRONAUT).resize(WIDTH, HEIGHT, { fit: 'fill' }).raw().toBuffer();
  const jpegs: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const grain = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 18 } } }).png().toBuffer();
    jpegs.push(await sharp(base, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).composite([{ input: grain, blend: 'soft-light' }]).jpeg({ quality: 92 }).toBuffer());
  }
  return jpegs;
}

/** The astronaut's face and two more boxes, in 4000x3000 pixels. */
function boxes() {
  const sx = WIDTH / 512;
  const sy = HEIGHT / 512;
  const rects = [
    { x: 175 * sx, y: 75 * sy, w: 95 * sx, h: 110 * sy },
    { x: 2800, y: 400, w: 300, h: 360 },
    { x: 600, y: 1800, w: 150, h: 180 },
  ];
  return rects.map((r, i) => ({ id: `b${i}`, ...r, score: 0.9, source: 'model' as const, state: 'accepted' as const, edited: false }));
}

interface RawCost {
  decode: number;
  encode: number;
  total: number;
}

async function rawOne(jpeg: Buffer): Promise<{ decode: number; encode: number }> {
  const t0 = performance.now();
  const { data, info } = await displayedPipeline(jpeg, LIMITS).raw().toBuffer({ resolveWithObject: true });
  const t1 = performance.now();
  await encodeAs(data, info.width, info.height, 'jpeg');
  return { decode: t1 - t0, encode: performance.now() - t1 };
}

/** sharp decode + encode of every image, `inFlight` at a time; ms per image of wall time (split: per image, summed). */
async function rawMsPerImage(jpegs: Buffer[], inFlight: number): Promise<RawCost> {
  let decode = 0;
  let encode = 0;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < jpegs.length) {
      const cost = await rawOne(jpegs[next++]);
      decode += cost.decode;
      encode += cost.encode;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { decode: decode / jpegs.length, encode: encode / jpegs.length, total: (performance.now() - start) / jpegs.length };
}

async function commitRun(jpegs: Buffer[], mode: RedactionMode, imagesInFlight?: number) {
  const root = mkdtempSync(join(tmpdir(), 'veil-bench-commit-'));
  try {
    const images: Record<string, ImageRecord> = {};
    jpegs.forEach((jpeg, i) => {
      const file = `photo-${i}.jpg`;
      writeFileSync(join(root, file), jpeg);
      images[file] = { file, width: WIDTH, height: HEIGHT, boxes: boxes(), status: 'reviewed', detection: { model: 'bench', threshold: 0.5, thorough: false, at: new Date().toISOString() } };
    });
    mkdirSync(join(root, '.veil'));
    writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 1, images }));
    // The review decision each reviewed image's edit wrote (a commit refuses boxes that differ from it).
    for (const { file, status, boxes: decided } of Object.values(images)) {
      await appendAudit(root, { type: 'review-change', actor: ACTOR, file, status, boxes: countBoxes(decided), boxesSha256: boxesSha256(decided) });
    }
    await addRecipient(root, (await createIdentity()).recipient);
    const times = new PhaseTimes();
    const ctx = { token: new CancellationToken(), progress: () => undefined, actor: ACTOR, answered: Promise.resolve() };
    const start = performance.now();
    const result = await commitDataset({ root, mode }, ctx, { datasets: new OpenDatasets(), limits: LIMITS, times, imagesInFlight });
    const wall = performance.now() - start;
    if (result.committed.length !== jpegs.length) throw new Error(`committed ${result.committed.length} of ${jpegs.length}: ${JSON.stringify(result.failures)}`);
    const phases = Object.fromEntries(PHASES.map((phase) => [phase, times.ms[phase] / jpegs.length])) as Record<Phase, number>;
    return { mode, imagesInFlight: imagesInFlight ?? defaultImagesInFlight(), msPerImage: wall / jpegs.length, imagesPerSecond: (jpegs.length * 1000) / wall, phases };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function auditAppendMs(entries: number, appends: number): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'veil-bench-audit-'));
  try {
    const lines: string[] = [];
    let checkpoint = EMPTY_CHECKPOINT;
    for (let i = 0; i < entries; i++) {
      const line = formatEntry(checkpoint, { type: 'detect-run', actor: ACTOR, model: 'bench', threshold: 0.5, thorough: false, images: i, faces: 0 }, new Date());
      lines.push(line);
      checkpoint = checkpointAfter(i, line);
    }
    mkdirSync(dirname(auditPath(root)), { recursive: true });
    writeFileSync(auditPath(root), lines.join('\n') + '\n');
    const event = { type: 'detect-run' as const, actor: ACTOR, model: 'bench', threshold: 0.5, thorough: false, images: 1, faces: 1 };
    for (let i = 0; i < 5; i++) await appendAudit(root, event); // flushes the freshly written file
    const batches: number[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const start = performance.now();
      for (let i = 0; i < appends / 5; i++) await appendAudit(root, event);
      batches.push((performance.now() - start) / (appends / 5));
    }
    return batches.sort((a, b) => a - b)[2];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

type CommitRun = Awaited<ReturnType<typeof commitRun>>;

/** A commit and the raw sharp cost of the same images measured just before it, with as many in flight. */
interface Pair {
  raw: RawCost;
  commit: CommitRun;
  ratio: number;
}

async function measurePair(jpegs: Buffer[], mode: RedactionMode, inFlight: number): Promise<Pair> {
  const raw = await rawMsPerImage(jpegs, inFlight);
  const commit = await commitRun(jpegs, mode, inFlight);
  return { raw, commit, ratio: commit.msPerImage / raw.total };
}

function median(pairs: Pair[]): Pair {
  return [...pairs].sort((a, b) => a.ratio - b.ratio)[Math.floor(pairs.length / 2)];
}

async function main(): Promise<void> {
  const count = imageCount();
  const jpegs = await makeJpegs(count);
  const megabytes = jpegs.reduce((sum, jpeg) => sum + jpeg.length, 0) / jpegs.length / 1e6;
  await rawMsPerImage(jpegs.slice(0, 1), 1); // warm up libvips
  // The machine is shared: pair each commit with a raw run just before it, repeat, keep the median pair.
  const inFlight = defaultImagesInFlight();
  const rounds: Record<'sequential' | 'concurrent', Pair[]> = { sequential: [], concurrent: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.sequential.push(await measurePair(jpegs, 'fill', 1));
    rounds.concurrent.push(await measurePair(jpegs, 'fill', inFlight));
  }
  const fill = { sequential: median(rounds.sequential), concurrent: median(rounds.concurrent) };
  const others = [];
  for (const mode of REDACTION_MODES.filter((m) => m !== 'fill')) others.push(await measurePair(jpegs, mode, inFlight));
  const audit = { at10: await auditAppendMs(10, 200), at100k: await auditAppendMs(100_000, 200) };

  console.log(`${count} JPEGs of ${WIDTH}x${HEIGHT} (12 MP, ${megabytes.toFixed(1)} MB each), 3 boxes each, 2 cores; fill: median of ${ROUNDS} paired rounds`);
  const header = ['mode', 'in flight', 'raw ms/img', 'commit ms/img', 'images/s', 'x raw', ...PHASES];
  const rows = [fill.sequential, fill.concurrent, ...others].map(({ raw, commit, ratio }) => [
    commit.mode,
    String(commit.imagesInFlight),
    raw.total.toFixed(0),
    commit.msPerImage.toFixed(0),
    commit.imagesPerSecond.toFixed(2),
    ratio.toFixed(2),
    ...PHASES.map((p) => commit.phases[p].toFixed(0)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '));
  const rawOne = fill.sequential.raw;
  console.log(`raw = sharp decode + JPEG q90 encode of the same images (1 in flight: decode ${rawOne.decode.toFixed(0)} + encode ${rawOne.encode.toFixed(0)} ms/image)`);
  console.log('phases: ms/image inside each phase. read = file read; decode/encode = sharp; render = painting the boxes;');
  console.log('verify = decoding the output and comparing regions; encrypt = sha256 + age encryption + vault write with fsync');
  console.log('(overlaps the image pipeline); fsync = output temp write + fsync + rename. With several in flight phases overlap in time.');
  console.log(`\naudit append (fsync'd, median of 5 batches of 40): ${audit.at10.toFixed(3)} ms at 10 entries, ${audit.at100k.toFixed(3)} ms at 100k entries`);
  const pass = fill.concurrent.ratio <= 1.5 && fill.sequential.ratio <= 1.5;
  console.log(`bar: commit (fill) <= 1.5x raw: ${fill.concurrent.ratio.toFixed(2)}x with ${inFlight} in flight (the default here), ${fill.sequential.ratio.toFixed(2)}x one at a time: ${pass ? 'PASS' : 'FAIL'}`);

  const out = join(REPO, 'bench', 'results', 'commit.json');
  mkdirSync(dirname(out), { recursive: true });
  const result = { date: new Date().toISOString(), images: count, width: WIDTH, height: HEIGHT, megabytesPerImage: megabytes, fill, rounds, others, audit, bar: { concurrent: fill.concurrent.ratio, imagesInFlight: inFlight, sequential: fill.sequential.ratio, pass } };
  writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
  console.log(`wrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
