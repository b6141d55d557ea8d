/**
 * Where the keyboard focus is, as far as the review's keys go, and which keys the focused control takes for itself.
 * In VS Code the page reports its focus place (`focus/changed`); the extension puts it in the `veil.reviewFocus`
 * context key, and each of the review's keybindings steps aside (its `when` clause) where the control takes its key.
 * Outside VS Code the page's own shortcuts follow the same table.
 */
import type { FocusPlace } from './protocol';

/** The filmstrip's own keys: they move in the list while it has the focus (filmstrip.ts). */
export const LIST_KEYS = ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'] as const;
export type ListKey = (typeof LIST_KEYS)[number];

export function focusPlaceOf(element: Element | null, pageHasFocus: boolean): FocusPlace {
  if (!pageHasFocus) return 'outside';
  if (element?.closest('select, input, textarea')) return 'field';
  if (element?.closest('button')) return 'button';
  if (element?.closest('.filmstrip')) return 'list';
  return 'stage';
}

/** Whether the control focused at `place` takes `key` (`KeyboardEvent.key`) for itself, so no review shortcut runs. */
export function placeTakesKey(place: FocusPlace, key: string): boolean {
  switch (place) {
    case 'field':
      return key !== 'Escape';
    case 'button':
      return key === 'Enter' || key === ' ';
    case 'list':
      return (LIST_KEYS as readonly string[]).includes(key);
    case 'stage':
    case 'outside':
      return false;
  }
}

/** Tells `report` the focus place now and whenever it changes (focus moving inside the page, or in and out of it). */
export function reportFocusPlace(report: (place: FocusPlace) => void): void {
  let reported: FocusPlace | undefined;
  const update = () => {
    const place = focusPlaceOf(document.activeElement, document.hasFocus());
    if (place === reported) return;
    reported = place;
    report(place);
  };
  // focusout fires before the next element has the focus: look once it has.
  const soon = () => setTimeout(update, 0);
  for (const type of ['focusin', 'focusout']) document.addEventListener(type, soon);
  for (const type of ['focus', 'blur']) window.addEventListener(type, soon);
  update();
}
