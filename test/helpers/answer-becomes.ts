// Waits for a URL to answer with a body, as a user refreshing after a save would.
import { waitUntil } from './wait-until.ts';

/** Resolves once `url` answers `expected`; fails with the last answer after `timeoutMs`. */
export async function answerBecomes(url: string, expected: string, timeoutMs = 30_000): Promise<void> {
  let last = '';
  await waitUntil(
    // A request that hangs must not outlast the wait.
    async () => (last = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.text(), (e: Error) => `(${e.message})`)) === expected,
    () => `${url} answers ${JSON.stringify(expected)}; last: ${JSON.stringify(last)}`,
    timeoutMs,
  );
}
