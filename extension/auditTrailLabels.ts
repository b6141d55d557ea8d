/** How the audit trail view shows an entry: the action in words, its icon, the time, who, and a tooltip with everything. */
import * as vscode from 'vscode';
import type { AuditAction, AuditListEntry } from '../daemon/protocol';

export const ACTION_LOOKS: Record<AuditAction, { label: string; icon: vscode.ThemeIcon }> = {
  'detect-run': { label: 'Detection run', icon: new vscode.ThemeIcon('search') },
  'detect-image': { label: 'Faces detected', icon: new vscode.ThemeIcon('eye') },
  'review-change': { label: 'Review decision', icon: new vscode.ThemeIcon('pass') },
  'review-reconcile': { label: 'Review state reconciled', icon: new vscode.ThemeIcon('sync') },
  exclude: { label: 'Excluded', icon: new vscode.ThemeIcon('circle-slash') },
  include: { label: 'Included again', icon: new vscode.ThemeIcon('add') },
  'commit-image': { label: 'Image anonymized', icon: new vscode.ThemeIcon('lock') },
  commit: { label: 'Commit', icon: new vscode.ThemeIcon('check-all') },
  // Someone saw a face: the entry a reader of the trail looks for.
  'open-original': { label: 'Original opened', icon: new vscode.ThemeIcon('unlock', new vscode.ThemeColor('list.warningForeground')) },
  'open-refused': { label: 'Opening refused', icon: new vscode.ThemeIcon('shield', new vscode.ThemeColor('list.errorForeground')) },
  'policy-change': { label: 'Policy changed', icon: new vscode.ThemeIcon('law') },
  'checkpoint-signature': { label: 'Checkpoint signed', icon: new vscode.ThemeIcon('verified') },
  'recipients-change': { label: 'Recipients changed', icon: new vscode.ThemeIcon('key') },
  'vault-rewrap': { label: 'Original re-encrypted', icon: new vscode.ThemeIcon('lock') },
  'retention-hold': { label: 'Originals held', icon: new vscode.ThemeIcon('pin') },
  'retention-release': { label: 'Hold released', icon: new vscode.ThemeIcon('pinned-dirty') },
  'vault-purge': { label: 'Original purged', icon: new vscode.ThemeIcon('trash') },
  // The original is back in the dataset: someone will see a face.
  'restore-original': { label: 'Original restored', icon: new vscode.ThemeIcon('history', new vscode.ThemeColor('list.warningForeground')) },
  backup: { label: 'Backed up', icon: new vscode.ThemeIcon('archive') },
  'backup-restore': { label: 'Rebuilt from a backup', icon: new vscode.ThemeIcon('history') },
  'backup-prune': { label: 'Old backups removed', icon: new vscode.ThemeIcon('trash') },
  'audit-repair': { label: 'Log repaired', icon: new vscode.ThemeIcon('tools') },
  'annotations-import': { label: 'Annotations imported', icon: new vscode.ThemeIcon('cloud-download') },
  'segment-open': { label: 'Shard segment opened', icon: new vscode.ThemeIcon('split-horizontal') },
  'segment-close': { label: 'Shard segment folded', icon: new vscode.ThemeIcon('merge') },
};

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2026-11-29 14:03:12", local time. */
export function localTime(iso: string): string {
  const at = new Date(iso);
  const date = `${at.getFullYear()}-${twoDigits(at.getMonth() + 1)}-${twoDigits(at.getDate())}`;
  return `${date} ${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}:${twoDigits(at.getSeconds())}`;
}

/** "Image anonymized: a.jpg" */
export function entryLabel(entry: AuditListEntry): string {
  return `${ACTION_LOOKS[entry.action].label}${entry.file ? `: ${entry.file}` : ''}`;
}

/** "2026-11-29 14:03:12 · Alice — fill (rect, margin 0.25): 1 box redacted…" */
export function entryDescription(entry: AuditListEntry): string {
  return `${localTime(entry.at)} · ${entry.actor?.reviewer ?? 'Veil'} — ${entry.details}`;
}

export function entryTooltip(entry: AuditListEntry): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${ACTION_LOOKS[entry.action].label}** (\`${entry.action}\`, entry ${entry.seq})\n\n`);
  tooltip.appendText(`${localTime(entry.at)}${entry.actor ? ` by ${entry.actor.reviewer} (OS user ${entry.actor.osUser})` : ''}\n\n`);
  if (entry.file) tooltip.appendText(`${entry.file}\n\n`);
  tooltip.appendText(entry.details);
  return tooltip;
}
