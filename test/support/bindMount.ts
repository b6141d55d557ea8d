/**
 * A second mount of a folder, for processes a test starts (README "What the shared filesystem must provide"): each
 * such process is started in a mount namespace of its own (`unshare`), where the folder is bind-mounted at a second
 * path before the process is exec'd. The mount lives and dies with that namespace: nothing is ever mounted on the host,
 * and nothing is left to unmount when a test fails. Without the namespace's mount, the second path is an empty folder.
 *
 * The way is found once: `unshare -Urm` (a user namespace mapping this user to root, and a mount namespace) needs no
 * root where the kernel allows unprivileged user namespaces; as root, plain `unshare -m` is tried next. If neither can
 * make a bind mount, `bindMountWay` throws saying why: a test of the second mount must fail there, never skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess, type CliRun } from './cli';
import { tempDir } from './images';

/** `sh -c` script: bind-mount $1 at $2, then become the rest of the arguments. */
const MOUNT_THEN_EXEC = 'mount --bind "$1" "$2" && shift 2 && exec "$@"';

/** A folder seen at a second path by the processes started through it. */
export interface BindMount {
  /** The folder's own path. */
  source: string;
  /** Where the processes started through `run` see it (an empty folder on the host). */
  target: string;
  /** Runs `command` (with its own VEIL_HOME, `env` added) in a namespace where `source` is mounted at `target`. */
  run(command: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
}

function unshareWays(): Array<{ flags: string[]; needs: string }> {
  const ways = [{ flags: ['-Urm'], needs: 'unprivileged user namespaces (kernel.unprivileged_userns_clone / user.max_user_namespaces)' }];
  if (process.getuid?.() === 0) ways.push({ flags: ['-m'], needs: 'root (CAP_SYS_ADMIN)' });
  return ways;
}

let found: string[] | undefined;

/** The `unshare` flags that can bind-mount here; throws naming each way tried and why it failed. */
export function bindMountWay(): string[] {
  if (found) return found;
  const source = tempDir('veil-mount-probe-');
  const target = tempDir('veil-mount-probe-at-');
  writeFileSync(join(source, 'probe'), '');
  const failures: string[] = [];
  for (const way of unshareWays()) {
    const probe = spawnSync('unshare', [...way.flags, 'sh', '-c', MOUNT_THEN_EXEC, 'veil-mount', source, target, 'test', '-e', join(target, 'probe')], { encoding: 'utf8' });
    if (probe.status === 0) return (found = way.flags);
    failures.push(`unshare ${way.flags.join(' ')} (needs ${way.needs}): ${probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`)}`);
  }
  throw new Error(`cannot bind-mount a second path of a folder here, so the second-mount test cannot run: ${failures.join('; ')}`);
}

/** `source` seen at `target` (made empty if absent) by the processes `run` starts. */
export function bindMount(source: string, target = tempDir('veil-second-mount-')): BindMount {
  const flags = bindMountWay();
  if (!existsSync(target)) mkdirSync(target, { recursive: true });
  return {
    source,
    target,
    run: (command, env = {}) => runProcess(['unshare', ...flags, 'sh', '-c', MOUNT_THEN_EXEC, 'veil-mount', source, target, ...command], env),
  };
}
