/**
 * Issue #14 item 6 (README "Beyond one machine: shards"): `veil detect|commit --shard i/n`, run as separate processes at
 * once on one dataset, give exactly the result of one process; a shard's commit lock keeps a second run of the same
 * shard, and a whole-dataset commit, out; and the samples of docs/shards/ (Kubernetes Indexed Jobs, a Slurm array,
 * GNU parallel) run as written. Every run is the real CLI (dist/cli.js, which starts its own daemon), as a scheduler
 * would start it.
 */
import { filesInCommit } from '../../daemon/commit/journal';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from '../../cli/exitCodes';
import { segmentPath, shardLockPath, veilPath } from '../../daemon/dataset/layout';
import { SegmentWriter, withProposalIds } from '../../daemon/review/segments';
import { ReviewStore } from '../../daemon/review/store';
import { readReviewImages } from '../support/reviewFiles';
import { openReconciled, startDaemon } from '../support/daemon';
import { shardOf } from '../../daemon/dataset/shard';
import { CLI_COMMAND, runCli, runProcess, type CliRun } from '../support/cli';
import { writeFaceImages } from '../support/faceDataset';
import { NO_FACE, place, tempDir } from '../support/images';
import { REPO_ROOT } from '../support/paths';
import { auditLines } from '../support/reviewAudit';
import { ALL, BATCH, FACES, addRecipient, assertSameAsOneProcess, assertShardRan, entriesOf, makeShardDataset, pausedWhileHolding, verifiedClean } from '../support/shardRuns';

const SHARDS = 4;
const SIZE = 256;

/** Every shard's command at once, as a scheduler starts them; each must exit 0. */
async function allShardsAtOnce(args: (shard: string) => string[]): Promise<CliRun[]> {
  const runs = await Promise.all(Array.from({ length: SHARDS }, (_, index) => runCli(args(`${index}/${SHARDS}`))));
  for (const [index, run] of runs.entries()) assert.equal(run.code, EXIT.ok, `shard ${index}/${SHARDS}: ${run.stdout}${run.stderr}`);
  return runs;
}

/** A command line run in the checkout (as the samples are), with `env` added. */
function shell(command: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliRun> {
  return runProcess(command, env, cwd);
}

/**
 * The shell script of a Job's container in docs/shards/kubernetes-indexed-job.yaml, found line by line (no YAML
 * library): the block scalar (`- |`) under the `args:` that follows `name: <job>`.
 */
function jobScript(yaml: string, job: string): string {
  const lines = yaml.split('\n');
  const named = lines.findIndex((line) => line.trim() === `name: ${job}`);
  assert.ok(named >= 0, `no Job named ${job}`);
  const args = lines.findIndex((line, i) => i > named && line.trim() === 'args:');
  assert.equal(lines[args + 1]?.trim(), '- |', `${job}: args is not one block scalar`);
  const indent = lines[args + 2]!.search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(args + 2)) {
    if (line.trim() !== '' && line.search(/\S/) < indent) break;
    body.push(line.slice(indent));
  }
  return body.join('\n');
}

/**
 * The environment a Job's container gets (its `env:` list of `- { name: N, value: V }` lines), with the paths that
 * are the cluster's (the dataset's mount, the Secret's file) replaced by this machine's.
 */
function jobEnv(yaml: string, job: string, paths: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const lines = yaml.split('\n');
  const named = lines.findIndex((line) => line.trim() === `name: ${job}`);
  const start = lines.findIndex((line, i) => i > named && line.trim() === 'env:');
  const env: NodeJS.ProcessEnv = {};
  for (const line of lines.slice(start + 1)) {
    const entry = /^\s*- \{ name: (\w+), value: (.+?) \}/.exec(line);
    if (!entry) break;
    env[entry[1]!] = entry[2]!.replace(/^"(.*)"$/, '$1');
  }
  assert.ok(Object.keys(env).length > 0, `${job}: no env entries found`);
  for (const name of Object.keys(paths)) assert.ok(name in env, `${job} sets ${name}`);
  return { ...env, ...paths };
}

