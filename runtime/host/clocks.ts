// wasi:clocks. The monotonic clock counts nanoseconds from the worker's start; its pollables
// become ready at a deadline, which wasi:io's poll turns into a timed wait.
import { Pollable } from './io.ts';

const NS_PER_MS = 1_000_000n;
const origin = performance.now();

function nowNs(): bigint {
  return BigInt(Math.round((performance.now() - origin) * 1e6));
}

function pollableAt(ns: bigint): Pollable {
  const deadline = origin + Number(ns) / 1e6;
  return new Pollable({ ready: () => performance.now() >= deadline, deadline: () => deadline });
}

export function clockImports() {
  return {
    'wasi:clocks/monotonic-clock': {
      now: nowNs,
      resolution: () => 1000n,
      subscribeInstant: (when: bigint) => pollableAt(when),
      subscribeDuration: (duration: bigint) => pollableAt(nowNs() + duration),
    },
    'wasi:clocks/wall-clock': {
      now() {
        const ms = BigInt(Date.now());
        return { seconds: ms / 1000n, nanoseconds: Number((ms % 1000n) * NS_PER_MS) };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
  };
}
