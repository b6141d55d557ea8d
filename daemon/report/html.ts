/**
 * The compliance report as one self-contained HTML page drawn from the evidence: inline CSS and SVG, no script, no
 * external resource (its Content-Security-Policy forbids both), light and dark through prefers-color-scheme, readable
 * printed. Every string from the dataset goes through `html`, which escapes it.
 */
import type { AuditFlag, VerifyFinding } from '../protocol';
import type { Evidence } from './evidence';
import type { EvidenceSignature } from './evidenceFile';
import { progressChart } from './chart';
import { html, type Markup } from './markup';
import { CITATIONS, type ReportSection } from './regulations';
import { REPORT_CSS } from './style';

export interface ReportSignature {
  /** The evidence file's name, beside the report. */
  evidenceFile: string;
  signature: EvidenceSignature | null;
  /** Whether the dataset's policy lists the signing key. */
  trusted: boolean;
}

const TITLES: Record<ReportSection, string> = {
  anonymization: 'What was anonymized, and how',
  review: 'Who reviewed, and when',
  verification: 'Verification',
  vault: 'Vault and retention',
  keys: 'Key changes',
  openings: 'Openings of originals',
  monitoring: 'Monitoring',
  chain: 'Audit log and signed chain head',
  policy: 'Policy',
};

/** "2026-11-29 14:03:12Z" */
function time(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** A time in a table cell, kept on one line. */
function when(iso: string): Markup {
  return html`<span class="nowrap">${time(iso)}</span>`;
}

function short(sha: string): Markup {
  return html`<code title="${sha}">${sha.slice(0, 12)}…</code>`;
}

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<Markup | string | number>>, empty: string): Markup {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  const numeric = headers.map((_, col) => rows.every((row) => typeof row[col] === 'number'));
  return html`<div class="scroll"><table><thead><tr>${headers.map((header, col) => html`<th class="${numeric[col] ? 'num' : ''}">${header}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr>${row.map((cell) => (typeof cell === 'number' ? html`<td class="num">${cell}</td>` : html`<td>${cell}</td>`))}</tr>`,
  )}</tbody></table></div>`;
}

function facts(pairs: ReadonlyArray<readonly [string, Markup | string | number]>): Markup {
  return html`<dl class="facts">${pairs.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl>`;
}

function citations(section: ReportSection): Markup {
  return html`<aside class="cites"><h3>Evidence for</h3><ul>${CITATIONS[section].map(
    (cite) => html`<li><span class="law ${cite.law.toLowerCase()}">${cite.law}</span> <b>${cite.ref}</b> ${cite.title}: <span class="muted">${cite.how}.</span></li>`,
  )}</ul></aside>`;
}

function section(id: ReportSection, body: Markup): Markup {
  return html`<section id="${id}"><h2>${TITLES[id]}</h2>${body}${citations(id)}</section>`;
}

function badge(ok: boolean, good: string, bad: string): Markup {
  return html`<span class="badge ${ok ? 'ok' : 'bad'}">${ok ? good : bad}</span>`;
}

function anonymizationSection(evidence: Evidence): Markup {
  const { files, faces, redaction, models, modelOnlyImages, excluded } = evidence.anonymization;
  return section(
    'anonymization',
    html`<p>${files.committed} of ${files.images} images are committed: each replaced by an anonymized version whose faces are redacted, its original kept encrypted in the vault.</p>
${facts([
  ['Files that can hold a face', files.faceFiles],
  ['Images committed', files.committed],
  ['Images reviewed, not yet committed', files.reviewed],
  ['Images not reviewed', files.unreviewed],
  ['Files excluded by a person', files.excluded],
  ['Files Veil cannot anonymize (videos, damaged images)', files.refused],
  ['Images committed with model boxes nobody reviewed', modelOnlyImages],
])}
<h3>Faces in the committed images, by where their box came from</h3>
${table(
  ['source', 'boxes'],
  [
    ['proposed by the model', faces.proposedByModel],
    ['model box accepted as detected', faces.acceptedAsDetected],
    ['model box adjusted by a person', faces.adjusted],
    ['drawn by a person', faces.drawn],
    ['model box redacted without review', faces.unreviewed],
    ['rejected as no face (not redacted)', faces.rejected],
    ['redacted, as the audit log records', faces.redactedPerLog],
  ],
  'No committed image.',
)}
<h3>Redaction</h3>
${table(['mode', 'shape', 'margin', 'more for doubted model boxes', 'images'], redaction.map((used) => [used.mode, used.shape, `${Math.round(used.margin * 100)} %`, used.doubtMargin ? `${Math.round(used.doubtMargin * 100)} % × (1 − score)` : 'none', used.images]), 'No committed image.')}
<h3>Models</h3>
${table(
  ['model', 'threshold', 'images', 'sha256 (installed now)'],
  models.map((model) => [model.name ?? '(none: boxes drawn by hand)', model.threshold ?? '', model.images, model.sha256 ? html`<code class="hash">${model.sha256}</code> ${model.hashStatus === 'ok' ? '' : html`<span class="badge bad">${model.hashStatus}</span>`}` : html`<span class="muted">not installed here</span>`]),
  'No committed image.',
)}
<h3>Excluded files</h3>
${table(['file', 'reason', 'by', 'at'], excluded.map((item) => [item.file, item.reason, item.by, when(item.at)]), 'No file is excluded.')}`,
  );
}

