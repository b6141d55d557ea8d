/**
 * Every action of the review UI with its label and shortcuts: the one list the keyboard handler, the
 * toolbar and the help overlay are built from.
 */
import { REDACTION_MODES } from '../daemon/protocol';

export interface KeySpec {
  /** `KeyboardEvent.key`; single letters match either case (Shift is given separately). */
  key: string;
  /** Ctrl, or Cmd on macOS. */
  ctrl?: boolean;
  alt?: boolean;
  /** Undefined: Shift is not checked (letters: it must be up unless set). The action may read it (arrows: ×10). */
  shift?: boolean;
}

export type CommandId =
  | 'image.previous'
  | 'image.next'
  | 'image.nextUnreviewed'
  | 'image.markReviewed'
  | 'image.markReviewedAndNext'
  | 'image.markUnreviewed'
  | 'box.next'
  | 'box.previous'
  | 'box.accept'
  | 'box.reject'
  | 'box.promote'
  | 'box.delete'
  | 'box.acceptAll'
  | 'box.rejectAll'
  | 'box.add'
  | 'box.deselect'
  | 'box.moveLeft'
  | 'box.moveRight'
  | 'box.moveUp'
  | 'box.moveDown'
  | 'box.narrower'
  | 'box.wider'
  | 'box.shorter'
  | 'box.taller'
  | 'edit.undo'
  | 'edit.redo'
  | 'view.zoomIn'
  | 'view.zoomOut'
  | 'view.fit'
  | 'view.actualSize'
  | 'view.zoomToSelection'
  | 'view.toggleBoxes'
  | 'view.togglePossible'
  | 'preview.toggle'
  | 'preview.nextMode'
  | 'list.nextFilter'
  | 'list.toggleOrder'
  | 'list.focus'
  | 'help.toggle'
  | VideoCommandId;

/** The video review's actions (webview/video/videoCommands.ts): they run only while a video is shown. */
export type VideoCommandId =
  | 'video.playPause'
  | 'video.stepBack'
  | 'video.stepForward'
  | 'video.secondBack'
  | 'video.secondForward'
  | 'video.start'
  | 'video.end'
  | 'video.previousTrack'
  | 'video.nextTrack'
  | 'video.acceptTrack'
  | 'video.rejectTrack'
  | 'video.nextUncertain'
  | 'video.split'
  | 'video.merge'
  | 'video.newTrack'
  | 'video.deleteKeyframe';

export interface CommandInfo {
  id: CommandId;
  label: string;
  group: 'Images' | 'Faces' | 'Move and resize' | 'Edit' | 'View' | 'Redaction' | 'List' | 'Help' | 'Video';
  keys: KeySpec[];
  /**
   * `video`: runs only while a video is shown, and then its keys are its own (an image command sharing a key steps
   * aside: Left steps a frame instead of nudging a box). Absent: runs on images and videos alike.
   */
  scope?: 'video';
  /** Toolbar button icon: `$(name)` for a codicon, else text; commands without one have no button. */
  icon?: string;
}

