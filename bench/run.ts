// `npm run bench`: runs every benchmark, or the ones named.
//
//   npm run bench                      # all of them
//   npm run bench -- http              # one
//   npm run bench -- http --seconds 5 --json results.json
//
// A benchmark is a module in bench/ that exports `benchmark: Benchmark` (see lib/bench.ts);
// adding one is a line in BENCHMARKS.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Benchmark, BenchOptions, TargetCheck } from './lib/bench.ts';
import { table } from './lib/format.ts';
import { describeMachine, machine } from './lib/machine.ts';

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  http: async () => (await import('./http.ts')).benchmark,
  kv: async () => (await import('./kv.ts')).benchmark,
  links: async () => (await import('./links.ts')).benchmark,
  loopback: async () => (await import('./loopback.ts')).benchmark,
  outbound: async () => (await import('./outbound.ts')).benchmark,
  reload: async () => (await import('./reload.ts')).benchmark,
  snapshots: async () => (await import('./snapshots.ts')).benchmark,
  startup: async () => (await import('./startup.ts')).benchmark,
  traffic: async () => (await import('./traffic.ts')).benchmark,
  ui: async () => (await import('./ui.ts')).benchmark,
};

const USAGE = `Usage: npm run bench -- [name ...] [options]

Benchmarks: ${Object.keys(BENCHMARKS).join(', ')} (default: all)

Options:
  --seconds N           measured seconds per throughput run (default 10)
  --warmup N            warm-up seconds before each run (default 2)
  --latency-seconds N   measured seconds per concurrency-1 run (default 5)
  --connections N       connections for throughput runs (default 20)
  --component FILE      http: also serve this prebuilt .wasm (GET /), e.g. one built with
                        Rust or TinyGo; give it more than once for more components
  --json FILE           also write everything measured to FILE
  --strict              exit with code 1 when a target is missed
`;

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`${name} must be a positive number, not "${value}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    'latency-seconds': { type: 'string' },
    connections: { type: 'string' },
    component: { type: 'string', multiple: true },
    json: { type: 'string' },
    strict: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = positionals.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const names = positionals.length > 0 ? positionals : Object.keys(BENCHMARKS);
const options: BenchOptions = {
  seconds: positive(values.seconds, '--seconds', 10),
  warmupSeconds: positive(values.warmup, '--warmup', 2),
  latencySeconds: positive(values['latency-seconds'], '--latency-seconds', 5),
  connections: positive(values.connections, '--connections', 20),
  components: (values.component ?? []).map((file) => {
    // npm runs scripts in the package's folder; a relative path means the caller's.
    const path = resolve(process.env.INIT_CWD ?? '.', file);
    if (!existsSync(path)) {
      process.stderr.write(`--component ${file}: no such file\n\n${USAGE}`);
      process.exit(2);
    }
    return path;
  }),
};

const print = (text = '') => process.stdout.write(`${text}\n`);
const host = machine();
print(`Machine: ${describeMachine(host)}`);

const started = performance.now();
const targets: TargetCheck[] = [];
const results: Record<string, unknown> = {};
let failed = false;
for (const name of names) {
  const bench = await BENCHMARKS[name]!();
  print();
  print(`== ${name}: ${bench.description}`);
  try {
    const outcome = await bench.run(options, print);
    targets.push(...outcome.targets);
    results[name] = outcome.data;
  } catch (err) {
    failed = true;
    print(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

if (targets.length > 0) {
  print();
  print('== Targets');
  print(table(['benchmark', 'subject', 'target', 'measured', ''], targets.map((t) => [t.benchmark, t.subject, t.target, t.measured, t.met ? 'met' : 'MISSED'])));
}
print();
print(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
if (values.json) await writeFile(values.json, JSON.stringify({ machine: host, options, results, targets }, null, 2));
process.exit(failed || (values.strict && targets.some((t) => !t.met)) ? 1 : 0);
