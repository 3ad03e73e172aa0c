// The arrow keys in a tab list (role="tablist"), as the ARIA pattern has them: Left/Right (and
// Up/Down) go to the previous/next tab, Home/End to the first/last, each picked as it gets the
// focus. The tab list is one Tab stop: only the picked tab has tabIndex 0 (see `tabStop`).
// It owns the keys only; which tab is picked stays with the view (a click on the tab).
import type { KeyboardEvent } from 'react';

const KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** The tab list's onKeyDown. */
export function onTabListKeyDown(e: KeyboardEvent<HTMLElement>): void {
  if (!KEYS.has(e.key) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const tabs = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]:not(:disabled)')];
  const from = tabs.findIndex((tab) => tab === e.target || tab.contains(e.target as Node));
  if (from < 0 || tabs.length === 0) return;
  const back = e.key === 'ArrowLeft' || e.key === 'ArrowUp';
  const to = e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : (from + (back ? -1 : 1) + tabs.length) % tabs.length;
  e.preventDefault();
  tabs[to]!.focus();
  tabs[to]!.click();
}

/** A tab's tabIndex: the picked one is the list's Tab stop, the arrows reach the others. */
export function tabStop(picked: boolean): number {
  return picked ? 0 : -1;
}
