// Counters of the calls across the links of a chain: one Int32 per link, numbered through the
// chain's members in order, in memory shared by every thread that runs the chain, so the UI
// can show how much each link is used without a message per call.
import type { ChainMember } from './worker-protocol.ts';

function linkCount(chain: readonly ChainMember[]): number {
  return chain.reduce((sum, member) => sum + member.links.length, 0);
}

export function linkCounters(chain: readonly ChainMember[]): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * Math.max(1, linkCount(chain)));
}

/** Calls so far across each link, in chain order. */
export function readLinkCalls(chain: readonly ChainMember[], counters: SharedArrayBuffer): number[] {
  return Array.from(new Int32Array(counters).subarray(0, linkCount(chain)), (n) => n >>> 0);
}
