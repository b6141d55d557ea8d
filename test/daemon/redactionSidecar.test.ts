/**
 * The redaction sidecar through the real daemon and CLI (README "Redaction sidecar for training"): the bundled samples
 * with a COCO label file of made-up person boxes are detected and committed; the label file stays valid for the
 * committed images; `.veil/redactions.json` states exactly the pixels the commit painted (PNG copies: nothing else
 * changed, every listed pixel is the fill); `veil export --redactions --merge` adds them as ignore regions and keeps
 * every original label; verify reports a sidecar edited by hand or removed, and the next commit writes it again.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { maskSpan } from '../../daemon/redact/geometry';
import type { RedactionSidecar, SidecarImage } from '../../daemon/redactions/sidecar';
import { auditEntries } from '../support/commitFixtures';
import { runCli } from '../support/cli';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir } from '../support/images';
import { REPO_ROOT } from '../support/paths';

const SAMPLES = join(REPO_ROOT, 'samples');
const SAMPLE_FILES = ['astronaut-exif-rotated.jpg', 'astronaut.jpg', 'group/collage.jpg', 'no-face.jpg'];
const MODEL_BOXES = { includeUnreviewed: true, allowPossibleFaces: 'test: the model boxes as they are' };

interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}
interface CocoFile {
  images: CocoImage[];
  annotations: Array<Record<string, unknown> & { id: number; image_id: number; category_id: number; bbox: number[] }>;
  categories: Array<{ id: number; name: string }>;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const sidecarOf = (root: string) => readJson<RedactionSidecar>(join(root, '.veil', 'redactions.json'));

/** The displayed size of an image file (EXIF orientation applied), as a training loader sees it. */
async function displayedSize(path: string): Promise<{ width: number; height: number }> {
  const { width, height, orientation } = await sharp(path).metadata();
  return (orientation ?? 1) >= 5 ? { width: height!, height: width! } : { width: width!, height: height! };
}

/** A COCO label file of the samples as a team would have it: made-up person boxes, ids with gaps, another category. */
async function personLabels(root: string): Promise<CocoFile> {
  const images = await Promise.all(SAMPLE_FILES.map(async (file, index) => ({ id: 10 * (index + 1), file_name: file, ...(await displayedSize(join(root, file))) })));
  return {
    images,
    annotations: images.flatMap((image, index) => [
      { id: 100 + 3 * index, image_id: image.id, category_id: 1, bbox: [12.5, 20, image.width / 2, image.height - 30], area: (image.width / 2) * (image.height - 30), iscrowd: 0 },
      { id: 101 + 3 * index, image_id: image.id, category_id: 7, bbox: [0, 0, 8, 8], area: 64, iscrowd: 0, attributes: { occluded: false } },
    ]),
    categories: [
      { id: 1, name: 'person' },
      { id: 7, name: 'backpack' },
    ],
  };
}

async function keyAndDetect(daemon: TestDaemon, root: string): Promise<void> {
  await daemon.client.request('keys/create', { out: join(tempDir('veil-key-'), 'identity.txt'), addTo: root });
  await daemon.client.request('dataset/detect', { root });
}

