/**
 * Who reviewed and when, and how the review went over time, from the audit log alone: every review decision is an
 * entry (review-change), and each image's status follows its latest entry among detect-image, review-change,
 * review-reconcile and commit-image (committed), as daemon/audit/explained.ts reads them; a restore of an original
 * takes an image back out of "committed" until its next commit.
 */
import type { AuditEntry } from '../audit/events';

export interface ReviewerActivity {
  name: string;
  /** Review decisions recorded (each edit that changed an image's status or boxes). */
  decisions: number;
  /** Images marked reviewed by this reviewer at least once. */
  imagesReviewed: number;
  first: string;
  last: string;
}

export interface CommitRun {
  seq: number;
  at: string;
  actor: string;
  committed: number;
  failed: number;
  notStarted: number;
  cancelled: boolean;
  includeUnreviewed: boolean;
}

/** One point of the progress chart: after the entry at `at`, `done` images were reviewed or committed, `committed` committed. */
export interface ProgressPoint {
  at: string;
  done: number;
  committed: number;
}

export interface ReviewHistory {
  reviewers: ReviewerActivity[];
  commits: CommitRun[];
  /** At most MAX_PROGRESS_POINTS, in time order, the last one always kept. */
  progress: ProgressPoint[];
  /** Images the log has ever named (the chart's height). */
  imagesSeen: number;
}

/** Enough for a chart 720 px wide; a longer history is sampled evenly. */
const MAX_PROGRESS_POINTS = 240;

function sampled<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, index) => points[Math.round(index * step)]);
}

type Status = 'unreviewed' | 'reviewed' | 'committed';

function statusAfter(entry: AuditEntry): Status | undefined {
  switch (entry.type) {
    case 'detect-image':
    case 'review-change':
    case 'review-reconcile':
      return entry.status;
    case 'commit-image':
      return 'committed';
    case 'restore-original':
      return 'unreviewed';
    default:
      return undefined;
  }
}

function reviewers(entries: readonly AuditEntry[]): ReviewerActivity[] {
  const byName = new Map<string, ReviewerActivity & { files: Set<string> }>();
  for (const entry of entries) {
    if (entry.type !== 'review-change') continue;
    const name = entry.actor.reviewer;
    const activity = byName.get(name) ?? { name, decisions: 0, imagesReviewed: 0, first: entry.at, last: entry.at, files: new Set<string>() };
    activity.decisions++;
    if (entry.status === 'reviewed') activity.files.add(entry.file);
    activity.last = entry.at;
    byName.set(name, activity);
  }
  return [...byName.values()].map(({ files, ...activity }) => ({ ...activity, imagesReviewed: files.size })).sort((a, b) => a.first.localeCompare(b.first));
}

export function reviewHistory(entries: readonly AuditEntry[]): ReviewHistory {
  const statuses = new Map<string, Status>();
  const points: ProgressPoint[] = [];
  let done = 0;
  let committed = 0;
  const commits: CommitRun[] = [];
  for (const entry of entries) {
    if (entry.type === 'commit') {
      const { seq, at, actor, committed: count, failed, notStarted, cancelled, includeUnreviewed } = entry;
      commits.push({ seq, at, actor: actor.reviewer, committed: count, failed, notStarted, cancelled, includeUnreviewed });
    }
    const status = statusAfter(entry);
    if (status === undefined || !('file' in entry)) continue;
    const before = statuses.get(entry.file);
    statuses.set(entry.file, status);
    done += Number(status !== 'unreviewed') - Number(before !== undefined && before !== 'unreviewed');
    committed += Number(status === 'committed') - Number(before === 'committed');
    const last = points.at(-1);
    if (!last || last.done !== done || last.committed !== committed) points.push({ at: entry.at, done, committed });
  }
  return { reviewers: reviewers(entries), commits, progress: sampled(points, MAX_PROGRESS_POINTS), imagesSeen: statuses.size };
}
