/** The footer: which image, its status, the zoom, announcements for screen readers, and errors. */
import { describeBox } from './boxEdits';
import type { ReviewStore } from './store';
import type { SaveState } from './saveQueue';
import { describeTrack, laneOrder } from './video/trackBoxes';

export interface StatusBarElements {
  name: HTMLElement;
  status: HTMLElement;
  announcer: HTMLElement;
  error: HTMLElement;
  saveState: HTMLElement;
}

const SAVE_STATE_TEXT: Record<SaveState, string> = {
  saved: 'All changes saved',
  saving: 'Saving…',
  'not-saved': 'Not saved: showing the stored state',
};

export class StatusBar {
  private saveState: SaveState = 'saved';
  /**
   * The error shown came while an edit was being saved: that edit's confirmation is older news and leaves it. (An Enter
   * refused right after an A, before the A was stored, was wiped out within milliseconds: seen in the video journey.)
   */
  private errorOutlivesSave = false;

  constructor(
    private readonly elements: StatusBarElements,
    private readonly store: ReviewStore,
  ) {}

  /** Image name, position in the list, status and zoom. */
  update(scale: number): void {
    const { store } = this;
    const file = store.ui.file;
    if (file === null) {
      this.elements.name.textContent = 'No image';
      this.elements.status.textContent = '';
      return;
    }
    const record = store.record(file);
    const position = store.list.indexOf(file);
    this.elements.name.textContent = `${file} (${position + 1} of ${store.list.length})`;
    const status = record.status === 'committed' ? 'committed (read-only)' : record.status;
    this.elements.status.textContent = `${status} · ${record.width}×${record.height} · ${Math.round(scale * 100)}%`;
  }

  /** Says what is selected: a face of an image, a track of a video. */
  announceSelection(): void {
    const video = this.store.currentVideo();
    if (video) {
      const lanes = laneOrder(this.store.currentTracks());
      const index = lanes.findIndex((track) => track.id === this.store.ui.selectedId);
      return this.announce(index < 0 ? 'No track selected' : describeTrack(lanes[index]!, index, lanes.length, video.frames));
    }
    const boxes = this.store.currentBoxes();
    const index = boxes.findIndex((box) => box.id === this.store.ui.selectedId);
    this.announce(index < 0 ? 'No face selected' : describeBox(boxes[index]!, index, boxes.length));
  }

  /** Tells screen readers (and shows, in the footer) what just happened. */
  announce(text: string): void {
    this.elements.announcer.textContent = text;
  }

  /** Whether every edit is stored by the daemon (the panel never pretends an unsaved edit is saved). */
  showSaveState(state: SaveState): void {
    this.saveState = state;
    this.elements.saveState.dataset.state = state;
    this.elements.saveState.textContent = SAVE_STATE_TEXT[state];
    // An error is news until the next success (every edit stored, or the dataset loaded again), not forever; the
    // success of an edit made before the error is not that.
    if (state !== 'saved') return;
    if (this.errorOutlivesSave) this.errorOutlivesSave = false;
    else this.showError(null);
  }

  /** A refusal or failure, in full: the footer wraps it rather than cut it off. */
  showError(message: string | null): void {
    this.elements.error.textContent = message ?? '';
    this.errorOutlivesSave = message !== null && this.saveState === 'saving';
  }
}
