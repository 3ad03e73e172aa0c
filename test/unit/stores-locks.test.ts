// StoreLocks: striped mutexes over a SharedArrayBuffer, shared by the threads of a process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { spawnWorker } from '../../runtime/threads/spawn-worker.ts';

describe('StoreLocks', () => {
  it('runs a function under a key lock and returns its result', () => {
    const locks = new StoreLocks();
    assert.equal(locks.withKey('b', 'k', () => 42), 42);
    assert.equal(locks.withKeys('b', ['x', 'y', 'x'], () => 'batch'), 'batch');
    assert.equal(locks.withAll(() => 'all'), 'all');
  });

  it('frees the lock when the function throws', () => {
    const locks = new StoreLocks();
    assert.throws(() => locks.withKey('b', 'k', () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(locks.withKey('b', 'k', () => 'free again'), 'free again');
  });

  it('refuses to take a lock the same thread already holds, instead of hanging', () => {
    const locks = new StoreLocks();
    assert.throws(() => locks.withKey('b', 'k', () => locks.withKey('b', 'k', () => 0)), /not re-entrant/);
    assert.throws(() => locks.withKey('b', 'k', () => locks.withAll(() => 0)), /not re-entrant/);
  });

  it('wraps the same buffer in another thread (the buffer is what workers get)', () => {
    const locks = new StoreLocks();
    const again = new StoreLocks(locks.buffer);
    assert.equal(again.buffer, locks.buffer);
    assert.throws(() => new StoreLocks(new SharedArrayBuffer(16)), /needs/);
  });

  it('frees the locks of a worker terminated while holding them', async () => {
    const locks = new StoreLocks();
    const worker = spawnWorker(new URL('../helpers/stores-lock-holder.ts', import.meta.url), { data: { locks: locks.buffer, bucket: 'b', key: 'k' } });
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const threadId = worker.threadId;
    await worker.terminate();
    assert.equal(locks.releaseHeldBy(threadId), 1);
    assert.equal(locks.withKey('b', 'k', () => 'taken'), 'taken');
  });
});
