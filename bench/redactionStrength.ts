/**
 * Redaction strength: every labelled face of ../shared/data/faces (wider-dev, widerfull, selfpics) redacted as a
 * commit redacts it (margin 0.25, rectangle: rendered, encoded in the image's format, decoded again), then YuNet run
 * over the result at a low threshold (0.3), at its native scale and `--thorough`. A face it finds whose centre lies
 * in a redacted region is one the redaction did not hide from it: counted once per redacted face (the labelled face
 * nearest that centre), by the labelled face's height. `none` (nothing redacted) says how many YuNet finds at all;
 * `fill` is the control; `flat` paints each region with its own mean colour, the strongest a mosaic or a blur can
 * be short of a fill (what is still found there is found from the bare head and body around the region). The last
 * column counts the face-inside-redaction findings `verify --redetect` (YuNet, default threshold) would report.
 *
 *   node out/bench/redactionStrength.js [--out NAME]     writes bench/results/NAME.json (default redactionStrength)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REDACTION_MODES, type Face, type Rect } from '../daemon/protocol';
import { ModelRegistry } from '../daemon/models/registry';
import type { Detector } from '../daemon/detection/detector';
import { decodeDisplayed, DEFAULT_MAX_PIXELS, type DisplayedImage } from '../daemon/image/decode';
import { encodeAs } from '../daemon/redact/encode';
import { redactionRegion, type FaceRegion } from '../daemon/redact/geometry';
import { renderRedacted } from '../daemon/redact/render';
import { redetectFinding } from '../daemon/verify/redetectFinding';
import { decodeSetImage, FACE_SETS, groundTruthImages } from './lib/faceSets';

const REPO = resolve(__dirname, '..', '..');
const SHARED = process.env.VEIL_SHARED_DIR ?? resolve(REPO, '..', 'shared');
const FACES = join(SHARED, 'data', 'faces');
const LIMITS = { maxPixels: DEFAULT_MAX_PIXELS };
const MARGIN = 0.25;
const LOW_THRESHOLD = 0.3;
const BANDS = ['<16', '16-32', '32-96', '>=96'] as const;
type Band = (typeof BANDS)[number];
const VARIANTS = ['none', ...REDACTION_MODES, 'flat'] as const;
type Variant = (typeof VARIANTS)[number];
const PASSES = ['native', 'thorough'] as const;
type Pass = (typeof PASSES)[number];

function bandOf(height: number): Band {
  return height < 16 ? '<16' : height < 32 ? '16-32' : height < 96 ? '32-96' : '>=96';
}

interface BandCount {
  /** Redacted faces with a detection (score >= 0.3) centred in their region. */
  found: number;
  /** …of which the best scores at least the detector's default threshold (0.5). */
  foundAtDefault: number;
  maxScore: number;
}
type PassCounts = Record<Band, BandCount>;
interface VariantResult {
  passes: Record<Pass, PassCounts>;
  /** face-inside-redaction findings of `verify --redetect` with YuNet at its default threshold. */
  verifyFindings: number;
}

const emptyCounts = (): PassCounts => Object.fromEntries(BANDS.map((band) => [band, { found: 0, foundAtDefault: 0, maxScore: 0 }])) as PassCounts;

/** The image as a commit would write it: the faces' regions redacted, encoded in its format, decoded again. */
async function committed(source: DisplayedImage, regions: readonly FaceRegion[], variant: Variant): Promise<DisplayedImage> {
  if (variant === 'none') return source;
  const image = { ...source, rgb: Buffer.from(source.rgb) };
  // flat: a pixelation whose face is far larger than its region, so one cell covers the whole region.
  if (variant === 'flat') renderRedacted(image, regions.map((region) => ({ ...region, faceSize: Number.MAX_SAFE_INTEGER })), { mode: 'pixelate', shape: 'rect' });
  else renderRedacted(image, regions, { mode: variant, shape: 'rect' });
  return decodeDisplayed(await encodeAs(image.rgb, image.width, image.height, image.format), 'redacted', LIMITS);
}

