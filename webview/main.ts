/** The review webview's composition root: wires the store, the views, the host and the messages. */
import './styles.css';
import { createCommands } from './commands';
import { DisplayCopies } from './displayCopies';
import { Filmstrip } from './filmstrip';
import { reportFocusPlace } from './focusPlaces';
import { HelpOverlay } from './helpOverlay';
import { Host } from './host';
import { ImageView } from './imageView';
import { assertNever } from './imageList';
import { createCommandRunner, installPageShortcuts } from './keyboard';
import { installPointerEditing } from './pointerEditing';
import { PreviewNote } from './previewNote';
import {
  DisplayCopyRequest,
  ErrorReport,
  FocusChanged,
  ImageOpen,
  isExtensionToWebviewMessage,
  Ready,
  RecordRequest,
  ReviewUpdate,
  ThumbnailsRequest,
  VideoProxyRequest,
  WEBVIEW_PROTOCOL_VERSION,
  type ExtensionToWebviewMessage,
} from './protocol';
import { SaveQueue } from './saveQueue';
import { StatusBar } from './statusBar';
import { ReviewStore, type Change } from './store';
import { Toolbar } from './toolbar';
import { Timeline } from './video/timeline';
import { TrackEditing } from './video/trackEditing';
import { createVideoCommands } from './video/videoCommands';
import { VideoPlayer } from './video/videoPlayer';
import { VideoProxies } from './video/videoProxies';

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`webview page lacks #${id}`);
  return found as T;
}

const host = new Host();
const saves = new SaveQueue(
  ({ record, ...stamp }) => {
    const status = record.status === 'committed' ? undefined : record.status;
    // A video's review state is its tracks (its boxes stay empty).
    const tracks = record.video ? { tracks: record.tracks ?? [] } : {};
    host.post(ReviewUpdate.create({ file: record.file, boxes: record.boxes, status, ...tracks, ...stamp }));
  },
  (state) => statusBar.showSaveState(state),
);
const store = new ReviewStore((record) => saves.edited(record));

const stage = element('stage');
const displayCopies = new DisplayCopies((file) => host.post(DisplayCopyRequest.create({ file })));
const videoProxies = new VideoProxies((file) => host.post(VideoProxyRequest.create({ file })));
/** The playhead as last saved with the UI state. */
let savedFrame = 0;
const player = new VideoPlayer(element<HTMLVideoElement>('video'), {
  frame: (frame) => store.setFrame(frame),
  playing: (playing) => {
    timeline.showPlaying(playing);
    if (!playing) saveUiState();
  },
});
const view = new ImageView(store, stage, element('boxes'), element('draft'), element('stage-message'), element<HTMLCanvasElement>('preview'), displayCopies, {
  player,
  proxies: videoProxies,
});
const timeline = new Timeline(
  {
    root: element('timeline'),
    body: element('timeline-body'),
    ruler: element<HTMLCanvasElement>('timeline-ruler'),
    lanes: element('timeline-lanes'),
    playhead: element('timeline-playhead'),
    time: element('timeline-time'),
    playButton: element('timeline-play'),
  },
  store,
  { seek: (frame) => player.seek(frame), select: (id) => store.select(id), togglePlay: () => player.toggle() },
);
const help = new HelpOverlay(element('help'), element('help-body'), element('help-close'));
const filmstripElement = element('filmstrip');
const filmstrip = new Filmstrip(filmstripElement, element('filmstrip-spacer'), store, (files) => host.post(ThumbnailsRequest.create({ files })));
const statusBar = new StatusBar(
  { name: element('image-name'), status: element('image-status'), announcer: element('announcer'), error: element('error'), saveState: element('save-state') },
  store,
);

const previewNote = new PreviewNote(element('preview-note'), store);
const trackEditing = new TrackEditing(store, { announce: (text) => statusBar.announce(text), refuse: (text) => statusBar.showError(text) });

const commands = createCommands({
  store,
  view,
  toggleHelp: () => help.toggle(),
  closeHelp: () => help.close(),
  focusList: () => filmstripElement.focus(),
  refuseReviewed: (undecided) => {
    // The faces to decide must be in sight: no preview or hidden boxes over them.
    if (store.ui.preview) store.setPreview(false);
    if (store.ui.boxesHidden) store.setBoxesHidden(false);
    const ids = undecided.map((item) => item.id);
    const isVideo = store.currentVideo() !== undefined;
    const noun = isVideo ? 'track' : 'face';
    if (isVideo) timeline.flash(ids);
    else view.flash(ids);
    const faces = undecided.length === 1 ? `1 ${noun} is` : `${undecided.length} ${noun}s are`;
    statusBar.showError(`Not marked reviewed: ${faces} still undecided (flashing). Accept or reject each first.`);
  },
  video: createVideoCommands({ store, player, editing: trackEditing, announce: (text) => statusBar.announce(text) }),
});
const toolbar = new Toolbar(
  {
    toolbar: document.querySelector<HTMLElement>('.toolbar')!,
    progressText: element('progress-text'),
    progressFill: element('progress-fill'),
    filter: element<HTMLSelectElement>('filter'),
    order: element<HTMLSelectElement>('order'),
    mode: element<HTMLSelectElement>('mode'),
  },
  store,
  commands,
);
const runCommand = createCommandRunner(commands, () => help.isOpen);
// In VS Code its keybindings run the shortcuts (html.ts `shortcuts`): the page says where its focus is, for their `when`.
if (document.body.dataset.shortcuts === 'page') installPageShortcuts(runCommand, () => store.currentVideo() !== undefined);
else reportFocusPlace((place) => host.post(FocusChanged.create({ place })));
installPointerEditing(stage, store, view, trackEditing);
// A box of a video is edited at the frame on screen: a press on the stage stops playback there.
stage.addEventListener('pointerdown', () => player.pause(), { capture: true });

