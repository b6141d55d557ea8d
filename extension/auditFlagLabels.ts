/** How the audit trail view shows the monitor's flags: each kind in words, and the tooltip of a flagged entry. */
import * as vscode from 'vscode';
import type { AuditFlag, AuditFlagKind } from '../daemon/protocol';

export const FLAG_LABELS: Record<AuditFlagKind, string> = {
  'outside-working-hours': 'Opened outside working hours',
  'too-many-openings': 'Too many openings in a day',
  'opening-without-purpose': 'Opened without a purpose',
  'purpose-not-allowed': 'Opened for a purpose the policy does not allow',
  'opening-refused': 'Opening refused',
  'forced-purge': 'Purged before its retention ran out',
  'audit-chain': 'Audit log broken',
  'signature-problem': 'Checkpoint signature problem',
  'policy-problem': 'Policy not as audited',
};

export const FLAG_ICON = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));

export function flagTooltip(flag: AuditFlag): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${FLAG_LABELS[flag.kind]}** (\`${flag.kind}\`${flag.seq === undefined ? '' : `, entry ${flag.seq}`})\n\n`);
  tooltip.appendText(flag.message);
  return tooltip;
}
