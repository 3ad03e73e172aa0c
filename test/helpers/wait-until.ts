// Waits for a condition the test can only look at, not subscribe to (a pool's size, a thread
// appearing, a server's answer): it looks again every few milliseconds until it holds. The
// timeout is only where a test that would otherwise hang fails, with what was seen last.
import { setTimeout as sleep } from 'node:timers/promises';

/** How often a condition is looked at again. */
const POLL_MS = 50;

/**
 * Resolves once `holds()` is true; fails after `timeoutMs` with `what` (called then, so it
 * can describe the last state seen).
 */
export async function waitUntil(holds: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await holds()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what()}`);
    await sleep(POLL_MS);
  }
}
