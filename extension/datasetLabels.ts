/** How the Veil view shows a dataset, a group of images and an image: labels, descriptions, tooltips, icons. */
import { basename, posix } from 'node:path';
import * as vscode from 'vscode';
import { IMAGE_GROUPS, type DatasetCounts, type ImageGroup, type ListedImage } from './datasetSnapshot';

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export const GROUP_LOOKS: Record<ImageGroup, { label: string; icon: vscode.ThemeIcon }> = {
  unreviewed: { label: 'Unreviewed', icon: new vscode.ThemeIcon('circle-large-outline') },
  reviewed: { label: 'Reviewed', icon: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')) },
  committed: { label: 'Committed', icon: new vscode.ThemeIcon('lock') },
  excluded: { label: 'Excluded from commits', icon: new vscode.ThemeIcon('circle-slash') },
  failed: { label: 'Failed', icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')) },
};

/** Done: reviewed or committed, of the images that can be (a failed one cannot until it is fixed; an excluded one is left as it is). */
function percentDone(counts: DatasetCounts): number | undefined {
  const reviewable = counts.images - counts.failed - counts.excluded;
  // Rounded down: "100 %" only when every image is done.
  return reviewable === 0 ? undefined : Math.floor(((counts.reviewed + counts.committed) / reviewable) * 100);
}

/** "12 images · 75 % done · 1 excluded · 2 failed" */
export function datasetDescription(counts: DatasetCounts): string {
  const done = percentDone(counts);
  const noted = (n: number, what: string) => (n > 0 ? [`${count(n)} ${what}`] : []);
  return [plural(counts.images, 'image', 'images'), ...(done === undefined ? [] : [`${done} % done`]), ...noted(counts.excluded, 'excluded'), ...noted(counts.failed, 'failed')].join(' · ');
}

/** `remembered`: the counts an earlier window read, shown while this one reads the dataset. */
export function datasetTooltip(root: string, counts: DatasetCounts, remembered: boolean): vscode.MarkdownString {
  const rows = IMAGE_GROUPS.map((group) => `| ${GROUP_LOOKS[group].label} | ${count(counts[group])} |`);
  const done = percentDone(counts);
  const header = [`**${basename(root) || root}** — \`${root}\``, '', `| Images | ${count(counts.images)} |`, '|:--|--:|'];
  const notes = [...(done === undefined ? [] : [`${done} % reviewed or committed`]), ...(remembered ? ['_As last read; reading the dataset again…_'] : [])];
  return new vscode.MarkdownString([[...header, ...rows].join('\n'), ...notes].join('\n\n'));
}

/** An image's folder in the dataset and its faces, or why it could not be read. */
export function imageDescription(image: ListedImage): string {
  const folder = posix.dirname(image.file);
  const where = folder === '.' ? [] : [folder];
  if ('failure' in image) return [...where, image.failure].join(' · ');
  if ('excluded' in image) return [...where, `excluded by ${image.excluded.by}: ${image.excluded.reason}`].join(' · ');
  return [...where, facesDescription(image)].join(' · ');
}

/** An image's faces ("2 faces", "not detected yet"); a video's length and tracks ("0:04 · 3 tracks"): the view's rows and the palette's picks. */
export function facesDescription(image: { faces: number | undefined; durationS?: number }): string {
  const [one, many] = image.durationS === undefined ? ['face', 'faces'] : ['track', 'tracks'];
  const faces = image.faces === undefined ? 'not detected yet' : image.faces === 0 ? 'no face' : plural(image.faces, one, many);
  return image.durationS === undefined ? faces : `${duration(image.durationS)} · ${faces}`;
}

/** `m:ss`, or `h:mm:ss` from an hour. */
export function duration(seconds: number): string {
  const whole = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor(whole / 60) % 60, whole % 60];
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function imageLabel(image: ListedImage): string {
  return posix.basename(image.file);
}

/** "Show 500 more" with how many are not shown yet. */
export function moreLabel(page: number, hidden: number): { label: string; description: string } {
  return { label: `Show ${count(Math.min(page, hidden))} more`, description: `${count(hidden)} not shown` };
}
