/**
 * The image list, virtualized: only the rows in view (plus a few) exist, so 10,000 images scroll as
 * smoothly as 10. Row i is always drawn by pool element i mod pool size, so a scroll only rewrites the
 * rows that come into view. Thumbnails are asked for, and shown, once the list stops scrolling: a fast
 * scroll through thousands of rows loads and decodes none of the images it flies past.
 */
import type { ImageStatus, ReviewRow } from '../daemon/protocol';
import { rowFaceCount } from '../daemon/review/rows';
import { clockText } from './video/frameClock';
import type { ListKey } from './focusPlaces';
import type { ReviewStore } from './store';

const ROW_HEIGHT = 64;
const OVERSCAN = 4;
/** The list counts as settled this long after its last scroll. */
const SETTLE_MS = 120;

/** What a row shows; rows are replaced, never changed in place, so identity tells a change. */
interface RowContent {
  index: number;
  record: ReviewRow;
  thumbnail: string;
  current: boolean;
  listLength: number;
}

interface Row {
  element: HTMLElement;
  thumbnail: HTMLImageElement;
  /** The file name, in two parts so that a long one is cut in its middle and keeps its distinct end (`…_1_20.jpg`). */
  nameStart: HTMLElement;
  nameEnd: HTMLElement;
  folder: HTMLElement;
  lock: HTMLElement;
  /** The video mark: a row of a video shows its duration and tracks. */
  video: HTMLElement;
  badge: HTMLElement;
  /** What the row shows now, to skip rows that did not change (no work, no garbage while scrolling). */
  shown: RowContent | null;
}

