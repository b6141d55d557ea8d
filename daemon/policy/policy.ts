/**
 * `.veil/policy.json`: the dataset's governance policy — its one schema. The shape is declared in the RPC contract
 * (`Policy` in daemon/protocol.ts, since `policy/show` answers it); this module holds everything else about it: the
 * check every field passes when read back (typed over `Policy`, so a field without a check does not compile), the
 * defaults that make a dataset without a policy work as before, and the starter policy `policy/init` writes.
 *
 * Every field is optional in the file; unknown fields are refused (a misspelt "signer" must not silently leave a
 * dataset without trusted signers). A file that fails is refused with Corrupt naming the file and the field.
 */
import { stat } from 'node:fs/promises';
import { Encrypter } from 'age-encryption';
import {
  RETENTION_ACTIONS,
  WEEKDAYS,
  isRecord,
  type Policy,
  type PolicyMonitoring,
  type PolicyPurposes,
  type PolicyRetention,
  type PolicyRole,
  type PolicySigner,
  type PolicyWorkingHours,
} from '../protocol';
import { veilPath, veilRelative } from '../dataset/layout';
import { arrayOf, corrupt, exactly, flag, nullable, object, oneOf, optional, parseChecked, type Check } from '../storage/checks';
import { readRegularFile } from '../storage/regularFile';
import { sha256Hex } from '../storage/hash';
import { parsePublicKey } from '../audit/signingKey';

/** A policy is a few kilobytes; a larger file is not one (and is never read whole). */
const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_NAME_CHARS = 256;
const MAX_RETENTION_DAYS = 100 * 366;

/** The policy of a dataset without `.veil/policy.json`: nothing is checked against roles, purposes or hours. */
export const DEFAULT_POLICY: Policy = {
  version: 1,
  roles: {},
  purposes: { required: false, allowed: [], freeText: true },
  retention: { days: null, action: 'report' },
  signers: [],
  monitoring: { workingHours: null, maxOpeningsPerActorPerDay: null },
};
const DEFAULT_ROLE: PolicyRole = { description: '', members: [], recipients: [], mayOpenOriginals: false };

// ---- Field checks -----------------------------------------------------------------------------------------

const problem = (ok: boolean, what: string) => (ok ? undefined : `: expected ${what}`);

const name: Check = (value) => problem(typeof value === 'string' && value.trim().length > 0 && value.length <= MAX_NAME_CHARS && !/[\n\r]/.test(value), `a name of 1 to ${MAX_NAME_CHARS} characters on one line`);
const roleName = (key: string) => problem(/^[a-z][a-z0-9-]{0,63}$/.test(key), 'a role name of lowercase letters, digits and dashes ("custodian")');
const wholeFrom = (min: number, max: number): Check => (value) => problem(Number.isInteger(value) && (value as number) >= min && (value as number) <= max, `a whole number from ${min} to ${max}`);
const clockTime: Check = (value) => problem(typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value), '"HH:MM" on a 24-hour clock');

const ageRecipient: Check = (value) => {
  const expected = problem(false, 'an age recipient ("age1…", as `veil keygen` prints it)');
  if (typeof value !== 'string' || !value.startsWith('age1')) return expected;
  try {
    new Encrypter().addRecipient(value);
    return undefined;
  } catch {
    return expected;
  }
};
const signerKey: Check = (value) => {
  if (typeof value !== 'string') return problem(false, 'a public key "veil-ed25519:…"');
  const key = parsePublicKey(value);
  return typeof key === 'string' ? `: ${key}` : undefined;
};
const timeZone: Check = (value) => {
  if (typeof value !== 'string' || value.length === 0) return problem(false, 'an IANA time zone ("UTC", "Europe/Berlin")');
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return undefined;
  } catch {
    return problem(false, `an IANA time zone ("UTC", "Europe/Berlin"), not "${value}"`);
  }
};

/** An array of `item`s none of which repeats another (by `key`). */
function distinct(item: Check, key: (value: unknown) => unknown = (value) => value): Check {
  return (value) => {
    const itemProblem = arrayOf(item)(value);
    if (itemProblem !== undefined) return itemProblem;
    const seen = new Set<unknown>();
    for (const [index, element] of (value as unknown[]).entries()) {
      if (seen.has(key(element))) return `[${index}]: expected no repeat of an earlier one`;
      seen.add(key(element));
    }
    return undefined;
  };
}

/** An object with exactly these fields (each check decides whether its field may be absent): an unknown field is refused. */
function fieldsOnly<T>(fields: { [K in keyof T]-?: Check }): Check {
  const known = fields as Record<string, Check>;
  return (value) => {
    if (!isRecord(value)) return ': expected an object';
    const unknown = Object.keys(value).find((key) => !Object.hasOwn(known, key));
    if (unknown !== undefined) return `.${unknown}: not a field here (expected ${Object.keys(known).join(', ')})`;
    return object(known)(value);
  };
}

/** Every field optional: absent means its default. */
function optionalFields<T>(fields: { [K in keyof T]-?: Check }): Check {
  return fieldsOnly<T>(Object.fromEntries(Object.entries<Check>(fields).map(([key, check]) => [key, optional(check)])) as { [K in keyof T]-?: Check });
}

