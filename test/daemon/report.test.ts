/**
 * `report/create`, `report/check` and `veil report`: a dataset detected, reviewed (a box accepted, one adjusted, one
 * drawn, false alarms rejected), committed with a signing key, opened for a purpose and given a second recipient, all
 * through the real daemon, with hostile file names; its report states each of these, its evidence verifies and a
 * tampered copy does not, and the page renders in headless Chromium, light and dark (screenshots in
 * test-results/report), with the names shown as text and nothing run or fetched.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Box, ReportCreateResult } from '../../daemon/protocol';
import { auditEntries, rechainLog } from '../support/commitFixtures';
import { runCli } from '../support/cli';
import { rpcError, startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, NO_FACE, place, tempDir } from '../support/images';
import { applyPolicy, newSigningKey } from '../support/monitorFixtures';
import { REPO_ROOT } from '../support/paths';
import { launchChromium } from '../support/webviewHarness';

const RESULTS = join(REPO_ROOT, 'test-results', 'report');
/** File names a report must show as text, never as markup. */
const SCRIPT_NAME = '<script>alert(1).png';
const IMG_NAME = '"><img src=x onerror=alert(2)>.png';
/** A purpose in words (the policy accepts free text): shown as text too. */
const SCRIPT_PURPOSE = '</td><script>alert(3)</script>';

interface Prepared {
  root: string;
  identity: string;
  signer: { keyFile: string; publicKey: string };
  report: ReportCreateResult;
  expectedFaces: { proposedByModel: number; acceptedAsDetected: number; adjusted: number; drawn: number; rejected: number };
}

