/**
 * The review webview's page. Pure string building, shared by the extension and the test harness.
 * No inline styles or scripts: the CSP allows only the stylesheet (and its codicon font) from `cspSource`
 * and the script with the nonce.
 */
import { commandInfo, shortcutText, type CommandId } from './commandCatalog';

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh random nonce per page (e.g. `crypto.randomBytes(16).toString('base64')`). */
  nonce: string;
  /** `asWebviewUri` of dist/webview.js. */
  scriptUri: string;
  /** `asWebviewUri` of dist/webview.css. */
  styleUri: string;
  /**
   * Who runs the review's shortcuts. `vscode` (the default): VS Code's keybindings (contributes.keybindings, so people
   * can rebind them) send each action as a message; the page runs no shortcut itself, which would run it twice.
   * `page`: the page runs them (a page outside VS Code: the tests and benchmarks).
   */
  shortcuts?: ShortcutHandler;
}

export type ShortcutHandler = 'vscode' | 'page';

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data: blob:; media-src ${cspSource}; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}';`;
}

const TOOLBAR_GROUPS: CommandId[][] = [
  ['image.previous', 'image.next', 'image.nextUnreviewed'],
  ['box.acceptAll', 'box.rejectAll', 'image.markReviewed'],
  ['edit.undo', 'edit.redo'],
  ['view.zoomOut', 'view.zoomIn', 'view.fit', 'view.actualSize', 'view.zoomToSelection'],
  ['view.toggleBoxes', 'preview.toggle'],
];

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const csp = escapeHtml(contentSecurityPolicy(options.cspSource, options.nonce));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(options.styleUri)}">
<title>Veil review</title>
</head>
<body data-shortcuts="${options.shortcuts ?? 'vscode'}">
<div class="app">
<header class="toolbar" role="toolbar" aria-label="Review">
<label class="toolbar__field">Show <select id="filter" aria-label="Filter images (F)"></select></label>
<label class="toolbar__field">Order <select id="order" aria-label="Order images (Q)"></select></label>
${TOOLBAR_GROUPS.map((group) => `<div class="toolbar__group">${group.map((id) => renderButton(id)).join('')}</div>`).join('\n')}
<label class="toolbar__field">Preview <select id="mode" aria-label="Redaction mode previewed in this panel (M); commits use the setting" title="Redaction mode previewed in this panel (M); commits use the veil.redaction.mode setting"></select></label>
<div class="toolbar__group toolbar__end">${renderButton('help.toggle')}</div>
</header>
<div class="main">
<div class="sidebar">
<div class="progress" role="status" aria-live="polite" aria-label="Progress">
<span id="progress-text" class="progress__text">No dataset</span>
<div class="progress__bar" aria-hidden="true"><div id="progress-fill" class="progress__fill"></div></div>
</div>
<div id="filmstrip" class="filmstrip" role="listbox" aria-label="Images (L)" tabindex="0"><div id="filmstrip-spacer" class="filmstrip__spacer"></div></div>
</div>
<div class="viewer">
<div id="stage" class="stage" tabindex="0" role="application" aria-label="Image with face boxes; press ? for shortcuts" aria-describedby="announcer">
<img id="image" class="stage__image" alt="" draggable="false">
<video id="video" class="stage__image" muted playsinline disablepictureinpicture hidden></video>
<canvas id="preview" class="stage__preview" aria-hidden="true"></canvas>
<div id="boxes" class="boxes" role="group" aria-label="Faces"></div>
<div id="draft" class="box box--draft" hidden></div>
<div id="stage-message" class="stage__message" hidden></div>
<div id="preview-note" class="stage__note" role="status" hidden></div>
</div>
<div id="timeline" class="timeline" hidden>
<div class="timeline__head">
${renderButton('video.playPause', 'timeline-play')}
<span id="timeline-time" class="timeline__time" aria-live="off"></span>
</div>
<div id="timeline-body" class="timeline__body">
<div class="timeline__label timeline__label--ruler" aria-hidden="true">Tracks</div>
<canvas id="timeline-ruler" class="timeline__ruler" aria-hidden="true"></canvas>
<div id="timeline-lanes" class="timeline__lanes" role="listbox" aria-label="Tracks"></div>
<div class="timeline__overlay" aria-hidden="true"><div id="timeline-playhead" class="timeline__playhead"></div></div>
</div>
</div>
</div>
</div>
<footer class="statusbar">
<span id="image-name" class="statusbar__name"></span>
<span id="image-status" class="statusbar__status"></span>
<span id="announcer" class="statusbar__announcer" role="status" aria-live="polite"></span>
<span id="error" class="statusbar__error" role="alert"></span>
<span id="save-state" class="statusbar__save" data-state="saved"></span>
</footer>
</div>
<div id="help" class="help" role="dialog" aria-modal="true" aria-labelledby="help-title" hidden>
<div class="help__panel">
<h2 id="help-title" class="help__title">Keyboard shortcuts</h2>
<button id="help-close" class="help__close" type="button" aria-label="Close shortcuts (Escape)">${renderIcon('$(close)')}</button>
<div id="help-body" class="help__body"></div>
<p class="help__note">The default keys. In VS Code each is a keybinding: change it in Keyboard Shortcuts (search for veil.review).</p>
</div>
</div>
<script nonce="${escapeHtml(options.nonce)}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>
`;
}

function renderButton(id: CommandId, elementId?: string): string {
  const command = commandInfo(id);
  const label = escapeHtml(`${command.label} (${shortcutText(command)})`);
  const idAttribute = elementId === undefined ? '' : ` id="${elementId}"`;
  return `<button type="button"${idAttribute} class="toolbar__button" data-command="${id}" aria-label="${label}" title="${label}">${renderIcon(command.icon ?? command.label)}</button>`;
}

/** `$(name)` is the codicon `name` (VS Code's own notation); anything else is shown as text. */
function renderIcon(icon: string): string {
  const codicon = /^\$\(([a-z0-9-]+)\)$/.exec(icon);
  return codicon ? `<span class="codicon codicon-${codicon[1]}" aria-hidden="true"></span>` : escapeHtml(icon);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
