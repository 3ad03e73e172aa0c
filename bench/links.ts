// Calls across a component-to-component link against the same function called directly.
//
// Two WAT components (so no JS engine inside either one blurs the figure): bench-adder exports
// `acme:bench/math.add`; bench-linked-driver's `run(n)` calls that `add` n times through its
// import. They are transpiled and instantiated the way a studio worker instantiates a chain
// (the adder first, its export object, wrapped to count calls, passed as the driver's
// import), on this thread. Measured in the same run:
//   - linked: driver.run(n) / n, each call going driver wasm -> glue -> adder glue -> adder wasm;
//   - direct: the host calling the adder's `add` n times, the same function with no link.
// Target (docs/benchmarks.md): linked at least 0.9x direct.
import { fail } from 'node:assert';
import { describe } from '../runtime/errors.ts';
import { hostImports } from '../runtime/host/index.ts';
import { counted } from '../runtime/workloads/link-calls.ts';
import { prepareComponent, type PreparedComponent } from '../runtime/workloads/prepared-component.ts';
import { defaultRuntimeSettings } from '../runtime/workloads/workload.ts';
import { watFixture } from '../test/fixtures/fixtures.ts';
import { testCacheDir } from '../test/helpers/studio-process.ts';
import type { Benchmark } from './lib/bench.ts';
import { table } from './lib/format.ts';

type Exports = Record<string, Record<string, (...args: number[]) => number>>;

interface Glue {
  instantiate(getCoreModule: (path: string) => WebAssembly.Module, imports: Record<string, unknown>): Promise<Exports>;
}

async function prepared(name: 'bench-adder' | 'bench-linked-driver'): Promise<PreparedComponent> {
  const settings = defaultRuntimeSettings(testCacheDir);
  const ready = await prepareComponent({ name, wasmPath: await watFixture(name) }, settings.cacheDir, settings.memoryLimitBytes);
  if (!ready.ok) fail(describe(ready.error));
  return ready.value;
}

async function instantiate(component: PreparedComponent, extra: Record<string, unknown> = {}): Promise<Exports> {
  const glue = (await import(component.glueUrl)) as Glue;
  const state = { componentName: component.name, config: new Map<string, string>(), environment: [], log: () => {}, atRequestEnd: () => {} };
  return glue.instantiate((path) => component.coreModules[path]!, { ...hostImports(state), ...extra });
}

/** Calls per second of `round(n)` doing n calls, over about `ms` of rounds. */
function callsPerSecond(round: (n: number) => void, ms: number): number {
  const n = 10_000;
  for (let i = 0; i < 20; i++) round(n); // warm up: both paths get optimized first
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    round(n);
    calls += n;
  }
  return calls / ((performance.now() - started) / 1000);
}

export const benchmark: Benchmark = {
  description: 'calls across a component-to-component link vs the same function called directly',
  async run(options, print) {
    const adder = await instantiate(await prepared('bench-adder'));
    const math = adder['acme:bench/math@0.1.0']!;
    const calls = new Int32Array(new SharedArrayBuffer(4));
    const driver = (await instantiate(await prepared('bench-linked-driver'), { 'acme:bench/math': counted(math, calls, 0) }))['acme:bench/driver@0.1.0']!;
    if (driver.run!(3) !== 3) fail('the linked driver does not add up');

    const ms = options.seconds * 1000;
    const rounds: { linked: number[]; direct: number[] } = { linked: [], direct: [] };
    // Alternating rounds, so a busy minute on this shared machine hits both alike.
    for (let r = 0; r < 4; r++) {
      rounds.linked.push(callsPerSecond((n) => driver.run!(n), ms / 8));
      rounds.direct.push(
        callsPerSecond((n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum = math.add!(sum, 1);
        }, ms / 8),
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const linked = median(rounds.linked);
    const direct = median(rounds.direct);
    const ratio = linked / direct;
    print(
      table(
        ['path', 'calls/s (median of 4)', 'ns per call'],
        [
          ['across the link (driver -> adder)', Math.round(linked).toLocaleString('en-US'), (1e9 / linked).toFixed(0)],
          ['direct (host -> adder)', Math.round(direct).toLocaleString('en-US'), (1e9 / direct).toFixed(0)],
        ],
      ),
    );
    print(`linked / direct: ${ratio.toFixed(2)}x (target ≥ 0.9x)`);
    return {
      targets: [{ benchmark: 'links', subject: 'calls across a link vs direct', target: '≥ 0.9x', measured: `${ratio.toFixed(2)}x`, met: ratio >= 0.9 }],
      data: { rounds, linked, direct, ratio, counted: Atomics.load(calls, 0) },
    };
  },
};
