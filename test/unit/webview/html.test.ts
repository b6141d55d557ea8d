import assert from 'node:assert/strict';
import { COMMANDS, keyLabel, matchesKey } from '../../../webview/commandCatalog';
import { renderWebviewHtml } from '../../../webview/html';

const key = (key: string, modifiers: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});

describe('webview page and shortcuts', () => {
  const html = renderWebviewHtml({ cspSource: 'https://cdn.example', nonce: 'n0nce"<', scriptUri: 'https://cdn.example/w.js', styleUri: 'https://cdn.example/w.css' });

  it('declares the strict CSP and loads the script by nonce, with every attribute escaped', () => {
    assert.match(html, /content="default-src &#39;none&#39;; img-src https:\/\/cdn.example data: blob:; media-src https:\/\/cdn.example; style-src https:\/\/cdn.example; font-src https:\/\/cdn.example; script-src &#39;nonce-n0nce&#34;&#60;&#39;;"/);
    assert.match(html, /<script nonce="n0nce&#34;&#60;" src="https:\/\/cdn.example\/w.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/cdn.example\/w.css">/);
  });

  it('has no inline style or script the CSP would block', () => {
    assert.doesNotMatch(html, /\sstyle=/);
    assert.doesNotMatch(html, /<style/);
    assert.equal(html.match(/<script/g)?.length, 1);
  });

  it('no two commands share a key, but for a video\'s, which take their keys from the image commands while a video is shown', () => {
    const seen = new Map<string, string>();
    for (const command of COMMANDS) {
      for (const spec of command.keys) {
        const label = `${command.scope ?? 'any'} ${keyLabel(spec)}`;
        assert.ok(!seen.has(label), `${label} is bound to ${seen.get(label)} and ${command.id}`);
        seen.set(label, command.id);
      }
    }
  });

  it('matches letters by case and Shift, Ctrl or Cmd alike, and arrows with any Shift', () => {
    const accept = { key: 'a' };
    const acceptAll = { key: 'a', shift: true };
    assert.ok(matchesKey(accept, key('a')) && !matchesKey(accept, key('A', { shiftKey: true })));
    assert.ok(matchesKey(acceptAll, key('A', { shiftKey: true })) && !matchesKey(acceptAll, key('a')));
    assert.ok(matchesKey({ key: 'z', ctrl: true }, key('z', { metaKey: true })) && !matchesKey({ key: 'z', ctrl: true }, key('z')));
    assert.ok(matchesKey({ key: 'ArrowLeft' }, key('ArrowLeft', { shiftKey: true })) && !matchesKey({ key: 'ArrowLeft' }, key('ArrowLeft', { altKey: true })));
  });
});
