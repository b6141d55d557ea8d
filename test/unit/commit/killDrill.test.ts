/**
 * The crash drill: commits of 60 images in a child process are killed with SIGKILL at random moments (at
 * least 20 times), each killed state is checked, then every commit is finished by re-running it and verified.
 */
import { filesInCommit } from '../../../daemon/commit/journal';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REDACTION_MODES, type RedactionMode } from '../../../daemon/protocol';
import { verifyDataset } from '../../../daemon/verify/verify';
import { auditPath } from '../../../daemon/audit/log';
import { vaultObjectPath } from '../../../daemon/dataset/layout';
import { sha256Hex } from '../../../daemon/storage/hash';
import { ReviewStore } from '../../../daemon/review/store';
import { ASTRONAUT, tempDir } from '../../support/images';
import { seededRandom, type Random } from '../../support/seededRandom';
import { runKillableWorker, type KillPoint, type WorkerRun } from '../../support/killableWorker';
import { FACE_BOX, addKey, box, commitDeps, seedDataset, testContext, type SeedImage } from '../../support/commitFixtures';

const IMAGES = 60;
const KILLS = 20;
const SIDE = 128;
const WORKER = join(__dirname, 'commit.worker.js');

interface DrillDataset {
  root: string;
  mode: RedactionMode;
  originals: Map<string, string>;
  identityFile: string;
  finished: boolean;
}

async function makeDataset(mode: RedactionMode): Promise<DrillDataset> {
  const root = tempDir('veil-drill-');
  const scale = SIDE / 512;
  const face = { x: FACE_BOX.x * scale, y: FACE_BOX.y * scale, w: FACE_BOX.w * scale, h: FACE_BOX.h * scale };
  const images: SeedImage[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const pipeline = sharp(ASTRONAUT).resize(SIDE, SIDE).modulate({ brightness: 0.8 + i / 200 });
    const png = i % 3 === 0;
    const bytes = await (png ? pipeline.png() : pipeline.jpeg({ quality: 85 })).toBuffer();
    images.push({ file: `${i % 2 ? 'left' : 'right'}/img-${String(i).padStart(2, '0')}.${png ? 'png' : 'jpg'}`, bytes, width: SIDE, height: SIDE, boxes: [box(face)] });
  }
  seedDataset(root, images);
  const { identityFile } = await addKey(root);
  return { root, mode, identityFile, finished: false, originals: new Map(images.map((image) => [image.file, sha256Hex(image.bytes)])) };
}

function randomKillPoint(random: Random): KillPoint {
  return random.chance(0.25) ? { from: 'spawn', afterMs: 150 + random.next() * 400 } : { from: 'progress', afterMs: random.next() * 1500 };
}

/** Runs the worker to its end, or kills it with SIGKILL at `kill`. */
function runWorker(dataset: DrillDataset, kill?: KillPoint): Promise<WorkerRun> {
  return runKillableWorker([WORKER, dataset.root, dataset.mode], kill);
}

function imageFiles(root: string): string[] {
  return ['left', 'right'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`));
}

/** After a kill: every image is its original or a complete, decodable output whose original is in the vault. */
async function checkKilledState(dataset: DrillDataset): Promise<void> {
  const files = imageFiles(dataset.root);
  for (const [file, originalSha] of dataset.originals) {
    assert.ok(files.includes(file), `${file} vanished`);
    const bytes = readFileSync(join(dataset.root, file));
    if (sha256Hex(bytes) === originalSha) continue;
    await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer(); // a half-written file throws here
    assert.ok(existsSync(vaultObjectPath(dataset.root, originalSha)), `${file} was replaced before its original reached the vault`);
  }
}

/** After the last run: everything committed exactly once, nothing left over, verify clean with the key. */
async function checkFinished(dataset: DrillDataset): Promise<void> {
  const { findings, checked } = await verifyDataset({ root: dataset.root, identity: dataset.identityFile }, testContext(), commitDeps());
  assert.deepEqual(findings, [], `${dataset.root}: verify found violations`);
  assert.equal(checked.images, IMAGES);
  assert.equal(checked.vaultObjects, IMAGES);
  const entries = readFileSync(auditPath(dataset.root), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; file?: string; originalSha256?: string });
  const perImage = entries.filter((entry) => entry.type === 'commit-image');
  assert.equal(perImage.length, IMAGES, 'an image was committed twice or not at all');
  for (const entry of perImage) assert.equal(entry.originalSha256, dataset.originals.get(entry.file!), `${entry.file}: the vault holds something other than the original`);
  const store = await ReviewStore.open(dataset.root, filesInCommit);
  assert.ok(store.records().every((record) => record.status === 'committed'));
  assert.equal(imageFiles(dataset.root).length, IMAGES, 'stray files next to the images');
  assert.equal(existsSync(join(dataset.root, '.veil', 'lock')), false);
}

describe('commit crash drill', () => {
  it(`a commit killed with SIGKILL at ${KILLS}+ random points resumes to a fully committed, verified dataset`, async function () {
    this.timeout(240_000);
    const random = seededRandom();
    console.log(`      seed ${random.seed} (replay the same kill points with VEIL_DRILL_SEED=${random.seed})`);
    const datasets: DrillDataset[] = [];
    let current: DrillDataset | undefined;
    let kills = 0;
    while (kills < KILLS) {
      if (!current || current.finished) {
        current = await makeDataset(REDACTION_MODES[datasets.length % REDACTION_MODES.length]!);
        datasets.push(current);
      }
      const run = await runWorker(current, randomKillPoint(random));
      if (run.killed) {
        kills++;
        await checkKilledState(current);
      } else {
        assert.equal(run.code, 0, run.stderr);
        current.finished = true;
      }
    }
    for (const dataset of datasets) {
      const last = await runWorker(dataset);
      assert.equal(last.code, 0, last.stderr);
      await checkFinished(dataset);
    }
    console.log(`      ${kills} kills over ${datasets.length} datasets of ${IMAGES} images: 0 violations`);
  });
});