describe('the compliance report: HTML and signed evidence (real daemon over stdio)', function () {
  this.timeout(300_000);
  let daemon: TestDaemon;
  let prepared: Prepared;

  before(async () => {
    daemon = await startDaemon();
    const { client } = daemon;
    const root = tempDir('veil-report-');
    place(ASTRONAUT, root, SCRIPT_NAME);
    place(ASTRONAUT, root, IMG_NAME);
    place(NO_FACE, root, 'b.png');
    const identity = join(tempDir('veil-key-'), 'identity.txt');
    await client.request('keys/create', { out: identity, addTo: root });
    const signer = await newSigningKey(client);
    await applyPolicy(client, root, { purposes: { required: true, allowed: ['audit'], freeText: true }, retention: { days: 365, action: 'report' }, signers: [{ name: 'auditor', publicKey: signer.publicKey }] });
    await client.request('dataset/detect', { root });

    // Review: the first astronaut as detected, the second with its box moved and one drawn, the coffee's false alarms rejected.
    const review = async (file: string, edit: (boxes: Box[]) => Box[]) => {
      const record = await client.request('review/get', { root, file });
      const boxes = edit(record.boxes);
      await client.request('review/update', { root, file, boxes, status: 'reviewed', baseRevision: record.revision });
      return boxes;
    };
    const asDetected = await review(SCRIPT_NAME, (boxes) => boxes.map((box) => ({ ...box, state: 'accepted' })));
    const adjusted = await review(IMG_NAME, (boxes) => [
      ...boxes.map((box, index) => ({ ...box, state: 'accepted' as const, x: index === 0 ? box.x + 4 : box.x, edited: index === 0 })),
      { id: 'drawn-1', x: 10, y: 10, w: 40, h: 40, score: null, source: 'manual', state: 'accepted', edited: false },
    ]);
    const rejected = await review('b.png', (boxes) => boxes.map((box) => ({ ...box, state: 'rejected' })));
    await client.request('dataset/commit', { root, signingKey: signer.keyFile });
    await client.request('vault/open', { root, file: SCRIPT_NAME, identity, out: join(tempDir('veil-open-'), 'original.png'), purpose: 'audit' });
    await client.request('vault/read', { root, file: IMG_NAME, identity, purpose: SCRIPT_PURPOSE });
    const second = join(tempDir('veil-key-'), 'second.txt');
    const { recipient } = await client.request('keys/create', { out: second });
    await client.request('recipients/add', { root, recipient, identity });

    const report = await client.request('report/create', { root, signingKey: signer.keyFile });
    const model = (boxes: Box[]) => boxes.filter((box) => box.source === 'model').length;
    prepared = {
      root,
      identity,
      signer,
      report,
      expectedFaces: {
        proposedByModel: model(asDetected) + model(adjusted) + model(rejected),
        acceptedAsDetected: model(asDetected) + model(adjusted) - 1,
        adjusted: 1,
        drawn: 1,
        rejected: rejected.length,
      },
    };
  });
  after(async () => daemon?.client.close());

  function evidenceFile(): { format: string; evidence: Record<string, any>; signature: Record<string, string> | null } {
    return JSON.parse(readFileSync(prepared.report.evidence, 'utf8'));
  }

  it('writes the page and its signed evidence into .veil/reports, stating what was anonymized, reviewed, verified, opened and changed', async () => {
    const { root, report } = prepared;
    assert.deepEqual(readdirSync(join(root, '.veil', 'reports')).sort(), [report.evidence, report.html].map((path) => path.split('/').pop()).sort());
    assert.equal(report.evidence, report.html.replace(/\.html$/, '.json'));
    assert.deepEqual(report.signed, { signer: 'auditor', publicKey: prepared.signer.publicKey, trusted: true });
    const { format, evidence, signature } = evidenceFile();
    assert.equal(format, 'veil-evidence/1');
    assert.equal(signature?.signer, 'auditor');

    const { files, faces, redaction, models } = evidence.anonymization;
    assert.deepEqual([files.images, files.committed, files.reviewed, files.unreviewed], [3, 3, 0, 0]);
    const { unreviewed, redactedPerLog, ...bySource } = faces;
    assert.deepEqual(bySource, prepared.expectedFaces);
    assert.deepEqual([unreviewed, redactedPerLog], [0, faces.acceptedAsDetected + faces.adjusted + faces.drawn]);
    assert.deepEqual(redaction, [{ mode: 'fill', shape: 'rect', margin: 0.25, doubtMargin: 1, images: 3 }]);
    assert.equal(models.length, 1);
    assert.match(models[0].sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual([models[0].name, models[0].images, models[0].hashStatus], ['blazeface', 3, 'ok']);

    assert.deepEqual(evidence.review.reviewers.map((r: { name: string; imagesReviewed: number }) => [r.name, r.imagesReviewed]), [['Test Reviewer', 3]]);
    assert.deepEqual(evidence.review.commits.map((c: { committed: number }) => c.committed), [3]);
    const lastPoint = evidence.review.progress.at(-1);
    assert.deepEqual([lastPoint.done, lastPoint.committed], [3, 3]);

    assert.deepEqual(evidence.openings.map((o: { file: string; purpose: string }) => [o.file, o.purpose]), [[SCRIPT_NAME, 'audit'], [IMG_NAME, SCRIPT_PURPOSE]]);
    assert.deepEqual(evidence.keyChanges.map((k: { change: string; recipients: string[]; rewrapped: number; objects: number }) => [k.change, k.recipients.length, k.rewrapped, k.objects]), [['add', 2, 2, 2]]);
    assert.deepEqual([evidence.vault.objects, evidence.vault.retention.days, evidence.vault.retention.states.retained], [2, 365, 2]);
    assert.equal(evidence.verification.redetect.model, 'blazeface');
    // Re-detection finds the coffee's false alarms again where a person rejected them: faces "left" in that image.
    assert.ok(evidence.verification.findings.every((finding: { kind: string; file: string }) => finding.kind === 'face-unredacted' && finding.file === 'b.png'), JSON.stringify(evidence.verification.findings));
    assert.deepEqual([evidence.monitoring.ok, evidence.monitoring.flags], [true, []]);
    assert.equal(evidence.chain.signedThrough.signer, 'auditor');
    const lines = readFileSync(join(root, '.veil', 'audit.jsonl'), 'utf8').trimEnd().split('\n');
    assert.deepEqual([evidence.chain.entries, report.checkpoint.entries], [lines.length, lines.length], 'the report appends nothing to the log');
  });

  it('its evidence checks out against the policy’s signers; an altered copy, an unsigned one, another key or a rewritten log do not', async () => {
    const { client } = daemon;
    const { root, report } = prepared;
    const checked = await client.request('report/check', { file: report.evidence });
    assert.deepEqual([checked.ok, checked.problems, checked.root, checked.signature?.trusted, checked.signature?.valid], [true, [], root, true, true]);

    const copy = (name: string, change: (file: ReturnType<typeof evidenceFile>) => void) => {
      const file = evidenceFile();
      change(file);
      const path = join(tempDir('veil-evidence-'), name);
      writeFileSync(path, JSON.stringify(file));
      return path;
    };
    // Indentation is not part of what is signed: the same evidence on one line still verifies.
    const compact = copy('compact.json', () => undefined);
    assert.equal((await client.request('report/check', { file: compact, root })).ok, true);
    const altered = await client.request('report/check', { file: copy('altered.json', (file) => (file.evidence.anonymization.files.committed = 4)), root });
    assert.equal(altered.ok, false);
    assert.match(altered.problems.join('\n'), /signature does not verify: the evidence, the signer or the time was altered/);
    const unsigned = await client.request('report/check', { file: copy('unsigned.json', (file) => (file.signature = null)), root });
    assert.deepEqual([unsigned.ok, unsigned.problems], [false, ['the evidence is not signed']]);
    const pinned = await client.request('report/check', { file: report.evidence, signers: ['veil-ed25519:' + Buffer.alloc(32, 7).toString('base64')] });
    assert.equal(pinned.ok, false);
    assert.match(pinned.problems.join('\n'), /signed by a key none of the pinned keys is/);
    const outside = await client.request('report/check', { file: compact });
    assert.equal(outside.root, undefined);
    assert.match(outside.problems.join('\n'), /nothing trusts: give the dataset or --signer/);
    assert.equal((await rpcError(client.request('report/check', { file: join(root, 'b.png') }))).code, -33023, 'an image is no evidence file');

    // Entries appended since the report leave it true; a history rewritten before its head does not.
    await client.request('vault/read', { root, file: 'b.png', identity: prepared.identity, purpose: 'audit' });
    assert.equal((await client.request('report/check', { file: report.evidence })).ok, true);
    const copyRoot = tempDir('veil-report-rewritten-');
    for (const name of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('audit.jsonl') || path.endsWith('policy.json'))) {
      mkdirSync(join(copyRoot, '.veil'), { recursive: true });
      writeFileSync(join(copyRoot, name), readFileSync(join(root, name)));
    }
    rechainLog(copyRoot, auditEntries(copyRoot).map((entry) => (entry.type === 'open-original' ? { ...entry, purpose: 'curiosity' } : entry)));
    const rewritten = await client.request('report/check', { file: report.evidence, root: copyRoot });
    assert.equal(rewritten.ok, false);
    assert.match(rewritten.problems.join('\n'), /no longer hashes to the evidence's head after \d+ entries: its history was rewritten since the report/);
  });

  it('shows every dataset name as text: the page holds no script, and Chromium runs and fetches nothing (light and dark screenshots)', async function () {
    const html = readFileSync(prepared.report.html, 'utf8');
    assert.ok(!/<script/i.test(html), 'no script element, whatever the file names');
    assert.ok(!html.includes('<img'), 'no image element');
    assert.ok(html.includes('&lt;script&gt;alert(1).png'));
    assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.png'));
    assert.ok(html.includes('&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;'));
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);

    const browser = await launchChromium(this);
    try {
      mkdirSync(RESULTS, { recursive: true });
      for (const scheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: scheme });
        const dialogs: string[] = [];
        const requests: string[] = [];
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        page.on('request', (request) => requests.push(request.url()));
        const url = pathToFileURL(prepared.report.html).href;
        await page.goto(url);
        const shown = await page.evaluate(() => ({
          elements: document.querySelectorAll('script, img, iframe, object, embed').length,
          text: document.body.innerText,
          background: getComputedStyle(document.body).backgroundColor,
          font: getComputedStyle(document.body).fontFamily,
          chart: document.querySelectorAll('svg.chart path.series').length,
        }));
        assert.equal(shown.elements, 0);
        assert.ok([SCRIPT_NAME, IMG_NAME, SCRIPT_PURPOSE].every((name) => shown.text.includes(name)), 'the names are shown as text');
        assert.equal(shown.background, scheme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(13, 17, 23)');
        assert.match(shown.font, /system-ui/, 'the stylesheet applies');
        assert.equal(shown.chart, 2, 'the progress chart draws both series');
        assert.deepEqual(requests, [url], 'nothing fetched beyond the page');
        assert.deepEqual(dialogs, []);
        await page.screenshot({ path: join(RESULTS, `report-${scheme}.png`), fullPage: true });
        await page.screenshot({ path: join(RESULTS, `report-${scheme}-top.png`) });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });

  it('`veil report` writes a report where asked and `--check` exits 0, or 1 on altered evidence; an existing file is never overwritten', async () => {
    const { root, signer } = prepared;
    const outDir = tempDir('veil-report-out-');
    const html = join(outDir, 'report.html');
    const made = await runCli(['report', root, '--out', html, '--sign', signer.keyFile, '--no-redetect']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^report: {3}.*report\.html$/m);
    assert.match(made.stdout, /signed by auditor/);
    assert.equal(evidenceOf(join(outDir, 'report.json')).evidence.verification.redetect, null);
    const check = await runCli(['report', '--check', join(outDir, 'report.json'), root]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /ok: the evidence is authentic/);

    const file = evidenceOf(join(outDir, 'report.json'));
    file.evidence.openings = [];
    writeFileSync(join(outDir, 'report.json'), JSON.stringify(file));
    const altered = await runCli(['report', '--check', join(outDir, 'report.json'), root]);
    assert.equal(altered.code, 1);
    assert.match(altered.stderr, /problem: its signature does not verify/);

    const again = await runCli(['report', root, '--out', html, '--no-redetect']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /report\.html: already exists; a report is never written over a file/);
    const keyFile = join(outDir, 'key.txt');
    writeFileSync(keyFile, 'AGE-SECRET-KEY-1…');
    assert.equal((await rpcError(daemon.client.request('report/create', { root, out: keyFile }))).code, -33001);
    assert.equal(readFileSync(keyFile, 'utf8'), 'AGE-SECRET-KEY-1…', 'a file named as --out is left as it was');
    assert.ok(!existsSync(`${keyFile}.json`));
    for (const args of [['report'], ['report', root, '--signer', signer.publicKey], ['report', '--check', 'x.json', root, 'extra']]) {
      assert.equal((await runCli(args)).code, 2, args.join(' '));
    }
  });
});

function evidenceOf(path: string): { evidence: Record<string, any> } & Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}