function reviewSection(evidence: Evidence): Markup {
  const { reviewers, commits, progress } = evidence.review;
  const total = Math.max(evidence.anonymization.files.images, evidence.review.imagesSeen);
  return section(
    'review',
    html`<h3>Review progress</h3>${progressChart(progress, total, evidence.dataset.generatedAt)}
<h3>Reviewers</h3>
${table(['reviewer', 'decisions', 'images marked reviewed', 'first', 'last'], reviewers.map((r) => [r.name, r.decisions, r.imagesReviewed, when(r.first), when(r.last)]), 'No review decision is recorded.')}
<h3>Commits</h3>
${table(
  ['entry', 'at', 'by', 'committed', 'failed', 'not started', 'note'],
  commits.map((c) => [c.seq, when(c.at), c.actor, c.committed, c.failed, c.notStarted, [c.cancelled ? 'cancelled' : '', c.includeUnreviewed ? 'unreviewed images included' : ''].filter(Boolean).join('; ')]),
  'No commit yet.',
)}`,
  );
}

function findingRows(findings: readonly VerifyFinding[]) {
  return findings.map((finding) => [finding.kind, finding.file ?? '', finding.message]);
}

function verificationSection(evidence: Evidence): Markup {
  const v = evidence.verification;
  return section(
    'verification',
    html`<p>${badge(v.ok, 'no findings', `${v.findings.length} finding(s)`)} Checked ${v.checked.auditEntries} audit entries, ${v.checked.images} committed images, ${v.checked.vaultObjects} vault objects (${
      v.decrypted ? 'decrypted and compared' : 'matched against their audited hashes'
    }) and ${v.checked.signatures} checkpoint signatures, reading every file of the vault. ${
      v.redetect ? `Faces were searched for again in every committed image with ${v.redetect.model}.` : 'Faces were not searched for again.'
    }</p>
${table(['finding', 'file', 'detail'], findingRows(v.findings), 'Nothing was found.')}
<h3>What the verification could not prove</h3>
${v.limits.length === 0 ? html`<p class="muted">Nothing left unproven.</p>` : html`<ul>${v.limits.map((limit) => html`<li>${limit}</li>`)}</ul>`}`,
  );
}

