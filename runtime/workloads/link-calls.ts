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

/**
 * The provider's export object with each of its functions counting its calls in `calls[index]`.
 * Resource classes are passed as they are: the importer's glue checks what it gets is an
 * instance of the very class, and a method call on a resource is not counted.
 */
export function counted(exported: unknown, calls: Int32Array, index: number): unknown {
  if (typeof exported !== 'object' || exported === null) return exported;
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exported)) {
    const isClass = typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
    wrapped[name] =
      typeof value === 'function' && !isClass
        ? (...args: unknown[]) => {
            Atomics.add(calls, index, 1);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return wrapped;
}