/** RGB pixels of an image file as displayed. */
async function pixels(path: string): Promise<{ rgb: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(path).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

/** The pixels the sidecar says `image` had painted (its regions, `maskSpan` of its shape), as a mask. */
function sidecarMask(image: SidecarImage): Uint8Array {
  const mask = new Uint8Array(image.width * image.height);
  for (const region of image.regions) {
    for (let y = region.y; y < region.y + region.h; y++) {
      const [start, end] = maskSpan(image.shape, region, y);
      mask.fill(1, y * image.width + start, y * image.width + Math.max(start, end));
    }
  }
  return mask;
}

/** A COCO uncompressed RLE (column-major) as a row-major mask. */
function decodeRle(rle: { size: [number, number]; counts: number[] }): Uint8Array {
  const [height, width] = rle.size;
  const mask = new Uint8Array(width * height);
  let at = 0;
  rle.counts.forEach((count, index) => {
    if (index % 2 === 1) for (let i = at; i < at + count; i++) mask[(i % height) * width + Math.floor(i / height)] = 1;
    at += count;
  });
  assert.equal(at, width * height, 'the runs cover the image');
  return mask;
}

describe('redaction sidecar: what a commit redacted, for training pipelines', function () {
  this.timeout(300_000);
  let daemon: TestDaemon;
  let root: string;
  let labelsPath: string;
  let labels: CocoFile;

  before(async () => {
    daemon = await startDaemon();
    root = join(tempDir('veil-sidecar-'), 'samples');
    for (const file of SAMPLE_FILES) cpSync(join(SAMPLES, file), join(root, file));
    labels = await personLabels(root);
    labelsPath = join(tempDir('veil-labels-'), 'labels.json');
    writeFileSync(labelsPath, JSON.stringify(labels));
    await keyAndDetect(daemon, root);
    const committed = await daemon.client.request('dataset/commit', { root, ...MODEL_BOXES });
    assert.deepEqual(committed.committed, SAMPLE_FILES);
    assert.deepEqual(committed.warnings, []);
  });
  after(async () => {
    await daemon?.client.close();
  });

  it('leaves the label file valid for the committed dataset: every file_name is there, at the displayed size the label states', async () => {
    for (const image of labels.images) {
      const path = join(root, image.file_name);
      assert.ok(existsSync(path), `${image.file_name} is still there`);
      assert.deepEqual(await displayedSize(path), { width: image.width, height: image.height }, `${image.file_name} keeps its displayed size`);
    }
  });

  it('lists every committed file with its displayed size, output sha256 and the seq of its commit-image entry', async () => {
    const sidecar = sidecarOf(root);
    assert.equal(sidecar.format, 'veil-redactions');
    assert.deepEqual(sidecar.undescribed, []);
    assert.deepEqual(sidecar.files.map((file) => file.file), SAMPLE_FILES);
    const commits = auditEntries(root).filter((entry) => entry.type === 'commit-image');
    for (const file of sidecar.files) {
      const entry = commits.find((commit) => commit.file === file.file)!;
      assert.equal(file.auditSeq, entry.seq);
      assert.equal(file.outputSha256, sha256(join(root, file.file)));
      assert.deepEqual({ width: file.width, height: file.height }, await displayedSize(join(root, file.file)));
      assert.equal(file.kind, 'image');
      if (file.kind === 'image') assert.equal(file.regions.length, entry.redacted, `${file.file}: one region per redacted box`);
    }
    assert.ok(sidecar.files.some((file) => file.kind === 'image' && file.regions.length >= 5), 'the group photo has its faces');
  });

  it('states exactly the pixels a fill commit changed: nothing outside them, every one of them the fill (PNG, rect and ellipse)', async () => {
    const pngRoot = tempDir('veil-sidecar-png-');
    const originals = tempDir('veil-sidecar-originals-');
    for (const shape of ['rect', 'ellipse'] as const) {
      for (const sample of ['astronaut.jpg', 'group/collage.jpg']) {
        const file = `${shape}/${sample.replace(/\.jpg$/, '.png')}`;
        mkdirSync(join(pngRoot, file, '..'), { recursive: true });
        mkdirSync(join(originals, file, '..'), { recursive: true });
        await sharp(join(SAMPLES, sample)).png().toFile(join(pngRoot, file));
        cpSync(join(pngRoot, file), join(originals, file));
      }
    }
    await keyAndDetect(daemon, pngRoot);
    for (const shape of ['rect', 'ellipse'] as const) await daemon.client.request('dataset/commit', { root: join(pngRoot, shape), shape, ...MODEL_BOXES });
    const exported = await daemon.client.request('redactions/export', { root: pngRoot, out: join(tempDir('veil-coco-'), 'regions.json') });
    const coco = readJson<CocoFile>(exported.out);

    const sidecar = sidecarOf(pngRoot);
    assert.equal(sidecar.files.length, 4);
    for (const image of sidecar.files) {
      assert.equal(image.kind, 'image');
      if (image.kind !== 'image') continue;
      assert.equal(image.shape, image.file.split('/')[0]);
      const mask = sidecarMask(image);
      const [before, after] = [await pixels(join(originals, image.file)), await pixels(join(pngRoot, image.file))];
      let [painted, outside] = [0, 0];
      for (let i = 0; i < mask.length; i++) {
        const [a, b] = [before.rgb.subarray(3 * i, 3 * i + 3), after.rgb.subarray(3 * i, 3 * i + 3)];
        if (mask[i]) {
          painted++;
          assert.ok(b.equals(Buffer.from([0, 0, 0])) || b.equals(Buffer.from([128, 128, 128])), `${image.file}: pixel ${i % image.width},${Math.floor(i / image.width)} inside a region is ${[...b].join(',')}, not the fill`);
        } else if (!a.equals(b)) outside++;
      }
      assert.equal(outside, 0, `${image.file}: ${outside} pixel(s) changed outside the regions`);
      assert.ok(painted > 1000, `${image.file}: ${painted} pixels painted`);
      if (image.shape === 'ellipse') assert.ok(painted < image.regions.reduce((sum, r) => sum + r.w * r.h, 0), 'an ellipse leaves its corners');

      // The COCO export's RLE is the same set of pixels, and its area their count.
      const cocoImage = coco.images.find((entry) => entry.file_name === image.file)!;
      const rles = coco.annotations.filter((annotation) => annotation.image_id === cocoImage.id);
      assert.equal(rles.length, image.regions.length);
      const union = new Uint8Array(mask.length);
      for (const annotation of rles) {
        const decoded = decodeRle(annotation.segmentation as { size: [number, number]; counts: number[] });
        assert.equal(decoded.reduce((sum, bit) => sum + bit, 0), annotation.area);
        decoded.forEach((bit, i) => (union[i] ||= bit));
      }
      assert.deepEqual(union, mask, `${image.file}: the RLE masks are the sidecar's pixels`);
    }
  });

  it('merges the regions into the label file as ignore regions (CLI), keeping every image, category and annotation as it was', async () => {
    const before = readFileSync(labelsPath);
    const out = join(tempDir('veil-merged-'), 'merged.json');
    const run = await runCli(['export', root, '--format', 'coco', '--redactions', '--merge', labelsPath, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /redacted region\(s\) of \d+ image\(s\) written to .*merged\.json/);
    assert.deepEqual(readFileSync(labelsPath), before, 'the label file itself is not touched');

    const merged = readJson<CocoFile>(out);
    assert.deepEqual(merged.images, labels.images);
    assert.deepEqual(merged.annotations.slice(0, labels.annotations.length), labels.annotations);
    assert.deepEqual(merged.categories.slice(0, labels.categories.length), labels.categories);
    const category = merged.categories.at(-1)!;
    assert.equal(category.name, 'redacted-face');
    assert.equal(category.id, 8, 'after the largest category id');

    const added = merged.annotations.slice(labels.annotations.length);
    assert.deepEqual(added.map((annotation) => annotation.id), added.map((_, index) => 111 + index), 'ids after the largest, one each');
    const sidecar = sidecarOf(root);
    for (const image of labels.images) {
      const listed = sidecar.files.find((file) => file.file === image.file_name);
      assert.ok(listed && listed.kind === 'image');
      const regions = added.filter((annotation) => annotation.image_id === image.id);
      assert.deepEqual(regions.map((annotation) => annotation.bbox), listed.regions.map((r) => [r.x, r.y, r.w, r.h]), `${image.file_name}: every region, as the sidecar says`);
      for (const annotation of regions) {
        assert.equal(annotation.iscrowd, 1);
        assert.equal(annotation.ignore, 1);
        assert.equal(annotation.category_id, category.id);
      }
    }

    // Merging into the merged file again would count the regions twice: refused, nothing written.
    const again = await runCli(['export', root, '--format', 'coco', '--redactions', '--merge', out, '--out', join(tempDir('veil-twice-'), 'twice.json')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /redacted-face.*already/);
  });

  it('refuses a label file that states another size than a committed image, naming it', async () => {
    const wrong = { ...labels, images: labels.images.map((image) => (image.file_name === 'no-face.jpg' ? { ...image, width: image.height, height: image.width } : image)) };
    const path = join(tempDir('veil-wrong-'), 'labels.json');
    writeFileSync(path, JSON.stringify(wrong));
    const run = await runCli(['export', root, '--format', 'coco', '--redactions', '--merge', path]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no-face\.jpg is 400x600, committed 600x400/);
    assert.equal(existsSync(join(path, '..', 'labels.with-redactions.json')), false);
  });

  it('is reported by verify when edited or removed, and written again by the next commit', async () => {
    const path = join(root, '.veil', 'redactions.json');
    assert.deepEqual((await daemon.client.request('dataset/verify', { root })).findings, []);
    const original = readFileSync(path, 'utf8');
    const sidecar = sidecarOf(root);
    const group = sidecar.files.find((file) => file.file === 'group/collage.jpg')!;
    if (group.kind === 'image') group.regions[0]!.w -= 1;
    writeFileSync(path, JSON.stringify(sidecar));
    const edited = await daemon.client.request('dataset/verify', { root });
    assert.deepEqual(edited.findings.map((finding) => [finding.kind, finding.file]), [['redactions-stale', '.veil/redactions.json']]);
    assert.match(edited.findings[0]!.message, /group\/collage\.jpg listed otherwise/);

    rmSync(path);
    const removed = await daemon.client.request('dataset/verify', { root });
    assert.deepEqual(removed.findings.map((finding) => finding.kind), ['redactions-stale']);
    assert.match(removed.findings[0]!.message, /missing, and 4 committed file\(s\) are not listed/);

    const commit = await daemon.client.request('dataset/commit', { root });
    assert.deepEqual(commit.alreadyCommitted, SAMPLE_FILES);
    assert.equal(readFileSync(path, 'utf8'), original, 'the same file, byte for byte');
    assert.deepEqual((await daemon.client.request('dataset/verify', { root })).findings, []);
  });
});