/** The best score among `detections` centred in each face's region (the nearest face's, when regions overlap); 0 for none. */
function bestScorePerFace(detections: readonly Face[], faces: readonly Rect[], regions: readonly FaceRegion[]): number[] {
  const best = faces.map(() => 0);
  for (const detection of detections) {
    const cx = detection.x + detection.w / 2;
    const cy = detection.y + detection.h / 2;
    let nearest = -1;
    let distance = Infinity;
    regions.forEach((r, i) => {
      if (cx < r.x || cx > r.x + r.w || cy < r.y || cy > r.y + r.h) return;
      const face = faces[i]!;
      const d = Math.hypot(face.x + face.w / 2 - cx, face.y + face.h / 2 - cy);
      if (d < distance) [nearest, distance] = [i, d];
    });
    if (nearest >= 0) best[nearest] = Math.max(best[nearest]!, detection.score);
  }
  return best;
}

function tally(counts: PassCounts, faces: readonly Rect[], best: readonly number[], defaultThreshold: number): void {
  best.forEach((score, i) => {
    if (score === 0) return;
    const count = counts[bandOf(faces[i]!.h)];
    count.found++;
    if (score >= defaultThreshold) count.foundAtDefault++;
    count.maxScore = Math.max(count.maxScore, Math.round(score * 100) / 100);
  });
}

async function measure(yunet: Detector) {
  const faceCounts = Object.fromEntries(BANDS.map((band) => [band, 0])) as Record<Band, number>;
  const results = Object.fromEntries(VARIANTS.map((v) => [v, { passes: { native: emptyCounts(), thorough: emptyCounts() }, verifyFindings: 0 }])) as Record<Variant, VariantResult>;
  let images = 0;
  for (const set of FACE_SETS) {
    for (const labelled of await groundTruthImages(FACES, set)) {
      images++;
      const source = await decodeSetImage(FACES, labelled.file);
      const faces = labelled.faces.filter((face) => face.w > 0 && face.h > 0);
      for (const face of faces) faceCounts[bandOf(face.h)]++;
      const regions = faces.map((face) => redactionRegion(face, MARGIN, source.width, source.height));
      for (const variant of VARIANTS) {
        const image = await committed(source, regions, variant);
        for (const pass of PASSES) {
          const detections = await yunet.detect(image, { threshold: LOW_THRESHOLD, thorough: pass === 'thorough' });
          tally(results[variant].passes[pass], faces, bestScorePerFace(detections, faces, regions), yunet.defaultThreshold);
          if (pass === 'native' && variant !== 'none') {
            const mode = variant === 'flat' ? 'pixelate' : variant;
            const verified = detections.filter((face) => face.score >= yunet.defaultThreshold).map((face) => redetectFinding(labelled.file, 'yunet', face, regions, mode));
            results[variant].verifyFindings += verified.filter((finding) => finding.kind === 'face-inside-redaction').length;
          }
        }
      }
    }
  }
  return { images, faceCounts, results };
}

function print({ images, faceCounts, results }: Awaited<ReturnType<typeof measure>>): void {
  console.log(`${images} images (${FACE_SETS.join(', ')}), every labelled face redacted (margin ${MARGIN}, rect); YuNet at ${LOW_THRESHOLD}`);
  console.log(`cells: redacted faces with a detection centred in their region (of them scoring >= 0.5), highest score`);
  const header = ['variant', 'pass', ...BANDS.map((band) => `${band} px (${faceCounts[band]} faces)`), 'verify findings'];
  const rows = VARIANTS.flatMap((variant) =>
    PASSES.map((pass) => [
      variant,
      pass,
      ...BANDS.map((band) => {
        const c = results[variant].passes[pass][band];
        return `${c.found} (${c.foundAtDefault}) ${c.maxScore.toFixed(2)}`;
      }),
      pass === 'native' && variant !== 'none' ? String(results[variant].verifyFindings) : '',
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
}

async function main(): Promise<void> {
  const name = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1]! : 'redactionStrength';
  const home = await mkdtemp(join(tmpdir(), 'veil-bench-home-'));
  const registry = new ModelRegistry({ home, manifestPath: join(REPO, 'models', 'manifest.json') });
  try {
    await registry.add({ file: join(SHARED, 'models', 'yunet_n_dynamic.onnx'), decoder: 'yunet' });
    const measured = await measure(await registry.load('yunet'));
    print(measured);
    const out = join(REPO, 'bench', 'results', `${name}.json`);
    await writeFile(out, JSON.stringify({ date: new Date().toISOString(), margin: MARGIN, threshold: LOW_THRESHOLD, bands: BANDS, ...measured }, null, 1) + '\n');
    console.log(`wrote ${out}`);
  } finally {
    await registry.dispose();
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