const role = optionalFields<PolicyRole>({
  description: (value) => problem(typeof value === 'string' && value.length <= 4 * MAX_NAME_CHARS, `a string of at most ${4 * MAX_NAME_CHARS} characters`),
  members: distinct(name),
  recipients: distinct(ageRecipient),
  mayOpenOriginals: flag,
});
const roles: Check = (value) => {
  if (!isRecord(value)) return ': expected an object of roles by name';
  for (const [key, entry] of Object.entries(value)) {
    const found = roleName(key) ?? role(entry);
    if (found !== undefined) return `[${JSON.stringify(key)}]${found}`;
  }
  return undefined;
};
const purposes = optionalFields<PolicyPurposes>({ required: flag, allowed: distinct(name), freeText: flag });
const retention = optionalFields<PolicyRetention>({ days: nullable(wholeFrom(1, MAX_RETENTION_DAYS)), action: oneOf(RETENTION_ACTIONS) });
const signers = distinct(
  fieldsOnly<PolicySigner>({ name, publicKey: signerKey }),
  (signer) => (signer as PolicySigner).publicKey,
);
const workingHours = fieldsOnly<PolicyWorkingHours>({ days: distinct(oneOf(WEEKDAYS)), from: clockTime, to: clockTime, timeZone });
const monitoring = optionalFields<PolicyMonitoring>({ workingHours: nullable(workingHours), maxOpeningsPerActorPerDay: nullable(wholeFrom(1, 1_000_000)) });

const fields = optionalFields<Policy>({ version: exactly(1), roles, purposes, retention, signers, monitoring });

/** Rules across fields, checked once every field passed (on the effective policy). */
function crossFieldProblem(policy: Policy): string | undefined {
  const { required, freeText, allowed } = policy.purposes;
  if (required && !freeText && allowed.length === 0) return '.purposes: requires a purpose but accepts none: list some in "allowed", or set "freeText"';
  const names = new Set<string>();
  for (const [index, signer] of policy.signers.entries()) {
    if (names.has(signer.name)) return `.signers[${index}].name: expected a name no other signer has`;
    names.add(signer.name);
  }
  const hours = policy.monitoring.workingHours;
  if (hours && hours.days.length === 0) return '.monitoring.workingHours.days: expected at least one day';
  if (hours && hours.from === hours.to) return '.monitoring.workingHours: "from" and "to" are the same time';
  return undefined;
}

/** The effective policy: every absent field at its default. */
function withDefaults(file: Partial<Policy>): Policy {
  return {
    version: 1,
    roles: Object.fromEntries(Object.entries(file.roles ?? {}).map(([key, value]) => [key, { ...DEFAULT_ROLE, ...value }])),
    purposes: { ...DEFAULT_POLICY.purposes, ...file.purposes },
    retention: { ...DEFAULT_POLICY.retention, ...file.retention },
    signers: file.signers ?? DEFAULT_POLICY.signers,
    monitoring: { ...DEFAULT_POLICY.monitoring, ...file.monitoring },
  };
}

/** What is wrong with a policy document (`.field: expected …`), or undefined when it is one. */
export const policyProblem: Check = (value) => fields(value) ?? crossFieldProblem(withDefaults(value as Partial<Policy>));

// ---- Files --------------------------------------------------------------------------------------------------

export interface PolicyFile {
  /** False when the dataset has no policy file: `policy` is every default. */
  present: boolean;
  /** sha256 of the file's bytes, null when absent. */
  sha256: string | null;
  policy: Policy;
}

/**
 * The effective policy in `bytes`, or a Corrupt error naming `file` and the field at fault. The bytes must be UTF-8
 * (JSON is): a policy-change entry records the text, whose sha256 must be the file's (policy/history.ts).
 */
export function parsePolicy(bytes: Buffer, file: string): Policy {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw corrupt(file, 'policy', 'expected UTF-8 text (JSON is)');
  return withDefaults(parseChecked<Partial<Policy>>(text, policyProblem, 'policy', file));
}

/** The bytes of a policy file a client names (`policy/apply`): a regular file of at most 1 MB. */
export function readPolicyBytes(path: string, file: string): Promise<Buffer> {
  return readRegularFile(path, file, { what: 'a policy file', maxBytes: MAX_POLICY_BYTES });
}

/** The bytes of the dataset's `.veil/policy.json`, undefined when it has none. */
export async function datasetPolicyBytes(root: string): Promise<Buffer | undefined> {
  const path = veilPath(root, 'policy');
  const exists = await stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  return exists ? readPolicyBytes(path, veilRelative('policy')) : undefined;
}

/** The dataset's policy (the defaults when it has none); a malformed one is refused naming the field. */
export async function readPolicy(root: string): Promise<PolicyFile> {
  const bytes = await datasetPolicyBytes(root);
  if (bytes === undefined) return { present: false, sha256: null, policy: DEFAULT_POLICY };
  return { present: true, sha256: sha256Hex(bytes), policy: parsePolicy(bytes, veilRelative('policy')) };
}

/**
 * The policy `policy/init` writes: the defaults, with the three roles and purposes of a typical clinical dataset
 * filled in as examples to edit (README "Governance: policy" explains each field). Recipients and signers start
 * empty: only their holders can supply them.
 */
export function starterPolicy(): Policy {
  return {
    ...DEFAULT_POLICY,
    roles: {
      custodian: { description: 'keeps the keys; opens originals for an allowed purpose', members: [], recipients: [], mayOpenOriginals: true },
      auditor: { description: 'verifies the dataset and signs its audit checkpoints; never opens originals', members: [], recipients: [], mayOpenOriginals: false },
      annotator: { description: 'reviews and commits; never opens originals', members: [], recipients: [], mayOpenOriginals: false },
    },
    purposes: { required: true, allowed: ['clinical-follow-up', 'model-reevaluation', 'audit'], freeText: false },
  };
}

/** A policy as the file holds it: pretty-printed, one trailing newline. */
export function policyText(policy: Policy): string {
  return JSON.stringify(policy, null, 2) + '\n';
}
