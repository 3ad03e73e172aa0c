// The reload queue: a request during a cycle cancels it, with the request's reason as the
// cancelled cycle's abort reason (what the log then says), and one more cycle runs after it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReloadQueue, STOPPED } from '../../runtime/session/reload-queue.ts';

/** A queue whose cycles wait until they are cancelled, recording each one's reason and what cancelled it. */
function recordingQueue() {
  const ran: { reason: string; cancelledBy?: unknown }[] = [];
  const queue = new ReloadQueue(async (reason, _at, signal) => {
    const entry: { reason: string; cancelledBy?: unknown } = { reason };
    ran.push(entry);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    entry.cancelledBy = signal.reason;
  });
  return { queue, ran };
}

describe('reload queue', () => {
  it('cancels a running cycle with the reason of the request that came, then runs that one', async () => {
    const { queue, ran } = recordingQueue();
    const running = queue.run('start', 0);
    queue.request('manual', 1);
    await new Promise((resolve) => setImmediate(resolve));
    queue.request('change', 2);
    await new Promise((resolve) => setImmediate(resolve));
    queue.stop();
    await running;
    assert.deepEqual(ran, [
      { reason: 'start', cancelledBy: 'manual' },
      { reason: 'manual', cancelledBy: 'change' },
      { reason: 'change', cancelledBy: STOPPED },
    ]);
  });
});