function vaultSection(evidence: Evidence): Markup {
  const { vault } = evidence;
  const { retention } = vault;
  const retentionWords = retention.days === null ? 'no retention set: originals are kept until a person purges them' : `${retention.days} days after commit, then ${retention.action === 'purge' ? 'purged' : 'reported'}`;
  return section(
    'vault',
    html`${facts([
      ['Encrypted originals in the vault', vault.objects],
      ['Retention', retentionWords],
      ['Within retention', retention.states.retained],
      ['Past retention', retention.states.expired],
      ['On hold', retention.states.held],
      ['Restored for re-review', retention.states.restored],
      ['Kept without retention', retention.states['no-retention']],
      ['Purged', vault.purged.length],
      ['Objects with no record of their recipients', vault.unknownRecipients],
    ])}
<h3>Recipients (who can open the originals)</h3>
${table(['recipient', 'commits encrypt to it', 'roles', 'opens'], vault.recipients.map((r) => [html`<code class="hash">${r.recipient}</code>`, r.listed ? 'yes' : 'no (former)', r.roles.join(', '), `${r.opens} of ${vault.objects}`]), 'No recipient.')}
<h3>Past retention</h3>
${table(['vault object', 'images', 'committed', 'expired'], retention.expired.map((item) => [short(item.vaultObject), item.files.join(', '), when(item.committedAt), item.expiresAt ? when(item.expiresAt) : '']), 'No original is past its retention.')}
<h3>Holds</h3>
${table(['vault object', 'images', 'reason', 'by', 'until'], retention.held.map((item) => [short(item.vaultObject), item.files.join(', '), item.hold?.reason ?? '', item.hold?.by ?? '', item.hold?.until ? when(item.hold.until) : 'released by a person']), 'No original is on hold.')}
<h3>Purged originals</h3>
${table(['entry', 'at', 'by', 'vault object', 'images', 'state', 'reason'], vault.purged.map((p) => [p.seq, when(p.at), p.actor, short(p.vaultObject), p.files.join(', '), p.state, p.reason ?? '']), 'No original was purged.')}`,
  );
}

function keysSection(evidence: Evidence): Markup {
  return section(
    'keys',
    table(
      ['entry', 'at', 'by', 'change', 'recipient', 'recipients after', 'originals re-encrypted'],
      evidence.keyChanges.map((k) => [k.seq, when(k.at), k.actor, k.change, k.recipient ? html`<code class="hash">${k.recipient}</code>` : '', k.recipients.length, `${k.rewrapped} of ${k.objects}`]),
      'The recipients never changed after the first commit.',
    ),
  );
}

function openingsSection(evidence: Evidence): Markup {
  return section(
    'openings',
    html`${table(
      ['entry', 'at', 'by', 'image', 'purpose', 'key', 'where'],
      evidence.openings.map((o) => [o.seq, when(o.at), o.actor, o.file, o.purpose ?? html`<span class="badge bad">none stated</span>`, o.recipient ? short(o.recipient) : '', o.to]),
      'No original was opened.',
    )}
<h3>Refused openings</h3>
${table(['entry', 'at', 'by', 'image', 'why', 'purpose'], evidence.refusals.map((r) => [r.seq, when(r.at), r.actor, r.file, r.reason, r.purpose ?? '']), 'No opening was refused.')}
<h3>Originals restored into the dataset</h3>
${table(['entry', 'at', 'by', 'image', 'purpose'], evidence.restores.map((r) => [r.seq, when(r.at), r.actor, r.file, r.purpose]), 'No original was restored.')}`,
  );
}

function flagRows(flags: readonly AuditFlag[]) {
  return flags.map((flag) => [flag.seq ?? '', flag.at ? when(flag.at) : '', flag.kind, flag.actor ?? '', flag.file ?? '', flag.message]);
}

function monitoringSection(evidence: Evidence): Markup {
  const { monitoring } = evidence;
  return section(
    'monitoring',
    html`<p>${badge(monitoring.ok, 'nothing flagged', `${monitoring.flags.length} flag(s)`)}</p>
<ul>${monitoring.rules.map((rule) => html`<li>${rule}</li>`)}</ul>
${table(['entry', 'at', 'flag', 'reviewer', 'file', 'detail'], flagRows(monitoring.flags), 'Nothing is flagged.')}`,
  );
}

function chainSection(evidence: Evidence, signing: ReportSignature): Markup {
  const { chain } = evidence;
  const signed = chain.signedThrough;
  const sig = signing.signature;
  return section(
    'chain',
    facts([
      ['Audit entries', chain.entries],
      ['Chain head', html`<code class="hash">${chain.head}</code>`],
      ['Checkpoint signatures in the log', chain.signatures],
      ['Signed by a trusted key', signed ? `the first ${signed.entries} entries, by ${signed.signer} at ${time(signed.signedAt)}` : html`<span class="badge bad">no trusted signature covers the log</span>`],
      ['Evidence file', signing.evidenceFile],
      [
        'Evidence signed by',
        sig
          ? html`${sig.signer} at ${time(sig.signedAt)} ${badge(signing.trusted, 'trusted by the policy', 'not in the policy’s signers')}<br><code class="hash">${sig.publicKey}</code>`
          : html`<span class="badge bad">not signed</span>`,
      ],
      ['Check it', html`<code>veil report --check ${signing.evidenceFile}</code>`],
    ]),
  );
}