export const COMMANDS: readonly CommandInfo[] = [
  { id: 'image.previous', label: 'Previous image', group: 'Images', keys: [{ key: 'k' }, { key: 'PageUp' }], icon: '$(arrow-left)' },
  { id: 'image.next', label: 'Next image', group: 'Images', keys: [{ key: 'j' }, { key: 'PageDown' }], icon: '$(arrow-right)' },
  { id: 'image.nextUnreviewed', label: 'Next unreviewed image', group: 'Images', keys: [{ key: 'u' }], icon: '$(arrow-circle-right)' },
  { id: 'image.markReviewed', label: 'Mark image reviewed (every face decided)', group: 'Images', keys: [{ key: 'Enter', shift: false }], icon: '$(pass)' },
  { id: 'image.markReviewedAndNext', label: 'Mark reviewed, go to next unreviewed (stays while a face is undecided)', group: 'Images', keys: [{ key: 'Enter', shift: true }] },
  { id: 'image.markUnreviewed', label: 'Mark image unreviewed', group: 'Images', keys: [{ key: 'u', shift: true }] },
  { id: 'box.next', label: 'Select next face (the view follows it)', group: 'Faces', keys: [{ key: ']' }] },
  { id: 'box.previous', label: 'Select previous face (the view follows it)', group: 'Faces', keys: [{ key: '[' }] },
  { id: 'box.accept', label: 'Accept selected face', group: 'Faces', keys: [{ key: 'a' }] },
  { id: 'box.reject', label: 'Reject selected face', group: 'Faces', keys: [{ key: 'r' }] },
  { id: 'box.promote', label: 'Promote selected possible face to a proposal', group: 'Faces', keys: [{ key: 'o' }] },
  { id: 'box.delete', label: 'Delete selected box', group: 'Faces', keys: [{ key: 'Delete' }, { key: 'Backspace' }] },
  { id: 'box.acceptAll', label: 'Accept every undecided face on this image', group: 'Faces', keys: [{ key: 'a', shift: true }], icon: '$(check-all)' },
  { id: 'box.rejectAll', label: 'Reject every undecided face on this image', group: 'Faces', keys: [{ key: 'r', shift: true }], icon: '$(close-all)' },
  { id: 'box.add', label: 'Add a box in the middle of the view', group: 'Faces', keys: [{ key: 'b' }] },
  { id: 'box.deselect', label: 'Deselect / close help', group: 'Faces', keys: [{ key: 'Escape' }] },
  { id: 'box.moveLeft', label: 'Move box left 1 px (Shift: 10 px); pan without a selection', group: 'Move and resize', keys: [{ key: 'ArrowLeft' }] },
  { id: 'box.moveRight', label: 'Move box right (Shift: 10 px); pan without a selection', group: 'Move and resize', keys: [{ key: 'ArrowRight' }] },
  { id: 'box.moveUp', label: 'Move box up (Shift: 10 px); pan without a selection', group: 'Move and resize', keys: [{ key: 'ArrowUp' }] },
  { id: 'box.moveDown', label: 'Move box down (Shift: 10 px); pan without a selection', group: 'Move and resize', keys: [{ key: 'ArrowDown' }] },
  { id: 'box.narrower', label: 'Make box narrower (Shift: 10 px)', group: 'Move and resize', keys: [{ key: 'ArrowLeft', alt: true }] },
  { id: 'box.wider', label: 'Make box wider (Shift: 10 px)', group: 'Move and resize', keys: [{ key: 'ArrowRight', alt: true }] },
  { id: 'box.shorter', label: 'Make box shorter (Shift: 10 px)', group: 'Move and resize', keys: [{ key: 'ArrowUp', alt: true }] },
  { id: 'box.taller', label: 'Make box taller (Shift: 10 px)', group: 'Move and resize', keys: [{ key: 'ArrowDown', alt: true }] },
  { id: 'edit.undo', label: 'Undo', group: 'Edit', keys: [{ key: 'z', ctrl: true }], icon: '$(discard)' },
  { id: 'edit.redo', label: 'Redo', group: 'Edit', keys: [{ key: 'z', ctrl: true, shift: true }, { key: 'y', ctrl: true }], icon: '$(redo)' },
  { id: 'view.zoomIn', label: 'Zoom in', group: 'View', keys: [{ key: '+' }, { key: '=' }], icon: '$(zoom-in)' },
  { id: 'view.zoomOut', label: 'Zoom out', group: 'View', keys: [{ key: '-' }], icon: '$(zoom-out)' },
  { id: 'view.fit', label: 'Fit image', group: 'View', keys: [{ key: '0' }], icon: '$(screen-full)' },
  { id: 'view.actualSize', label: 'Actual size (1:1)', group: 'View', keys: [{ key: '1' }], icon: '1:1' },
  { id: 'view.zoomToSelection', label: 'Zoom to the selected face', group: 'View', keys: [{ key: 'z' }], icon: '$(target)' },
  { id: 'view.toggleBoxes', label: 'Hide / show the boxes', group: 'View', keys: [{ key: 'h' }], icon: '$(eye-closed)' },
  { id: 'view.togglePossible', label: 'Show / hide possible faces (scored under the threshold)', group: 'View', keys: [{ key: 'v' }], icon: '$(search)' },
  { id: 'preview.toggle', label: 'Preview redaction', group: 'Redaction', keys: [{ key: 'p' }], icon: '$(eye)' },
  {
    id: 'preview.nextMode',
    label: `Next preview mode in this panel (${REDACTION_MODES.join(', ')}); commits use the setting`,
    group: 'Redaction',
    keys: [{ key: 'm' }],
  },
  { id: 'list.nextFilter', label: 'Next filter', group: 'List', keys: [{ key: 'f' }] },
  { id: 'list.toggleOrder', label: 'Review queue (most possible faces, then lowest confidence first) / by name', group: 'List', keys: [{ key: 'q' }] },
  { id: 'list.focus', label: 'Focus the image list (↑ ↓ Home End to move)', group: 'List', keys: [{ key: 'l' }] },
  { id: 'help.toggle', label: 'Keyboard shortcuts', group: 'Help', keys: [{ key: '?' }], icon: '$(question)' },
  { id: 'video.playPause', label: 'Play / pause the video', group: 'Video', scope: 'video', keys: [{ key: ' ' }], icon: '$(play)' },
  { id: 'video.stepBack', label: 'Previous frame', group: 'Video', scope: 'video', keys: [{ key: 'ArrowLeft', shift: false }] },
  { id: 'video.stepForward', label: 'Next frame', group: 'Video', scope: 'video', keys: [{ key: 'ArrowRight', shift: false }] },
  { id: 'video.secondBack', label: 'Back 1 second', group: 'Video', scope: 'video', keys: [{ key: 'ArrowLeft', shift: true }] },
  { id: 'video.secondForward', label: 'Forward 1 second', group: 'Video', scope: 'video', keys: [{ key: 'ArrowRight', shift: true }] },
  { id: 'video.start', label: 'First frame', group: 'Video', scope: 'video', keys: [{ key: 'Home' }] },
  { id: 'video.end', label: 'Last frame', group: 'Video', scope: 'video', keys: [{ key: 'End' }] },
  { id: 'video.previousTrack', label: 'Select previous track (the playhead goes to it when it is not in view)', group: 'Video', scope: 'video', keys: [{ key: '[' }] },
  { id: 'video.nextTrack', label: 'Select next track (the playhead goes to it when it is not in view)', group: 'Video', scope: 'video', keys: [{ key: ']' }] },
  { id: 'video.acceptTrack', label: 'Accept the selected track (every frame of it)', group: 'Video', scope: 'video', keys: [{ key: 'a' }] },
  { id: 'video.rejectTrack', label: 'Reject the selected track (every frame of it)', group: 'Video', scope: 'video', keys: [{ key: 'r' }] },
  { id: 'video.nextUncertain', label: 'Next uncertain stretch (low score, gap, short track): playhead and track', group: 'Video', scope: 'video', keys: [{ key: 'u' }] },
  { id: 'video.split', label: 'Split the selected track at the playhead', group: 'Video', scope: 'video', keys: [{ key: 's' }] },
  { id: 'video.merge', label: 'Merge the selected track with the next one', group: 'Video', scope: 'video', keys: [{ key: 'm' }] },
  { id: 'video.newTrack', label: 'New track: drag on the frame, then at other frames, to set its keyframes', group: 'Video', scope: 'video', keys: [{ key: 'n' }] },
  { id: 'video.deleteKeyframe', label: "Delete the selected track's keyframe at the playhead", group: 'Video', scope: 'video', keys: [{ key: 'Delete' }] },
];