export class Filmstrip {
  private readonly rows: Row[] = [];
  private readonly requested = new Set<string>();
  private frame = 0;
  private settled = true;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly spacer: HTMLElement,
    private readonly store: ReviewStore,
    private readonly requestThumbnails: (files: string[]) => void,
  ) {
    container.addEventListener('scroll', () => {
      this.settled = false;
      this.scheduleRender();
      this.settleSoon();
    });
    container.addEventListener('click', (event) => {
      const row = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-file]') : null;
      if (row) store.open(row.dataset.file!);
    });
    container.addEventListener('keydown', (event) => this.onKey(event));
    new ResizeObserver(() => this.scheduleRender()).observe(container);
  }

  /** Forget which thumbnails were asked for (a new dataset). */
  reset(): void {
    this.requested.clear();
    this.container.scrollTop = 0;
  }

  scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Scrolls so the current image's row is in view. */
  revealCurrent(): void {
    const index = this.store.ui.file === null ? -1 : this.store.list.indexOf(this.store.ui.file);
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    const { scrollTop, clientHeight } = this.container;
    if (top < scrollTop) this.container.scrollTop = top;
    else if (top + ROW_HEIGHT > scrollTop + clientHeight) this.container.scrollTop = top + ROW_HEIGHT - clientHeight;
    this.scheduleRender();
    this.settleSoon();
  }

  private visibleRange(): { first: number; last: number } {
    const count = this.store.list.length;
    const first = Math.max(0, Math.floor(this.container.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count - 1, Math.ceil((this.container.scrollTop + this.container.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    return { first, last };
  }

  render(): void {
    const list = this.store.list;
    this.spacer.style.height = `${list.length * ROW_HEIGHT}px`;
    this.container.removeAttribute('aria-activedescendant');
    const { first, last } = this.visibleRange();
    // The range spans at most ceil(height / row) + 1 rows in view, plus the overscan on both sides.
    const poolSize = Math.ceil(this.container.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN + 2;
    while (this.rows.length < poolSize) this.rows.push(this.createRow(this.rows.length));
    const used = new Set<Row>();
    for (let index = first; index <= last; index++) {
      const row = this.rows[index % this.rows.length]!;
      used.add(row);
      this.fillRow(row, index, list[index]!);
    }
    for (const row of this.rows) if (!used.has(row)) hideRow(row);
  }

  private createRow(slot: number): Row {
    const element = document.createElement('div');
    element.className = 'filmstrip__row';
    element.id = `image-option-${slot}`;
    element.setAttribute('role', 'option');
    const thumbnail = document.createElement('img');
    thumbnail.className = 'filmstrip__thumb';
    thumbnail.alt = '';
    thumbnail.decoding = 'async';
    thumbnail.draggable = false;
    const text = document.createElement('div');
    text.className = 'filmstrip__text';
    const name = child(text, 'div', 'filmstrip__name');
    const nameStart = child(name, 'span', 'filmstrip__name-start');
    const nameEnd = child(name, 'span', 'filmstrip__name-end');
    const folder = child(text, 'div', 'filmstrip__folder');
    const status = child(text, 'div', 'filmstrip__status');
    const lock = child(status, 'span', 'filmstrip__lock codicon codicon-lock');
    lock.title = 'Committed: read-only';
    const video = child(status, 'span', 'filmstrip__lock codicon codicon-device-camera-video');
    video.title = 'Video';
    const badge = child(status, 'span', 'filmstrip__badge');
    element.append(thumbnail, text);
    this.container.append(element);
    return { element, thumbnail, nameStart, nameEnd, folder, lock, video, badge, shown: null };
  }

  private fillRow(row: Row, index: number, file: string): void {
    const record = this.store.row(file);
    const sameFile = row.shown?.record.file === file;
    const thumbnail = this.settled ? (this.store.thumbnail(file) ?? '') : sameFile ? row.shown!.thumbnail : '';
    const current = file === this.store.ui.file;
    if (current) this.container.setAttribute('aria-activedescendant', row.element.id);
    const content: RowContent = { index, record, thumbnail, current, listLength: this.store.list.length };
    if (sameContent(row.shown, content)) return;
    row.shown = content;
    const counts = rowCounts(record);
    row.element.hidden = false;
    row.element.dataset.file = file;
    row.element.dataset.status = record.status;
    row.element.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.element.classList.toggle('is-current', current);
    row.element.setAttribute('aria-selected', String(current));
    row.element.setAttribute('aria-posinset', String(index + 1));
    row.element.setAttribute('aria-setsize', String(this.store.list.length));
    row.element.setAttribute('aria-label', [file, ...(record.video ? ['video'] : []), record.status, ...counts].join(', '));
    if (row.thumbnail.getAttribute('src') !== thumbnail) {
      if (thumbnail) row.thumbnail.src = thumbnail;
      else row.thumbnail.removeAttribute('src');
    }
    const name = splitName(file);
    row.nameStart.textContent = name.start;
    row.nameEnd.textContent = name.end;
    row.folder.textContent = name.folder;
    row.folder.hidden = name.folder === '';
    row.lock.hidden = record.status !== 'committed';
    row.video.hidden = !record.video;
    row.badge.textContent = `${STATUS_MARK[record.status]}${counts.join(' · ')}`;
    // The whole of it on hover: a narrow list cuts a video's "0:02 · 2 tracks · 2 to decide" after the tracks.
    row.badge.title = counts.join(' · ');
  }

  /** Once the list has not scrolled for a moment: show the thumbnails in view, ask for the missing ones. */
  private settleSoon(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settled = true;
      this.render();
      const { first, last } = this.visibleRange();
      const missing = this.store.list.slice(first, last + 1).filter((file) => !this.store.thumbnail(file) && !this.requested.has(file));
      for (const file of missing) this.requested.add(file);
      if (missing.length > 0) this.requestThumbnails(missing);
    }, SETTLE_MS);
  }

  private onKey(event: KeyboardEvent): void {
    const list = this.store.list;
    const index = this.store.ui.file === null ? -1 : list.indexOf(this.store.ui.file);
    const pageRows = Math.max(1, Math.floor(this.container.clientHeight / ROW_HEIGHT) - 1);
    const targets: Record<ListKey, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + pageRows,
      PageUp: index - pageRows,
      Home: 0,
      End: list.length - 1,
    };
    const target = targets[event.key as ListKey] as number | undefined;
    if (target === undefined || event.ctrlKey || event.altKey || event.metaKey || list.length === 0) return;
    event.preventDefault();
    this.store.open(list[Math.min(list.length - 1, Math.max(0, target))]!);
  }
}

/** A row's counts: an image's faces, a video's duration and tracks; then what is left to decide. */
function rowCounts(row: ReviewRow): string[] {
  const { proposed, possible } = row.faces;
  // Faces (tracks) a commit redacts, as for an image: rejected and possible ones are not counted.
  const found = row.video ? [clockText(row.video.durationS), plural(rowFaceCount(row), 'track')] : [plural(rowFaceCount(row), 'face')];
  return [...found, ...(proposed ? [`${proposed} to decide`] : []), ...(possible ? [`${possible} possible`] : [])];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function sameContent(shown: RowContent | null, next: RowContent): boolean {
  return (
    shown !== null &&
    shown.index === next.index &&
    shown.record === next.record &&
    shown.thumbnail === next.thumbnail &&
    shown.current === next.current &&
    shown.listLength === next.listLength
  );
}

/** Before a row's counts; a committed image shows the lock instead. */
const STATUS_MARK: Record<ImageStatus, string> = { unreviewed: '○ ', reviewed: '✓ ', committed: '' };

/** Characters of a file name always shown, from its end: enough to tell `…_1_20.jpg` from `…_1_45.jpg`. */
const NAME_END = 12;

/** A row's text: the file name first (its end kept whole), then the folder it is in, dimmed. */
function splitName(file: string): { start: string; end: string; folder: string } {
  const slash = file.lastIndexOf('/');
  const base = file.slice(slash + 1);
  const cut = Math.max(0, base.length - NAME_END);
  return { start: base.slice(0, cut), end: base.slice(cut), folder: slash < 0 ? '' : file.slice(0, slash) };
}

function child(parent: HTMLElement, tag: 'div' | 'span', className: string): HTMLElement {
  const element = document.createElement(tag);
  element.className = className;
  parent.append(element);
  return element;
}

function hideRow(row: Row): void {
  if (row.element.hidden) return;
  row.element.hidden = true;
  row.shown = null;
}