/**
 * The segment (its id starting with `prefix`) of a run going on, once it holds a line, and the process its lock names
 * (the run's daemon): what a test kills to stop a shard mid-run.
 */
async function segmentWithLines(root: string, prefix: string, run: Promise<CliRun>): Promise<{ id: string; pid: number }> {
  let ended = false;
  void run.then(() => (ended = true));
  for (;;) {
    assert.ok(!ended, 'the run ended before its segment held a line');
    const folder = veilPath(root, 'segments');
    for (const name of existsSync(folder) ? readdirSync(folder) : []) {
      if (!name.startsWith(prefix) || !name.endsWith('.jsonl') || !readFileSync(join(folder, name), 'utf8').includes('\n')) continue;
      const id = name.slice(0, -'.jsonl'.length);
      return { id, pid: (JSON.parse(readFileSync(join(folder, `${id}.lock`), 'utf8')) as { pid: number }).pid };
    }
    await sleep(2);
  }
}

/** Each shard of the `job` wrote its own segment, folded whole and closed: the chain names each, nothing is left of them. */
function assertSegmentsFolded(root: string, job: 'detect' | 'commit'): void {
  const ofJob = (entry: { segment: string }) => entry.segment.startsWith(`${job}-`);
  const opened = (entriesOf(auditLines(root), 'segment-open') as unknown as Array<{ segment: string; shard: { index: number } }>).filter(ofJob);
  const closed = (entriesOf(auditLines(root), 'segment-close') as unknown as Array<{ segment: string; lines: number }>).filter(ofJob);
  assert.deepEqual(opened.map((entry) => entry.shard.index).sort(), [0, 1, 2, 3], `one ${job} segment per shard`);
  assert.deepEqual(closed.map((entry) => entry.segment).sort(), opened.map((entry) => entry.segment).sort());
  assert.ok(closed.every((entry) => entry.lines >= 1));
  assert.deepEqual(readdirSync(veilPath(root, 'segments')), []);
}