function policySection(evidence: Evidence): Markup {
  const { policy } = evidence;
  const { purposes, monitoring } = policy;
  return section(
    'policy',
    html`${facts([
      ['Policy file', policy.present ? html`<code class="hash">${policy.sha256 ?? ''}</code>` : 'none: every default applies'],
      ['Purposes', `${purposes.allowed.join(', ') || 'none listed'}${purposes.required ? (purposes.freeText ? '; others in words accepted' : '; only these') : '; any words accepted'}`],
      ['Working hours', monitoring.workingHours ? `${monitoring.workingHours.days.join(', ')} ${monitoring.workingHours.from}–${monitoring.workingHours.to} (${monitoring.workingHours.timeZone})` : 'not set'],
      ['Openings per reviewer and day', monitoring.maxOpeningsPerActorPerDay ?? 'not limited'],
      ['Trusted signers', policy.signers.map((signer) => signer.name).join(', ') || 'none'],
    ])}
${table(['role', 'description', 'members', 'keys', 'may open originals'], policy.roles.map((role) => [role.name, role.description, role.members.join(', '), role.recipients.length, role.mayOpenOriginals ? 'yes' : 'no']), 'The policy names no roles.')}`,
  );
}

function summary(evidence: Evidence, signing: ReportSignature): Markup {
  const { files } = evidence.anonymization;
  const cards: Array<[string, Markup | string, boolean]> = [
    ['Anonymized', `${files.committed} of ${files.images} images`, files.committed === files.images],
    ['Verification', evidence.verification.ok ? 'no findings' : `${evidence.verification.findings.length} finding(s)`, evidence.verification.ok],
    ['Monitoring', evidence.monitoring.ok ? 'nothing flagged' : `${evidence.monitoring.flags.length} flag(s)`, evidence.monitoring.ok],
    ['Openings', `${evidence.openings.length} (${evidence.refusals.length} refused)`, true],
    ['Evidence', signing.signature ? `signed by ${signing.signature.signer}` : 'not signed', signing.signature !== null && signing.trusted],
  ];
  return html`<div class="cards">${cards.map(([title, value, ok]) => html`<div class="card ${ok ? 'ok' : 'bad'}"><div class="card-title">${title}</div><div class="card-value">${value}</div></div>`)}</div>`;
}

const ORDER: ReportSection[] = ['anonymization', 'review', 'verification', 'vault', 'keys', 'openings', 'monitoring', 'chain', 'policy'];

export function reportHtml(evidence: Evidence, signing: ReportSignature): string {
  const { dataset } = evidence;
  const body: Record<ReportSection, Markup> = {
    anonymization: anonymizationSection(evidence),
    review: reviewSection(evidence),
    verification: verificationSection(evidence),
    vault: vaultSection(evidence),
    keys: keysSection(evidence),
    openings: openingsSection(evidence),
    monitoring: monitoringSection(evidence),
    chain: chainSection(evidence, signing),
    policy: policySection(evidence),
  };
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Veil compliance report: ${dataset.name}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Compliance report: ${dataset.name}</h1>
<p class="meta">Generated ${time(dataset.generatedAt)} by ${dataset.generatedBy.reviewer} (OS user ${dataset.generatedBy.osUser}) with Veil ${dataset.daemonVersion}, from <code class="hash">${dataset.root}</code>; audit log at ${evidence.chain.entries} entries, head ${short(evidence.chain.head)}. Times are UTC.</p>
${summary(evidence, signing)}
<p class="note">Each section names the HIPAA (45 CFR Part 164) and GDPR provisions it gives evidence for. Evidence supports compliance; it does not establish it, and covers what Veil does: faces in images, their encrypted originals and the log of who did what with them.</p>
<nav><ol>${ORDER.map((id) => html`<li><a href="#${id}">${TITLES[id]}</a></li>`)}</ol></nav>
</header>
<main>
${ORDER.map((id) => body[id])}
</main>
<footer><p class="muted">The signed evidence file ${signing.evidenceFile} holds everything this page shows; <code>veil report --check</code> checks its signature against the dataset’s trusted signers and that the audit log still holds the head above.</p></footer>
</body>
</html>
`;
  return page.text;
}
