/**
 * The audit trail's commands: open a dataset's trail (the Veil view's dataset action, the palette), filter it by
 * reviewer or by action (quick picks of those the log holds), show older entries, read it again.
 */
import * as vscode from 'vscode';
import type { AuditAction } from '../daemon/protocol';
import { ACTION_LOOKS } from './auditTrailLabels';
import { AUDIT_VIEW_ID, type AuditTrailView } from './auditTrailView';
import { registerVeilCommand, type CommandHost } from './commandRegistration';
import type { DatasetIndex } from './datasetIndex';
import { resolveDatasetFolder } from './datasetFolder';

interface AuditCommandDeps extends CommandHost {
  index: DatasetIndex;
  trail: AuditTrailView;
}

/** The trail shown now, or a refusal saying how to show one. */
function shownTrail(trail: AuditTrailView) {
  const shown = trail.shown();
  if (!shown) throw new Error('no audit trail is shown: open one with "Open Audit Trail" on a dataset of the Veil view');
  return shown;
}

/** `all`: the item that clears the filter; `values`: what the log holds. Undefined when the person cancelled. */
async function pickFilter<T extends string>(title: string, all: string, values: readonly T[], label: (value: T) => string, current: T | undefined) {
  const items = [{ label: all, value: undefined }, ...values.map((value) => ({ label: label(value), value }))].map((item) => ({
    ...item,
    description: item.value === current ? 'current' : undefined,
  }));
  return vscode.window.showQuickPick(items, { title, ignoreFocusOut: true });
}

export function registerAuditTrailCommands(deps: AuditCommandDeps): void {
  registerVeilCommand(deps, 'veil.openAuditTrail', async (target) => {
    const folder = await resolveDatasetFolder(target, 'Open');
    if (!folder) return undefined;
    const result = await deps.trail.show(deps.index.rootOf(folder) ?? folder);
    await vscode.commands.executeCommand(`${AUDIT_VIEW_ID}.focus`);
    return result;
  });

  registerVeilCommand(deps, 'veil.filterAuditByReviewer', async () => {
    const { filter, result } = shownTrail(deps.trail);
    const picked = await pickFilter('Veil: show the entries of one reviewer', 'All reviewers', result.actors, (actor) => actor, filter.actor);
    return picked && deps.trail.setFilter({ ...filter, actor: picked.value });
  });

  registerVeilCommand(deps, 'veil.filterAuditByAction', async () => {
    const { filter, result } = shownTrail(deps.trail);
    const label = (action: AuditAction) => `${ACTION_LOOKS[action].label} (${action})`;
    const picked = await pickFilter('Veil: show the entries of one action', 'All actions', result.actions, label, filter.action);
    return picked && deps.trail.setFilter({ ...filter, action: picked.value });
  });

  registerVeilCommand(deps, 'veil.showMoreAuditEntries', async (node) => {
    const next = typeof node === 'object' && node !== null ? (node as { next?: unknown }).next : undefined;
    if (typeof next === 'number') await deps.trail.showMore(next);
  });

  registerVeilCommand(deps, 'veil.refreshAuditTrail', async () => {
    const { root } = shownTrail(deps.trail);
    deps.trail.changedIn(root);
  });
}
