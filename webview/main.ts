/** The review webview's composition root: wires the store, the views, the host and the messages. */
import './styles.css';
import type { RedactionMode } from '../daemon/protocol';
import { createCommands } from './commands';
import { DisplayCopies } from './displayCopies';
import { Filmstrip } from './filmstrip';
import { HelpOverlay } from './helpOverlay';
import { Host } from './host';
import { ImageView } from './imageView';
import { assertNever } from './imageList';
import { installKeyboard } from './keyboard';
import { installPointerEditing } from './pointerEditing';
import {
  DisplayCopyRequest,
  ErrorReport,
  ImageOpen,
  isExtensionToWebviewMessage,
  Ready,
  RedactionModeChange,
  ReviewUpdate,
  ThumbnailsRequest,
  WEBVIEW_PROTOCOL_VERSION,
  type ExtensionToWebviewMessage,
} from './protocol';
import { SaveQueue } from './saveQueue';
import { StatusBar } from './statusBar';
import { ReviewStore, type Change } from './store';
import { Toolbar } from './toolbar';

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`webview page lacks #${id}`);
  return found as T;
}

const host = new Host();
const saves = new SaveQueue(
  ({ record, ...stamp }) => {
    const status = record.status === 'committed' ? undefined : record.status;
    host.post(ReviewUpdate.create({ file: record.file, boxes: record.boxes, status, ...stamp }));
  },
  (state) => statusBar.showSaveState(state),
);
const store = new ReviewStore((record) => saves.edited(record));

const stage = element('stage');
const displayCopies = new DisplayCopies((file) => host.post(DisplayCopyRequest.create({ file })));
const view = new ImageView(store, stage, element('boxes'), element('draft'), element('stage-message'), element<HTMLCanvasElement>('preview'), displayCopies);
const help = new HelpOverlay(element('help'), element('help-body'), element('help-close'));
const filmstripElement = element('filmstrip');
const filmstrip = new Filmstrip(filmstripElement, element('filmstrip-spacer'), store, (files) => host.post(ThumbnailsRequest.create({ files })));
const statusBar = new StatusBar(
  { name: element('image-name'), status: element('image-status'), announcer: element('announcer'), error: element('error'), saveState: element('save-state') },
  store,
);

const changeMode = (mode: RedactionMode) => {
  if (mode === store.settings.mode) return;
  store.setSettings({ ...store.settings, mode });
  host.post(RedactionModeChange.create({ mode }));
};
const commands = createCommands({
  store,
  view,
  toggleHelp: () => help.toggle(),
  closeHelp: () => help.close(),
  focusList: () => filmstripElement.focus(),
  changeMode,
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
  changeMode,
);
installKeyboard(commands, () => help.isOpen);
installPointerEditing(stage, store, view);

function onChange(change: Change): void {
  switch (change.kind) {
    case 'dataset':
      filmstrip.reset();
      toolbar.update();
      toolbar.updateProgress();
      showCurrentImage();
      break;
    case 'current':
      showCurrentImage();
      break;
    case 'record':
      if (change.file === store.ui.file) view.render();
      toolbar.updateProgress();
      filmstrip.scheduleRender();
      break;
    case 'selection':
      view.render();
      statusBar.announceSelection();
      break;
    case 'viewport':
    case 'preview':
    case 'settings':
      view.render();
      toolbar.update();
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
  host.saveUiState(store.ui);
}

function showCurrentImage(): void {
  void view.showCurrent();
  filmstrip.revealCurrent();
  if (store.ui.file !== null) host.post(ImageOpen.create({ file: store.ui.file }));
}

let firstLoad = true;
function onMessage(message: ExtensionToWebviewMessage): void {
  switch (message.type) {
    case 'dataset/load':
      saves.reset(message.records);
      displayCopies.clear();
      store.load(message, firstLoad ? host.savedUiState() : null);
      firstLoad = false;
      break;
    case 'thumbnails':
      store.addThumbnails(message.thumbs);
      break;
    case 'displayCopy':
      displayCopies.receive(message);
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