/** Pointer gestures, listed in the help overlay next to the shortcuts. */
export const GESTURES: ReadonlyArray<[gesture: string, action: string]> = [
  ['Drag on the image', 'Draw a new box'],
  ['Click a box / drag it', 'Select / move it'],
  ['Drag a handle', 'Resize the selected box'],
  ['Hover a box', 'Show its score'],
  ['Wheel', 'Zoom at the pointer'],
  ['Space + drag, middle button drag', 'Pan'],
  ['Drag a box of a video', 'Set the track\'s box at this frame (a keyframe)'],
  ['Click / drag on the timeline', 'Move the playhead (and select the track of a lane)'],
];

export function isCommandId(value: unknown): value is CommandId {
  return COMMANDS.some((command) => command.id === value);
}

export function commandInfo(id: CommandId): CommandInfo {
  return COMMANDS.find((command) => command.id === id)!;
}

export function matchesKey(spec: KeySpec, event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): boolean {
  const isLetter = /^[a-z]$/i.test(spec.key);
  const key = isLetter ? event.key.toLowerCase() : event.key;
  if (key !== spec.key) return false;
  if ((event.ctrlKey || event.metaKey) !== (spec.ctrl ?? false)) return false;
  if (event.altKey !== (spec.alt ?? false)) return false;
  const shift = spec.shift ?? (isLetter ? false : undefined);
  return shift === undefined || event.shiftKey === shift;
}

const KEY_NAMES: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Escape: 'Esc',
  Delete: 'Del',
  PageUp: 'PgUp',
  PageDown: 'PgDn',
  ' ': 'Space',
};

export function keyLabel(spec: KeySpec): string {
  const parts: string[] = [];
  if (spec.ctrl) parts.push('Ctrl');
  if (spec.alt) parts.push('Alt');
  if (spec.shift) parts.push('Shift');
  parts.push(KEY_NAMES[spec.key] ?? (spec.key.length === 1 ? spec.key.toUpperCase() : spec.key));
  return parts.join('+');
}

export function shortcutText(info: CommandInfo): string {
  return info.keys.map(keyLabel).join(' / ');
}
