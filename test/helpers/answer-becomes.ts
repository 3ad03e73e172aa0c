// Waits for a URL to answer with a body, as a user refreshing after a save would.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `url` answers `expected`; fails with the last answer after `timeoutMs`. */
export async function answerBecomes(url: string, expected: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await fetch(url).then((r) => r.text(), (e: Error) => `(${e.message})`);
    if (last === expected) return;
    await sleep(50);
  }
  assert.fail(`the answer did not become ${JSON.stringify(expected)}; last: ${JSON.stringify(last)}`);
}