describe('shards: veil detect|commit --shard i/n in separate processes on one dataset', function () {
  this.timeout(600_000);

  it('4 shard processes at once give exactly what one process gives: the same committed bytes and review state, each image committed once, a merged audit trail that verifies', async () => {
    const one = await makeShardDataset(SIZE);
    const four = tempDir('veil-shards-four-');
    cpSync(one, four, { recursive: true });
    await addRecipient(one);
    await addRecipient(four);

    const detected = await runCli(['detect', one]);
    assert.equal(detected.code, EXIT.ok, detected.stderr);
    const committed = await runCli(['commit', one, ...BATCH]);
    assert.equal(committed.code, EXIT.ok, committed.stdout + committed.stderr);

    const detects = await allShardsAtOnce((shard) => ['detect', four, '--shard', shard, '--json']);
    detects.forEach((run, index) => assertShardRan('detect', run, index, SHARDS));
    assertSegmentsFolded(four, 'detect');
    const commits = await allShardsAtOnce((shard) => ['commit', four, ...BATCH, '--shard', shard, '--json']);
    commits.forEach((run, index) => assertShardRan('commit', run, index, SHARDS));
    assertSegmentsFolded(four, 'commit');

    await assertSameAsOneProcess(one, four, SHARDS, SIZE);
    const verify = await verifiedClean(runCli(['verify', four, '--json']));
    assert.equal(verify.checked.auditEntries, auditLines(four).length, 'verify read the whole merged audit log');
    assert.equal(verify.checked.images, ALL.length);
    const status = await runCli(['status', four, '--require', 'committed']);
    assert.equal(status.code, EXIT.ok, status.stdout + status.stderr);
  });

  it("a running shard's segment, not folded yet, is merged by status, export and verify as they read (they write nothing), and folded by the next review write", async () => {
    const root = await makeShardDataset(SIZE);
    // A shard mid-run: its segment holds two images' detections, its lock is held (by this process), nothing is folded.
    const running = await SegmentWriter.open(root, 'detect', { index: 0, count: 2 }, { osUser: 'cluster', reviewer: 'shard 0' });
    const at = new Date().toISOString();
    const detections = [FACES[0]!, FACES[1]!].map((file, index) =>
      withProposalIds({ file, found: { width: SIZE, height: SIZE, faces: [{ x: 40 + index, y: 40, w: 80, h: 80, score: 0.93 }], possible: [] }, detection: { model: 'yunet', threshold: 0.6, thorough: false, at } }),
    );
    await running.appendDetections({ model: 'yunet', threshold: 0.6, thorough: false, videoStride: 1, force: false }, detections);
    const segmentBytes = readFileSync(segmentPath(root, running.id));

    // The editor's daemon: the Veil view's counts and the review's rows hold the shard's detections already.
    const daemon = await startDaemon();
    const status = await daemon.client.request('dataset/status', { root });
    const faces = new Map(status.images.map((image) => [image.file, image.faces]));
    assert.deepEqual([faces.get(FACES[0]!), faces.get(FACES[1]!), faces.get(FACES[2]!)], [1, 1, undefined]);
    const { opened } = await openReconciled(daemon.client, root);
    const row = opened.rows.find((candidate) => candidate.file === FACES[0]);
    assert.equal(row?.faces.proposed, 1);
    const out = join(tempDir('veil-segment-export-'), 'coco.json');
    const exported = await runCli(['export', root, '--format', 'coco', '--states', 'proposed', '--out', out]);
    assert.equal(exported.code, EXIT.ok, exported.stdout + exported.stderr);
    const coco = JSON.parse(readFileSync(out, 'utf8')) as { images: Array<{ id: number; file_name: string }>; annotations: Array<{ image_id: number; bbox: number[] }> };
    const boxesOf = (file: string) => coco.annotations.filter((annotation) => annotation.image_id === coco.images.find((image) => image.file_name === file)?.id).map((annotation) => annotation.bbox);
    assert.deepEqual(boxesOf(FACES[0]!), [[40, 40, 80, 80]]);
    assert.deepEqual(boxesOf(FACES[1]!), [[41, 40, 80, 80]]);
    await verifiedClean(runCli(['verify', root, '--json']));
    assert.deepEqual(readFileSync(segmentPath(root, running.id)), segmentBytes);
    assert.equal(entriesOf(auditLines(root), 'detect-image').length, 0, 'nothing was folded by reading');

    // A person accepts the shard's box in the editor, on the merged view: the edit's write folds the segment first and
    // stores the edit on it (no "changed elsewhere": the fold stored what the editor showed).
    const shown = await daemon.client.request('review/get', { root, file: FACES[0]! });
    assert.equal(shown.boxes[0]?.id, detections[0]!.found.faces[0]!.id);
    await daemon.client.request('review/update', { root, file: FACES[0]!, boxes: shown.boxes.map((box) => ({ ...box, state: 'accepted' as const })), status: 'reviewed', baseRevision: row!.revision });
    const folded = readReviewImages(root);
    assert.deepEqual(folded[FACES[0]!]?.boxes.map((box) => [box.id, box.state]), [[detections[0]!.found.faces[0]!.id, 'accepted']]);
    assert.equal(folded[FACES[0]!]?.status, 'reviewed');
    assert.deepEqual(folded[FACES[1]!]?.boxes.map((box) => box.id), [detections[1]!.found.faces[0]!.id]);
    assert.deepEqual(auditLines(root).filter((line) => line.type === 'detect-image' || line.type === 'review-change').map((line) => `${line.type} ${line.file}`), [
      `detect-image ${FACES[0]}`,
      `detect-image ${FACES[1]}`,
      `review-change ${FACES[0]}`,
    ]);
    await daemon.client.close();
    const store = await ReviewStore.open(root, filesInCommit);
    await running.finish(store);
    await verifiedClean(runCli(['verify', root, '--json']));
    assert.deepEqual(readdirSync(veilPath(root, 'segments')), []);
  });

  it("a shard killed mid-run loses nothing: its segment's lines are merged and folded, the next run detects the rest, and its end closes the dead segment", async () => {
    const root = tempDir('veil-shard-killed-');
    const names = Array.from({ length: 120 }, (_, index) => `crowd/face-${String(index).padStart(3, '0')}.png`);
    await writeFaceImages(root, names, 128);
    const run = runCli(['detect', root, '--shard', '0/1']);
    const killed = await segmentWithLines(root, 'detect-', run);
    process.kill(killed.pid, 'SIGKILL');
    assert.notEqual((await run).code, EXIT.ok);
    const before = readFileSync(segmentPath(root, killed.id), 'utf8').trim().split('\n').length;
    assert.ok(before >= 1 && before < names.length);

    const again = await runCli(['detect', root, '--shard', '0/1', '--json']);
    assert.equal(again.code, EXIT.ok, again.stdout + again.stderr);
    const records = readReviewImages(root);
    assert.deepEqual(Object.keys(records).sort(), names, 'every image has its record');
    const detected = entriesOf(auditLines(root), 'detect-image').map((line) => line.file!);
    assert.deepEqual([...detected].sort(), names, 'each image detected and audited exactly once, by one run or the other');
    const opened = entriesOf(auditLines(root), 'segment-open').length;
    const closed = entriesOf(auditLines(root), 'segment-close') as unknown as Array<{ segment: string; lines: number }>;
    assert.equal(opened, 2);
    assert.deepEqual(closed.map((entry) => entry.segment).sort(), [killed.id, closed.find((entry) => entry.segment !== killed!.id)!.segment].sort());
    assert.equal(closed.find((entry) => entry.segment === killed!.id)?.lines, before, 'closed with every line it held');
    assert.deepEqual(readdirSync(veilPath(root, 'segments')), []);
    await verifiedClean(runCli(['verify', root, '--json']));
  });

  it('a commit shard killed mid-run loses nothing: the next run folds what its segment holds, finishes its plan, and each image is committed once', async () => {
    const root = tempDir('veil-commit-killed-');
    const names = Array.from({ length: 60 }, (_, index) => `crowd/face-${String(index).padStart(3, '0')}.png`);
    await writeFaceImages(root, names, 256);
    await addRecipient(root);
    assert.equal((await runCli(['detect', root])).code, EXIT.ok);
    const run = runCli(['commit', root, ...BATCH, '--shard', '0/1']);
    const killed = await segmentWithLines(root, 'commit-', run);
    process.kill(killed.pid, 'SIGKILL');
    assert.notEqual((await run).code, EXIT.ok);
    const held = readFileSync(segmentPath(root, killed.id), 'utf8').trim().split('\n').length;
    assert.ok(held >= 1 && held < names.length, `killed after ${held} of ${names.length} images`);

    const again = await runCli(['commit', root, ...BATCH, '--shard', '0/1', '--json']);
    assert.equal(again.code, EXIT.ok, again.stdout + again.stderr);
    const commits = entriesOf(auditLines(root), 'commit-image').map((line) => line.file!);
    assert.deepEqual([...commits].sort(), names, 'each image committed and audited exactly once, by one run or the other');
    assert.ok(Object.values(readReviewImages(root)).every((record) => record.status === 'committed'));
    const closed = entriesOf(auditLines(root), 'segment-close') as unknown as Array<{ segment: string; lines: number }>;
    assert.equal(closed.find((entry) => entry.segment === killed.id)?.lines, held, 'the dead segment closed with every line it held');
    assert.deepEqual(readdirSync(veilPath(root, 'segments')), []);
    await verifiedClean(runCli(['verify', root, '--json']));
  });

  it('a shard given twice at once refuses the second, a whole-dataset commit refuses while a shard commit runs, and a shard commit while a whole-dataset commit runs', async () => {
    const root = await makeShardDataset(512);
    await addRecipient(root);
    assert.equal((await runCli(['detect', root])).code, EXIT.ok);
    const shard = '1/2';
    const shardLock = shardLockPath(root, { index: 1, count: 2 });

    // A real shard commit, paused (SIGSTOP to its daemon, the lock's holder) while it holds its lock.
    const held = await pausedWhileHolding(runCli(['commit', root, ...BATCH, '--shard', shard]), shardLock);
    const again = await runCli(['commit', root, ...BATCH, '--shard', shard]);
    assert.equal(again.code, EXIT.failed, again.stdout + again.stderr);
    assert.match(again.stderr, new RegExp(`shard 1/2 is locked by process ${held.pid} on .*Wait for it to finish`));
    const whole = await runCli(['commit', root, ...BATCH]);
    assert.equal(whole.code, EXIT.failed, whole.stdout + whole.stderr);
    assert.match(whole.stderr, new RegExp(`the dataset is locked by the commit of shard 1/2 \\(process ${held.pid} on `));
    const other = await runCli(['commit', root, ...BATCH, '--shard', '0/2']);
    assert.equal(other.code, EXIT.ok, `another shard commits beside it: ${other.stdout}${other.stderr}`);
    const first = await held.resume();
    assert.equal(first.code, EXIT.ok, first.stdout + first.stderr);

    // A whole-dataset commit, paused while it holds .veil/lock: a shard's commit waits for it, then refuses.
    place(NO_FACE, root, 'later/coffee-2.png');
    assert.equal((await runCli(['detect', root])).code, EXIT.ok);
    const wholeHeld = await pausedWhileHolding(runCli(['commit', root, ...BATCH]), veilPath(root, 'commitLock'));
    const shut = await runCli(['commit', root, ...BATCH, '--shard', '0/2']);
    assert.equal(shut.code, EXIT.failed, shut.stdout + shut.stderr);
    assert.match(shut.stderr, new RegExp(`the dataset is locked by process ${wholeHeld.pid} on `));
    assert.equal((await wholeHeld.resume()).code, EXIT.ok);
    const verified = await runCli(['verify', root]);
    assert.equal(verified.code, EXIT.ok, verified.stdout + verified.stderr);
  });

  it('a file detection refuses is reported by the one shard it belongs to, not by every shard', async () => {
    const root = tempDir('veil-shard-refused-');
    for (const name of ['a.png', 'b.png', 'c.png']) place(NO_FACE, root, name);
    writeFileSync(join(root, 'scan.heic'), 'not read: HEIC is refused by its name');
    const owner = shardOf('scan.heic', 2);
    const runs = await Promise.all([0, 1].map((index) => runCli(['detect', root, '--shard', `${index}/2`])));
    for (const [index, run] of runs.entries()) {
      const reported = run.stderr.includes('scan.heic');
      assert.equal(reported, index === owner, `shard ${index}/2 (scan.heic is shard ${owner}'s): ${run.stdout}${run.stderr}`);
      assert.equal(run.code, index === owner ? EXIT.failed : EXIT.ok, `shard ${index}/2: ${run.stdout}${run.stderr}`);
    }
  });

  it('the samples of docs/shards/ run as written: the Kubernetes Jobs\' scripts, the Slurm array\'s stages and the GNU parallel script', async () => {
    // Kubernetes: each Job's container script, run by sh in the Veil checkout (the image's /opt/veil) with what the
    // Job gives it: DATASET, JOB_COMPLETION_INDEX, the Secret's recipients file.
    const yaml = readFileSync(join(REPO_ROOT, 'docs', 'shards', 'kubernetes-indexed-job.yaml'), 'utf8');
    const k8s = await makeShardDataset(128);
    const secret = join(tempDir('veil-shards-secret-'), 'recipients.txt');
    const recipient = await runCli(['keygen', '--out', join(tempDir('veil-shards-key-'), 'id.txt')]);
    writeFileSync(secret, `# the custodians\n${recipient.stdout.trim()}\n`);
    const paths = (job: string) => ({ DATASET: k8s, VEIL_HOME: tempDir('veil-shards-home-'), ...(job === 'veil-commit' && { VEIL_RECIPIENTS_FILE: secret }) });
    for (const job of ['veil-detect', 'veil-commit']) {
      const script = jobScript(yaml, job);
      const runs = await Promise.all(
        Array.from({ length: SHARDS }, (_, index) => shell(['sh', '-c', script], { ...jobEnv(yaml, job, paths(job)), JOB_COMPLETION_INDEX: String(index) })),
      );
      for (const [index, run] of runs.entries()) assert.equal(run.code, 0, `${job} pod ${index}: ${run.stdout}${run.stderr}`);
    }
    assert.equal(readFileSync(join(k8s, '.veil', 'recipients.txt'), 'utf8'), readFileSync(secret, 'utf8'), 'one pod put the Secret\'s recipients in place');
    assert.deepEqual(readdirSync(join(k8s, '.veil')).filter((name) => name.includes('recipients.txt.')), [], 'no staged copy left');
    const check = await shell(['sh', '-c', jobScript(yaml, 'veil-check')], jobEnv(yaml, 'veil-check', paths('veil-check')));
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal((JSON.parse(check.stdout.trim().split('\n').at(-1)!) as { result: { met: boolean } }).result.met, true);

    // Slurm: the script as each array task runs it (the submit stage needs sbatch; the stages are what it submits).
    const slurm = await makeShardDataset(128);
    await addRecipient(slurm);
    const script = join(REPO_ROOT, 'docs', 'shards', 'slurm-array.sh');
    const slurmEnv = (stage: string, index: number, count: number) => ({ DATASET: slurm, VEIL_STAGE: stage, VEIL_CLI: CLI_COMMAND.join(' '), SLURM_ARRAY_TASK_ID: String(index), SLURM_ARRAY_TASK_COUNT: String(count) });
    for (const stage of ['detect', 'commit']) {
      const runs = await Promise.all(Array.from({ length: SHARDS }, (_, index) => shell(['bash', script], slurmEnv(stage, index, SHARDS))));
      for (const [index, run] of runs.entries()) assert.equal(run.code, 0, `slurm ${stage} task ${index}: ${run.stdout}${run.stderr}`);
    }
    const out = tempDir('veil-shards-slurm-out-');
    const slurmCheck = await shell(['bash', script], slurmEnv('check', 0, 1), out);
    assert.equal(slurmCheck.code, 0, slurmCheck.stdout + slurmCheck.stderr);
    assert.equal((JSON.parse(readFileSync(join(out, 'veil-status-local.json'), 'utf8')) as { result: { met: boolean } }).result.met, true);
    assert.equal((await shell(['bash', script], { ...slurmEnv('everything', 0, 1) })).code, 2, 'an unknown stage is refused');

    // GNU parallel: the script itself (scripts/testPrerequisites.sh installs GNU parallel, as `npm test` runs it).
    assert.equal((await shell(['sh', '-c', 'command -v parallel'], {})).code, 0, 'GNU parallel is not installed: run scripts/testPrerequisites.sh');
    const gnu = await makeShardDataset(128);
    await addRecipient(gnu);
    const parallel = await shell(['bash', join(REPO_ROOT, 'docs', 'shards', 'gnu-parallel.sh'), gnu, String(SHARDS)], { VEIL_CLI: CLI_COMMAND.join(' ') });
    assert.equal(parallel.code, 0, parallel.stdout + parallel.stderr);
    assert.equal(entriesOf(auditLines(gnu), 'commit').length, SHARDS, 'one commit per shard');
    assert.match(parallel.stdout, /every image is committed/);
  });
});
