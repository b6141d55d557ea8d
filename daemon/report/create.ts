/**
 * `report/create`: the compliance report of a dataset (README "Compliance report"). It verifies the dataset in full
 * (every vault object, re-detection by default), runs the monitor, reads the review state, the scan, the policy and the
 * vault, builds the evidence, writes it as a signed JSON file, then the HTML page drawn from that same evidence. Nothing
 * of the dataset changes and nothing is appended to its log: the evidence states the log's head as it read it.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ErrorCode, type ReportCreateParams, type ReportCreateResult } from '../protocol';
import { VeilError } from '../errors';
import type { CallContext } from '../core/callContext';
import type { ModelRegistry } from '../models/registry';
import { locateDataset } from '../dataset/locate';
import { veilPath } from '../dataset/layout';
import { scanFaceFiles } from '../dataset/scan';
import { syncDir, writeSynced } from '../storage/durable';
import { readExclusions } from '../review/exclusions';
import { readPolicy } from '../policy/policy';
import { verifyDataset, type VerifyDeps } from '../verify/verify';
import { readMonitor } from '../services/auditMonitor';
import { listRecipients } from '../services/recipients';
import { datasetSigner } from '../services/signers';
import { buildEvidence } from './evidence';
import { evidenceFileText, signedEvidence } from './evidenceFile';
import { reportHtml } from './html';

export interface ReportDeps extends VerifyDeps {
  registry: Pick<ModelRegistry, 'list' | 'defaultModelName'>;
  daemonVersion: string;
}

/** A report is a new file, never written over another (an `out` that names a key file must not destroy it). */
function refusal(path: string): VeilError {
  return new VeilError(ErrorCode.BadPath, 'already exists; a report is never written over a file (choose another --out)', path);
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  if (exists) throw refusal(path);
}

async function writeNew(path: string, text: string): Promise<void> {
  try {
    await writeSynced(path, Buffer.from(text), { exclusive: true });
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? refusal(path) : error;
  }
  await syncDir(dirname(path));
}

/** The HTML report and its evidence beside it: `out` (its `.json` twin), or `.veil/reports/report-<time>.html`. */
function reportPaths(root: string, out: string | undefined, now: Date): { html: string; evidence: string } {
  const html = out ? resolve(out) : resolve(veilPath(root, 'reports'), `report-${now.toISOString().replace(/[:.]/g, '-')}.html`);
  return { html, evidence: html.endsWith('.html') ? `${html.slice(0, -'.html'.length)}.json` : `${html}.json` };
}

export async function createReport(params: ReportCreateParams, ctx: CallContext, deps: ReportDeps): Promise<ReportCreateResult> {
  const { root } = locateDataset(params.root);
  const now = new Date();
  // The key first: one refused (inside the dataset, no Ed25519 key) costs no verification.
  const signer = params.signingKey ? await datasetSigner(root, params.signingKey, ctx.actor) : undefined;
  const paths = reportPaths(root, params.out, now);
  await refuseExisting(paths.html);
  await refuseExisting(paths.evidence);
  const redetect = params.redetect ?? true;
  const { passphrase } = params;
  const verify = await verifyDataset(
    { root, identity: params.identity, redetect, full: true },
    ctx,
    passphrase === undefined ? deps : { ...deps, passphrase: async () => passphrase },
  );
  const monitor = await readMonitor({ root });
  const { store } = await deps.datasets.open(root);
  await store.refresh();
  const evidence = buildEvidence({
    root,
    name: basename(root),
    now,
    actor: ctx.actor,
    daemonVersion: deps.daemonVersion,
    entries: monitor.entries,
    checkpoint: monitor.checkpoint,
    records: store.records(),
    scan: await scanFaceFiles(root),
    exclusions: await readExclusions(root),
    models: await deps.registry.list(),
    policy: await readPolicy(root),
    recipients: await listRecipients({ root }),
    verify,
    redetectModel: redetect ? await deps.registry.defaultModelName() : null,
    decrypted: params.identity !== undefined,
    monitor: monitor.result,
  });
  const file = signedEvidence(evidence, signer && { key: signer.key, name: signer.name }, now);
  await mkdir(dirname(paths.html), { recursive: true });
  await writeNew(paths.evidence, evidenceFileText(file));
  const trusted = signer?.trusted ?? false;
  await writeNew(paths.html, reportHtml(evidence, { evidenceFile: basename(paths.evidence), signature: file.signature, trusted }));
  return {
    root,
    html: paths.html,
    evidence: paths.evidence,
    signed: signer && { signer: signer.name, publicKey: signer.key.publicKey, trusted },
    checkpoint: { entries: evidence.chain.entries, head: evidence.chain.head },
    findings: verify.findings.length,
    flags: monitor.result.flags.length,
  };
}
