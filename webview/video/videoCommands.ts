/** What each video command of the catalog does (webview/commandCatalog.ts, group Video): playback, tracks, the queue. */
import type { VideoCommandId } from '../commandCatalog';
import type { ReviewStore } from '../store';
import { timecodeOf } from './frameClock';
import type { TrackEditing } from './trackEditing';
import { laneOrder, trackSpan } from './trackBoxes';
import { UncertainQueue } from './uncertainQueue';
import type { VideoPlayer } from './videoPlayer';

/** (None reads the Shift of the key: Shift+← is a command of its own.) */
export type VideoCommandHandlers = Record<VideoCommandId, () => void>;

export interface VideoCommandEnvironment {
  store: ReviewStore;
  player: VideoPlayer;
  editing: TrackEditing;
  announce(text: string): void;
}

const REASONS = { possible: 'possible face (not redacted unless accepted)', gap: 'not detected (the box is interpolated)', lowScore: 'low score', short: 'short track' } as const;

export function createVideoCommands({ store, player, editing, announce }: VideoCommandEnvironment): VideoCommandHandlers {
  const queue = new UncertainQueue();
  const stepBy = (frames: number) => () => player.seek(player.playheadFrame + frames);
  const second = (direction: 1 | -1) => () => player.seek(player.playheadFrame + direction * Math.max(1, Math.round(player.fps)));

  /** Selects the lane after (1) or before (-1) the selected one; the playhead moves into it when it is not in view. */
  const selectNeighbour = (step: 1 | -1) => {
    const lanes = laneOrder(store.currentTracks());
    if (lanes.length === 0) return;
    const index = lanes.findIndex((track) => track.id === store.ui.selectedId);
    const track = index < 0 ? lanes[step === 1 ? 0 : lanes.length - 1]! : lanes[(index + step + lanes.length) % lanes.length]!;
    store.select(track.id);
    const { first, last } = trackSpan(track, player.frames);
    const at = player.playheadFrame;
    if (at < first || at > last) player.seek(at < first ? first : last);
  };

  return {
    'video.playPause': () => player.toggle(),
    'video.stepBack': stepBy(-1),
    'video.stepForward': stepBy(1),
    'video.secondBack': second(-1),
    'video.secondForward': second(1),
    'video.start': () => player.seek(0),
    'video.end': () => player.seek(player.frames - 1),
    'video.previousTrack': () => selectNeighbour(-1),
    'video.nextTrack': () => selectNeighbour(1),
    'video.acceptTrack': () => editing.decide('accepted'),
    'video.rejectTrack': () => editing.decide('rejected'),
    'video.nextUncertain': () => {
      const file = store.ui.file;
      const next = file === null ? undefined : queue.next(store.record(file));
      if (!next) return announce('No uncertain stretches left in this video.');
      const { stretch, index, count } = next;
      store.select(stretch.trackId);
      player.seek(stretch.from);
      announce(`Uncertain ${index + 1} of ${count}: ${REASONS[stretch.reason]}, ${timecodeOf(stretch.from, player.fps)} (frames ${stretch.from}–${stretch.to})`);
    },
    'video.split': () => editing.split(),
    'video.merge': () => editing.mergeWithNext(),
    'video.newTrack': () => editing.startNewTrack(),
    'video.deleteKeyframe': () => editing.removeKeyframe(),
  };
}
