/**
 * A person's edits of the current video's tracks (daemon/video/trackEdits.ts does each; this applies it as one
 * undoable store edit, at the frame on screen): decide a whole track, set its box at a frame (a keyframe), remove a
 * keyframe, split, merge, and draw a new track keyframe by keyframe. A refused edit changes nothing and says why.
 *
 * Drawing: a drag on the frame where no box is starts a new track (selected), and while that track stays selected
 * each further drag, at another frame, adds a keyframe to it. N makes the next drag start a new track even then.
 */
import type { BoxState, Rect, Track } from '../../daemon/protocol';
import { mergeTracks, newTrack, removeKeyframe, setKeyframe, splitTrack } from '../../daemon/video/trackEdits';
import type { ReviewStore } from '../store';
import { laneOrder } from './trackBoxes';

export interface TrackEditingHost {
  /** Says what an edit did or is waiting for (the footer's announcement). */
  announce(text: string): void;
  /** An edit was refused: why (the footer's error line). */
  refuse(text: string): void;
}

let created = 0;
/** A new track's id: unique in the video (a split's second part, a track drawn by hand). */
function newTrackId(): string {
  created++;
  return `manual-${Date.now().toString(36)}-${created.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export class TrackEditing {
  /** The track being drawn (drags add keyframes to it while it is selected). */
  private drawing: string | null = null;

  constructor(
    private readonly store: ReviewStore,
    private readonly host: TrackEditingHost,
  ) {}

  private selected(): Track | undefined {
    return this.store.currentTracks().find((track) => track.id === this.store.ui.selectedId);
  }

  /** The selected track; none selected: says to select one (the edit then does nothing). */
  private selectedOrRefuse(): Track | undefined {
    const track = this.selected();
    if (!track) this.host.refuse('Select a track first ([ ] or a click on its box or lane).');
    return track;
  }

  /** Replaces `old` tracks with `replacements` (in place of the first), as one undoable edit. */
  private replace(old: readonly Track[], replacements: readonly Track[], selectedId: string | null): void {
    const ids = new Set(old.map((track) => track.id));
    const tracks = this.store.currentTracks();
    const at = tracks.findIndex((track) => ids.has(track.id));
    const kept = tracks.filter((track) => !ids.has(track.id));
    kept.splice(at < 0 ? kept.length : at, 0, ...replacements);
    this.store.edit({ tracks: kept, selectedId });
  }

  /** Runs a track edit, showing its refusal (`<refused>: <why>`, daemon/video/trackEdits.ts says why) instead. */
  private attempt(refused: string, edit: () => void): void {
    try {
      edit();
    } catch (error) {
      this.host.refuse(`${refused}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Accepts or rejects the selected track: every frame of it. */
  decide(state: Extract<BoxState, 'accepted' | 'rejected'>): void {
    const track = this.selectedOrRefuse();
    if (!track) return;
    if (track.state !== state) this.replace([track], [{ ...track, state }], track.id);
  }

  /** The track's box at the frame on screen is `rect`: a keyframe there (the frames around interpolate to it). */
  placeBox(trackId: string, rect: Rect): void {
    const track = this.store.currentTracks().find((candidate) => candidate.id === trackId);
    if (track) this.attempt('Box not set', () => this.replace([track], [setKeyframe(track, this.store.frame, rect)], track.id));
  }

  /** A box drawn on the frame: a keyframe of the track being drawn, or a new track. */
  drawBox(rect: Rect): void {
    const drawing = this.drawing !== null && this.drawing === this.store.ui.selectedId ? this.selected() : undefined;
    if (drawing) {
      this.placeBox(drawing.id, rect);
      this.host.announce(`Track keyframe at frame ${this.store.frame}: go to another frame and drag again to add one; N starts another track.`);
      return;
    }
    this.attempt('No track drawn', () => {
      const track = newTrack(newTrackId(), this.store.frame, rect);
      this.store.edit({ tracks: [...this.store.currentTracks(), track], selectedId: track.id });
      this.drawing = track.id;
      this.host.announce(`New track from frame ${this.store.frame}: go to other frames and drag its box there; Esc ends it.`);
    });
  }

  /** N: the next drag starts a new track. */
  startNewTrack(): void {
    this.drawing = null;
    this.store.select(null);
    this.host.announce('New track: drag on the frame where the face is, then at other frames to add keyframes.');
  }

  /** Delete: removes the selected track's keyframe at the frame on screen. */
  removeKeyframe(): void {
    const track = this.selectedOrRefuse();
    if (!track) return;
    this.attempt('Keyframe not removed', () => this.replace([track], [removeKeyframe(track, this.store.frame)], track.id));
  }

  /** S: splits the selected track at the frame on screen; the part from there on is selected. */
  split(): void {
    const track = this.selectedOrRefuse();
    if (!track) return;
    this.attempt('Not split', () => {
      const [before, after] = splitTrack(track, this.store.frame, newTrackId());
      this.replace([track], [before, after], after.id);
      this.host.announce(`Track split at frame ${this.store.frame}: the part from here on is selected.`);
    });
  }

  /** M: merges the selected track with the next lane's (one face, two tracks). */
  mergeWithNext(): void {
    const track = this.selectedOrRefuse();
    if (!track) return;
    const lanes = laneOrder(this.store.currentTracks());
    const next = lanes[lanes.findIndex((lane) => lane.id === track.id) + 1];
    if (!next) return this.host.refuse('Not merged: the selected track is the last one; select the earlier of the two tracks to merge.');
    this.attempt('Not merged', () => {
      const merged = mergeTracks(track, next);
      this.replace([track, next], [merged], merged.id);
      this.host.announce('Tracks merged.');
    });
  }
}
