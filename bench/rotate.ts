/**
 * Re-encrypting a vault (`veil recipients rotate`): N originals of 3 MB (default 1,000) encrypted to two recipients,
 * re-encrypted under new file keys, next to the stock `age` CLI re-encrypting the same objects in the same run
 * (`age -d -i KEY object | age -r A -r B -o new`, one pipeline per object, as many in flight). The machine is shared:
 * the default (2 in flight) is measured in 3 rounds, each stock age then Veil, and the round of median ratio is kept;
 * 1 and 3 in flight once each (choosing the default). Veil's peak RSS is sampled every 50 ms (streamed: it must not
 * grow with the objects). Writes bench/results/rotate.json.   Usage: node out/bench/rotate.js [--objects N]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CancellationToken } from '../daemon/core/callContext';
import { eachInFlight } from '../daemon/core/inFlight';
import { changeRecipients } from '../daemon/services/recipients';
import { checkOpens, headerOpener } from '../daemon/vault/reseal';
import { vaultObjectPath } from '../daemon/dataset/layout';
import { ORIGINAL_BYTES, makeVault, newKey, type Key } from './lib/vaultFixture';

const REPO = resolve(__dirname, '..', '..');
const AGE = '/usr/bin/age';
const ACTOR = { osUser: 'bench', reviewer: 'bench' };
const ROUNDS = 3;

function objectCount(): number {
  const index = process.argv.indexOf('--objects');
  return index > 0 ? Math.max(1, Number(process.argv[index + 1])) : 1000;
}

/** One stock-age re-encryption: `age -d -i KEY object | age -r … -o out`. */
function ageReencrypt(object: string, out: string, identityFile: string, recipients: string[]): Promise<void> {
  return new Promise((resolvePipe, reject) => {
    const decrypt = spawn(AGE, ['-d', '-i', identityFile, object], { stdio: ['ignore', 'pipe', 'inherit'] });
    const encrypt = spawn(AGE, [...recipients.flatMap((recipient) => ['-r', recipient]), '-o', out], { stdio: ['pipe', 'ignore', 'inherit'] });
    decrypt.stdout.pipe(encrypt.stdin);
    let failed = false;
    decrypt.on('exit', (code) => {
      if (code !== 0) failed = true;
    });
    encrypt.on('exit', (code) => (failed || code !== 0 ? reject(new Error(`age failed on ${object}`)) : resolvePipe()));
  });
}

