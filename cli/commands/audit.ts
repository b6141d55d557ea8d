/**
 * `veil audit <dir>`: the audit trail a person reads (who did what, to which image, why, when), filtered, and the
 * monitor's flags (README "Monitoring"). Exits 4 when anything is flagged, so it can run from cron or CI; under `--json`
 * the result is one document instead of the tables.
 */
import { resolve } from 'node:path';
import { AUDIT_ACTIONS, type AuditAction, type AuditMonitorResult, type AuditTrailFilter } from '../../daemon/protocol';
import { enumOption, onePositional, parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { formatTable } from '../table';
import { EXIT } from '../exitCodes';

const USAGE =
  'veil audit <dir> [--actor NAME] [--action ACTION …] [--file FILE] [--since WHEN] [--until WHEN] [--signer veil-ed25519:… …]\n' +
  '  WHEN: 2026-11-29 (that day, local time), 2026-11-29T14:00 (local), 2026-11-29T14:00:00Z or +01:00, or 24h / 7d / 30m ago';

const UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time the user typed, as the instant the daemon filters by: a day starts at local midnight (`--until` a day takes
 * that day in whole, up to the next midnight), a time without an offset is local, `24h` is that long before `now`.
 */
export function parseWhen(value: string | undefined, option: 'since' | 'until', now = new Date()): string | undefined {
  if (value === undefined) return undefined;
  const ago = /^(\d+)([mhd])$/.exec(value);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNITS_MS[ago[2]]).toISOString();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const at = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (option === 'until' ? 1 : 0)) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? new Date(value) : undefined;
  if (!at || !Number.isFinite(at.getTime())) throw new UsageError(`--${option} must be a date (2026-11-29), a time (2026-11-29T14:00, with Z or +01:00 for another zone) or a span ago (24h, 7d, 30m), not "${value}"`);
  return at.toISOString();
}

function printTrail(io: CliIO, trail: NonNullable<AuditMonitorResult['trail']>): void {
  const rows = trail.entries.map((entry) => [entry.seq, entry.at, entry.actor?.reviewer ?? 'Veil', entry.action, entry.file ?? '', entry.purpose ?? '', entry.details]);
  if (rows.length > 0) for (const line of formatTable(['entry', 'at (UTC)', 'reviewer', 'action', 'file', 'purpose', 'details'], rows)) io.stdout(line);
  io.stdout(`${trail.matched} of ${trail.total} audit entries${trail.matched === trail.total ? '' : ' pass the filter'}`);
}

function printFlags(io: CliIO, monitor: AuditMonitorResult): void {
  for (const rule of monitor.rules) io.stdout(`rule: ${rule}`);
  if (monitor.ok) {
    io.stdout(`ok: nothing flagged (${monitor.checked.entries} entries, ${monitor.checked.openings} openings, ${monitor.checked.signatures} checkpoint signatures)`);
    return;
  }
  const rows = monitor.flags.map((flag) => [flag.kind, flag.seq ?? '', flag.at ?? '', flag.actor ?? '', flag.file ?? '', flag.message]);
  for (const line of formatTable(['flag', 'entry', 'at (UTC)', 'reviewer', 'file', 'detail'], rows)) io.stdout(line);
  io.stderr(`${monitor.flags.length} flag(s)`);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      actor: { type: 'string' },
      action: { type: 'string', multiple: true },
      file: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      signer: { type: 'string', multiple: true },
    },
    USAGE,
  );
  const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', USAGE));
  const actions = values.action?.map((action) => enumOption(action, AUDIT_ACTIONS, 'action') as AuditAction);
  const filter: AuditTrailFilter = {
    actor: values.actor,
    actions: actions && [...new Set(actions)],
    file: values.file,
    since: parseWhen(values.since, 'since'),
    until: parseWhen(values.until, 'until'),
  };
  // One reading of the log for the trail and the flags (a line that does not parse is left out of the trail and flagged).
  const monitor = await withDaemon(io, (client) => client.request('audit/monitor', { root, signers: values.signer, trail: true, ...filter }));
  const trail = monitor.trail ?? { entries: [], total: 0, matched: 0 };
  io.result({ root: monitor.root, ok: monitor.ok, checked: monitor.checked, rules: monitor.rules, flags: monitor.flags, filter, trail });
  printTrail(io, trail);
  printFlags(io, monitor);
  return monitor.ok ? EXIT.ok : EXIT.flagged;
}
