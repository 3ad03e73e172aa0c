// One clock for the times on screen that age ("just now", "2 min ago", "serving since 5 s",
// a build's running seconds): a single timer, running while anything shows such a time,
// ticking once a second. A component re-renders when what it shows changes (a row's "2 min
// ago" once a minute), not on every tick, and no row has a timer of its own.
import { useSyncExternalStore } from 'react';
import { formatAgo } from './format.ts';

const TICK_MS = 1000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

/** The time now: the clock's, or the real one while the clock is stopped (its last tick may be long past). */
function current(): number {
  return timer === undefined ? Date.now() : now;
}

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
  return useSyncExternalStore(subscribe, () => {
    const at = current();
    return at - (at % resolutionMs);
  });
}

/** How long ago `at` was, as formatAgo says it, kept current: re-renders only when the words change. */
export function useAgo(at: number): string {
  return useSyncExternalStore(subscribe, () => formatAgo(at, current()));
}

const stayStill = () => () => {};

/** Whole seconds since `since` (an epoch time), ticking once a second; 0, with no ticking, while `since` is undefined. */
export function useElapsedSeconds(since: number | undefined): number {
  return useSyncExternalStore(since === undefined ? stayStill : subscribe, () => (since === undefined ? 0 : Math.max(0, Math.floor((current() - since) / 1000))));
}
