// How long an instance may take to start before its start code is taken to loop: 20 s, or the
// request timeout if that is longer, unless --start-timeout says otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLimitMs } from '../../runtime/workloads/worker-pool.ts';

describe('the start limit of an instance', () => {
  it('is 20 s, or the request timeout when that is longer', () => {
    assert.equal(startLimitMs({ requestTimeoutMs: 30_000 }), 30_000);
    assert.equal(startLimitMs({ requestTimeoutMs: 1_000 }), 20_000);
  });

  it('is --start-timeout when given, shorter or longer than the request timeout', () => {
    assert.equal(startLimitMs({ requestTimeoutMs: 30_000, startTimeoutMs: 2_000 }), 2_000);
    assert.equal(startLimitMs({ requestTimeoutMs: 30_000, startTimeoutMs: 120_000 }), 120_000);
  });
});
