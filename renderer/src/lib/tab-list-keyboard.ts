// The arrow keys in a tab list (role="tablist") and a radio group (role="radiogroup"), as the
// ARIA patterns have them: Left/Right (and Up/Down) go to the previous/next tab or radio,
// Home/End to the first/last, each picked as it gets the focus. The group is one Tab stop:
// only the picked tab or the checked radio has tabIndex 0 (see `tabStop`). It owns the keys
// only; which one is picked stays with the view (a click on it).
import type { KeyboardEvent } from 'react';

const KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** The onKeyDown of a group whose items `selector` finds. */
function arrowKeysAmong(selector: string): (e: KeyboardEvent<HTMLElement>) => void {
  return (e) => {
    if (!KEYS.has(e.key) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const items = [...e.currentTarget.querySelectorAll<HTMLElement>(selector)];
    const from = items.findIndex((item) => item === e.target || item.contains(e.target as Node));
    if (from < 0 || items.length === 0) return;
    const back = e.key === 'ArrowLeft' || e.key === 'ArrowUp';
    const to = e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : (from + (back ? -1 : 1) + items.length) % items.length;
    e.preventDefault();
    items[to]!.focus();
    items[to]!.click();
  };
}

/** The tab list's onKeyDown. */
export const onTabListKeyDown = arrowKeysAmong('[role="tab"]:not(:disabled)');

/** The radio group's onKeyDown. */
export const onRadioGroupKeyDown = arrowKeysAmong('[role="radio"]:not(:disabled)');

/** A tab's or radio's tabIndex: the picked one is the group's Tab stop, the arrows reach the others. */
export function tabStop(picked: boolean): number {
  return picked ? 0 : -1;
}
