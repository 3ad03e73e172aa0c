// One clock for the times on screen that age ("just now", "2 min ago", "serving since 5 s"):
// a single timer, running while anything shows such a time, ticking once a second. A component
// re-renders when what it shows changes (a row's "2 min ago" once a minute), not on every tick,
// and no row has a timer of its own.
import { useSyncExternalStore } from 'react';
import { formatAgo } from './format.ts';

const TICK_MS = 1000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const each of listeners) each();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    clearInterval(timer);
    timer = undefined;
  };
}

/** The time now, moving in steps of `resolutionMs` (at least a second): the component re-renders at each step. */
export function useNow(resolutionMs = TICK_MS): number {
  return useSyncExternalStore(subscribe, () => now - (now % resolutionMs));
}

/** How long ago `at` was, as formatAgo says it, kept current: re-renders only when the words change. */
export function useAgo(at: number): string {
  // Before the first subscription `now` may be old: the words are computed from the real time then.
  return useSyncExternalStore(subscribe, () => formatAgo(at, timer === undefined ? Date.now() : now));
}
