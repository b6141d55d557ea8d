/** What an audit entry says, in words, for a person reading the log (`audit/list`): the daemon owns the log's format. */
import { shardName } from '../dataset/shard';
import { BOX_STATES, type OpenRefusal } from '../protocol';
import type { AuditEntry, AuditEvent, BoxCounts } from './events';

function short(sha: string): string {
  return `${sha.slice(0, 12)}…`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "2 accepted, 1 rejected" over model and manual boxes; "no boxes" when there are none. */
function boxes(counts: BoxCounts): string {
  const byState = BOX_STATES.map((state) => [state, (counts.model[state] ?? 0) + (counts.manual[state] ?? 0)] as const).filter(([, count]) => count > 0);
  return byState.length === 0 ? 'no boxes' : byState.map(([state, count]) => `${count} ${state}`).join(', ');
}

const RECONCILE_WORDS = {
  'audited-change-not-written': 'the review state lacks the latest audited change',
  'change-not-audited': 'the review state holds a change no entry records',
} as const;

const REFUSAL_WORDS: Record<OpenRefusal, string> = {
  'no-purpose': 'no purpose given',
  'purpose-not-allowed': 'a purpose the policy does not accept',
  'not-committed': 'no committed original',
  missing: 'the vault object is missing',
  purged: 'the vault object was purged',
  damaged: 'the vault object is malformed',
  'key-unusable': 'the identity did not load',
  'wrong-key': 'a key the original is not encrypted to',
};

export function describeEntry(entry: AuditEntry): string {
  const event: AuditEvent = entry;
  switch (event.type) {
    case 'detect-run':
      return `${event.model}, threshold ${event.threshold}${event.thorough ? ', thorough' : ''}: ${plural(event.faces, 'face')} in ${plural(event.images, 'image')}`;
    case 'detect-image':
      return `${event.model} found ${plural(event.faces, 'face')}; now ${event.status}, ${boxes(event.boxes)}`;
    case 'review-change':
      return `${event.status}, ${boxes(event.boxes)}`;
    case 'review-reconcile':
      return `${RECONCILE_WORDS[event.reason]}; recorded as ${event.status}, ${boxes(event.boxes)}`;
    case 'commit-image':
      return (
        `${event.redaction.mode} (${event.redaction.shape}, margin ${event.redaction.margin}${event.redaction.doubtMargin ? ` + ${event.redaction.doubtMargin} × (1 − score)` : ''}): ${plural(event.redacted, 'box', 'boxes')} redacted` +
        `${event.modelOnly ? ', model boxes nobody reviewed' : ''}; original kept as vault object ${short(event.vaultObject)}`
      );
    case 'commit':
      return `${event.committed} committed, ${event.failed} failed, ${event.notStarted} not started${event.cancelled ? ' (cancelled)' : ''}${event.includeUnreviewed ? '; unreviewed images included' : ''}`;
    case 'open-original': {
      const why = event.purpose === undefined ? '' : ` for "${event.purpose}" with the key of ${event.recipient}`;
      if ('restoredTo' in event) return `original decrypted${why} and restored into the dataset in place of its anonymized image`;
      return 'out' in event ? `original decrypted${why} and written to ${event.out}` : `original decrypted${why} and shown in ${event.shownIn}, from memory (never written to disk)`;
    }
    case 'open-refused':
      return `opening refused (${REFUSAL_WORDS[event.reason]})${event.purpose === undefined ? '' : `, purpose "${event.purpose}"`}${event.recipients ? `, keys of ${event.recipients.join(', ')}` : ''}`;
    case 'exclude':
      return `left as it is by commits: ${event.reason}`;
    case 'include':
      return 'anonymized by commits again';
    case 'policy-change':
      return `policy ${event.source === 'init' ? 'started from the starter policy' : 'replaced'} (sha256 ${short(event.sha256)})`;
    case 'checkpoint-signature':
      return `${event.signer} signed the log's first ${plural(event.checkpoint.entries, 'entry', 'entries')} (head ${short(event.checkpoint.head)})`;
    case 'recipients-change':
      return (
        `${event.change === 'rotate' ? 'new file keys for every original' : `${event.recipient} ${event.change === 'add' ? 'added' : 'removed'}`}: ` +
        `${plural(event.objects, 'original')} re-encrypted to ${plural(event.recipients.length, 'recipient')}`
      );
    case 'vault-rewrap':
      return `vault object ${short(event.vaultObject)} re-encrypted under a new file key (ciphertext ${short(event.previousSha256)} → ${short(event.vaultSha256)})`;
    case 'backup':
      return `backup generation ${event.generation} of the first ${plural(event.covers.entries, 'entry', 'entries')} to ${event.destination}${event.withOutputs ? ' (with the committed images)' : ''} (manifest sha256 ${short(event.manifestSha256)})`;
    case 'backup-prune':
      return `backup generation(s) ${event.removed.join(', ')} removed from ${event.destination} (kept ${event.kept.join(', ')}), with ${plural(event.blobs, 'blob')} no kept generation names`;
    case 'backup-restore':
      return `rebuilt from backup generation ${event.generation} in ${event.source}, which held the entries before this one (manifest sha256 ${short(event.manifestSha256)})`;
    case 'retention-hold':
      return `originals held${event.until === null ? ' until released' : ` until ${event.until}`}: ${event.reason}`;
    case 'retention-release':
      return `hold released: ${event.reason}`;
    case 'vault-purge':
      return (
        `vault object ${short(event.vaultObject)} purged (crypto-shredded), committed ${event.committedAt}` +
        `${event.state === 'expired' ? `, past its ${plural(event.retentionDays ?? 0, 'day')} of retention` : `, forced while ${event.state}: ${event.reason}`}`
      );
    case 'restore-original':
      return `original put back in place of its anonymized image for "${event.purpose}" (output ${short(event.replacedSha256)} replaced)`;
    case 'audit-repair':
      return `a torn last line (${plural(event.droppedBytes, 'byte')}) was cut off after entry ${event.previous.entries - 1}`;
    case 'annotations-import':
      return (
        `${plural(event.boxes, 'box', 'boxes')} on ${plural(event.images, 'image')} imported from ${event.format} ${event.source} (sha256 ${short(event.sha256)})` +
        `${event.trust ? `, trusted as decisions: ${event.reason}` : ' as proposals'}`
      );
    case 'segment-open':
      return `shard ${shardName(event.shard)} began writing to its segment ${event.segment}`;
    case 'segment-close':
      return `segment ${event.segment} folded into the review log (${plural(event.lines, 'line')}, head ${short(event.head)}) and removed`;
  }
}