function onChange(change: Change): void {
  switch (change.kind) {
    case 'dataset':
      filmstrip.reset();
      toolbar.update();
      previewNote.update();
      toolbar.updateProgress();
      showCurrentImage();
      break;
    case 'current':
      showCurrentImage();
      break;
    case 'record':
      // A decision on the selected box (R, A) changes its state, not the selection: say the new state.
      if (change.file === store.ui.file) {
        view.render();
        timeline.update();
        statusBar.announceSelection();
      }
      toolbar.updateProgress();
      filmstrip.scheduleRender();
      break;
    case 'selection':
      view.render();
      timeline.update();
      statusBar.announceSelection();
      break;
    case 'frame':
      // Every frame while a video plays: its boxes and the playhead only; the playhead is saved at each frame
      // stepped or sought to, and once a second while playing (a panel hidden meanwhile shows it again there).
      stage.dataset.frame = String(store.frame);
      view.render();
      timeline.updatePlayhead();
      if (!player.playing || Math.abs(store.frame - savedFrame) >= player.fps) saveUiState();
      return;
    case 'viewport':
    case 'preview':
    case 'settings':
      view.render();
      toolbar.update();
      previewNote.update();
      break;
    case 'list':
      toolbar.update();
      filmstrip.scheduleRender();
      break;
    case 'thumbnails':
      filmstrip.scheduleRender();
      break;
    default:
      assertNever(change);
  }
  statusBar.update(view.viewport().scale);
  // The image shown or the list changed: its record, or a neighbour's, may be missing (not on every pan or selection).
  if (change.kind === 'dataset' || change.kind === 'current' || change.kind === 'list') for (const file of store.recordsToRequest()) host.post(RecordRequest.create({ file }));
  saveUiState();
}

/** Saves the UI state and the video's playhead: VS Code gives them back when the hidden panel is shown again. */
function saveUiState(): void {
  savedFrame = store.frame;
  host.saveUiState(store.ui, store.frame);
}

function showCurrentImage(): void {
  stage.dataset.frame = String(store.frame);
  void view.showCurrent();
  timeline.update();
  filmstrip.revealCurrent();
  if (store.ui.file !== null) host.post(ImageOpen.create({ file: store.ui.file, video: store.currentVideo() !== undefined }));
}

let firstLoad = true;
function onMessage(message: ExtensionToWebviewMessage): void {
  switch (message.type) {
    case 'dataset/load':
      host.reviews(message.folder ?? message.root);
      saves.reset(message.rows);
      displayCopies.clear();
      videoProxies.clear();
      store.load(message, firstLoad ? host.savedUiState() : null);
      firstLoad = false;
      break;
    case 'thumbnails':
      store.addThumbnails(message.thumbs);
      break;
    case 'displayCopy':
      displayCopies.receive(message);
      break;
    case 'video/proxy':
      videoProxies.receive(message);
      break;
    case 'video/proxyProgress':
      view.showPreparing(message.file, message.done / message.total);
      break;
    case 'record/loaded':
      store.loadRecord(message.record);
      break;
    case 'record/updated': {
      const elsewhere = message.seq === undefined;
      const shown = elsewhere ? saves.changedElsewhere(message.record) : saves.confirmed(message.record, message.seq!);
      if (shown) store.replaceRecord(shown, elsewhere);
      break;
    }
    case 'review/refused':
      if (!saves.refusedEdit(message.file, message.seq, message.record)) break;
      if (message.record) store.replaceRecord(message.record, true);
      statusBar.showError(message.message);
      break;
    case 'settings/changed':
      store.setSettings(message.settings);
      break;
    case 'image/show':
      store.open(message.file);
      break;
    case 'error':
      statusBar.showError(message.message);
      break;
    case 'action':
      runCommand(message.action, { large: message.large ?? false });
      break;
    default:
      assertNever(message);
  }
}

store.subscribe(onChange);
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isExtensionToWebviewMessage(event.data)) onMessage(event.data);
  else {
    const type = typeof event.data === 'object' && event.data !== null ? String((event.data as { type?: unknown }).type) : typeof event.data;
    host.post(ErrorReport.create({ message: `webview ignored an invalid message (type ${type})` }));
  }
});
host.post(Ready.create({ version: WEBVIEW_PROTOCOL_VERSION }));
