/** Policies and datasets for the monitor and report tests, made through the real daemon. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonClient } from '../../client/daemonClient';
import type { Policy, PolicyWorkingHours } from '../../daemon/protocol';
import { tempDir } from './images';

/** Working hours in Kolkata (UTC+05:30 all year) from `fromHours` to `toHours` after the present hour there, every day. */
export function hoursAroundNow(fromHours: number, toHours: number, now = new Date()): PolicyWorkingHours {
  const local = (now.getUTCHours() * 60 + now.getUTCMinutes() + 330) % (24 * 60);
  const clock = (offsetHours: number) => {
    const minutes = (((local + offsetHours * 60) % (24 * 60)) + 24 * 60) % (24 * 60);
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  };
  return { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: clock(fromHours), to: clock(toHours), timeZone: 'Asia/Kolkata' };
}

/** Puts `policy` in place through `policy/apply` (audited, as a person would). */
export async function applyPolicy(client: DaemonClient, root: string, policy: Partial<Policy>): Promise<void> {
  const file = join(tempDir('veil-policy-'), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  await client.request('policy/apply', { root, file });
}

/** A new signing key outside every dataset, created by the daemon. */
export async function newSigningKey(client: DaemonClient): Promise<{ keyFile: string; publicKey: string }> {
  const out = join(tempDir('veil-signer-'), 'signing.pem');
  const { publicKey, keyFile } = await client.request('signer/create', { out });
  return { keyFile, publicKey };
}