async function ageRun(root: string, objects: string[], key: Key, recipients: string[], inFlight: number) {
  const out = mkdtempSync(join(tmpdir(), 'veil-bench-age-'));
  try {
    const start = performance.now();
    await eachInFlight(objects, inFlight, (id) => ageReencrypt(vaultObjectPath(root, id), join(out, `${id}.age`), key.identityFile, recipients));
    const wall = performance.now() - start;
    if (readdirSync(out).length !== objects.length) throw new Error('age wrote fewer files than objects');
    return { inFlight, seconds: wall / 1000, msPerObject: wall / objects.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function veilRun(root: string, objects: string[], key: Key, inFlight: number) {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const ctx = { token: new CancellationToken(), progress: () => undefined, actor: ACTOR, answered: Promise.resolve() };
  const start = performance.now();
  const result = await changeRecipients({ root, change: 'rotate', identity: key.identityFile }, ctx, { objectsInFlight: inFlight });
  const wall = performance.now() - start;
  clearInterval(sampler);
  const outcome = result.changes[0]!;
  if (outcome.reencrypted !== objects.length || outcome.failures.length > 0) throw new Error(`re-encrypted ${outcome.reencrypted} of ${objects.length}: ${JSON.stringify(outcome.failures)}`);
  return { inFlight, seconds: wall / 1000, msPerObject: wall / objects.length, megabytesPerSecond: (objects.length * ORIGINAL_BYTES) / 1e6 / (wall / 1000), peakRssMiB: peakRss / 2 ** 20 };
}

/** What the header check before a change costs alone (an open, a header read and an X25519 unwrap per object, 4 at a time). */
async function headerCheckMs(root: string, objects: string[], key: Key): Promise<number> {
  const opener = headerOpener([key.identity]);
  const start = performance.now();
  await eachInFlight(objects, 4, (id) => checkOpens(vaultObjectPath(root, id), id, opener));
  return (performance.now() - start) / objects.length;
}

async function main(): Promise<void> {
  const count = objectCount();
  const root = mkdtempSync(join(tmpdir(), 'veil-bench-rotate-'));
  const keys = mkdtempSync(join(tmpdir(), 'veil-bench-keys-'));
  try {
    const [alice, bob] = [await newKey(keys, 'alice'), await newKey(keys, 'bob')];
    const setupStart = performance.now();
    const objects = await makeVault(root, count, [alice, bob]);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const recipients = [alice.recipient, bob.recipient];
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    // Each Veil run right after a stock-age run of as many in flight, so that load from other work falls on both alike.
    const pair = async (inFlight: number) => {
      const age = await ageRun(root, objects, alice, recipients, inFlight);
      const veil = await veilRun(root, objects, alice, inFlight);
      return { age, veil, ratio: veil.seconds / age.seconds };
    };
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await pair(2));
    const { age: age2, veil: veil2 } = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(ROUNDS / 2)]!;
    const { age: age1, veil: veil1 } = await pair(1);
    const veil3 = await veilRun(root, objects, alice, 3);
    const headers = await headerCheckMs(root, objects, alice);

    console.log(`${count} originals of ${ORIGINAL_BYTES / 1e6} MB (random bytes) encrypted to 2 recipients, re-encrypted under new file keys; 2 cores; vault built in ${setupSeconds.toFixed(0)} s`);
    const header = ['run', 'in flight', 'seconds', 'ms/object', 'MB/s', 'x stock age', 'peak RSS MiB'];
    const rows = [
      ['stock age -d | age -r -r', '1', age1.seconds.toFixed(1), age1.msPerObject.toFixed(1), ((count * ORIGINAL_BYTES) / 1e6 / age1.seconds).toFixed(0), '1.00', '-'],
      ['stock age -d | age -r -r', '2', age2.seconds.toFixed(1), age2.msPerObject.toFixed(1), ((count * ORIGINAL_BYTES) / 1e6 / age2.seconds).toFixed(0), '1.00', '-'],
      ...[veil1, veil2, veil3].map((run) => [
        `veil recipients rotate${run.inFlight === 2 ? ' (default)' : ''}`,
        String(run.inFlight),
        run.seconds.toFixed(1),
        run.msPerObject.toFixed(1),
        run.megabytesPerSecond.toFixed(0),
        (run.seconds / (run.inFlight === 1 ? age1 : age2).seconds).toFixed(2),
        run.peakRssMiB.toFixed(0),
      ]),
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
    console.log(`2 in flight: the round of median ratio of ${ROUNDS} (ratios ${rounds.map((round) => round.ratio.toFixed(2)).join(', ')}); 3 in flight against that round's stock age.`);
    console.log(`RSS before the runs: ${rssBefore.toFixed(0)} MiB. Header check before a change (part of each veil run): ${headers.toFixed(2)} ms/object.`);
    console.log('veil per object: open the header with the identity, decrypt + re-encrypt the payload 1 MiB at a time (checking its sha256');
    console.log('against the object name), temp write + fsync, index line, fsync\'d audit entry, rename + folder fsync. stock age: no fsync,');
    console.log('no check, output to a separate folder; "x stock age" compares runs with as many objects in flight.');

    const out = join(REPO, 'bench', 'results', 'rotate.json');
    mkdirSync(dirname(out), { recursive: true });
    const result = { date: new Date().toISOString(), objects: count, originalBytes: ORIGINAL_BYTES, recipients: 2, setupSeconds, rssBeforeMiB: rssBefore, age: [age1, age2], veil: [veil1, veil2, veil3], headerCheckMsPerObject: headers, rounds, ratio: { inFlight1: veil1.seconds / age1.seconds, inFlight2: veil2.seconds / age2.seconds } };
    writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
    console.log(`wrote ${out}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
