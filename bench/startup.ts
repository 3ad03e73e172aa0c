// Start-up: from launching the studio's CLI on the QR example, with its build and transpile
// cached, to its first HTTP answer; and the studio's memory when idle after that. In the same
// run: the compiled CLI (dist/, what ships), the same CLI run from its TypeScript sources
// through tsx (what ran before the runtime was compiled ahead of time), and `jco serve` on the
// same built component (its own transpile is redone each time: jco serve has no cache). Runs
// rotate between the three, five each.
//
// Targets (the desktop issue): under 1.5 s to the first answer with the cache warm, and at
// least 2x faster than tsx at launch.
//
//   npm run bench -- startup
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildQrExample } from '../test/fixtures/js/build.ts';
import { repoRoot, startStudio } from '../test/helpers/studio-process.ts';
import type { Benchmark } from './lib/bench.ts';
import { ms, num, ratio, table, verdict } from './lib/format.ts';
import { jcoShimsFor } from './lib/jco-shims.ts';
import { jcoServe, testCacheDir } from './lib/processes.ts';

const RUNS = 5;
const TARGET_MS = 1500;

/** Resident memory of a process, in MB (Linux; NaN elsewhere). */
function residentMb(pid: number | undefined): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line?.split(/\s+/)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Waits for the first 200 from `url`; the time since `start`. */
async function firstAnswer(url: string, start: number): Promise<number> {
  for (;;) {
    const status = await fetch(url).then((r) => r.arrayBuffer().then(() => r.status)).catch(() => 0);
    if (status === 200) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export const benchmark: Benchmark = {
  description: 'start-up to the first HTTP answer on the cached QR example, and idle memory, against jco serve',
  async run(_options, print) {
    if (!existsSync(join(repoRoot, 'dist', 'cli.mjs'))) throw new Error('dist/cli.mjs is missing: run `npm run build` first');
    const project = join(repoRoot, 'assets', 'examples', 'qrcode');
    const wasm = await buildQrExample();
    const shims = await jcoShimsFor(wasm, testCacheDir);
    // Warms the studio's caches (build, transpile, worker bundles) for the project, both ways.
    await (await startStudio(project)).stop();
    await (await startStudio(project, [], undefined, { fromSource: true })).stop();
    const subjects = {
      compiled: { label: 'studio, compiled (dist/)', start: () => startStudio(project) },
      source: { label: 'studio, tsx at launch', start: () => startStudio(project, [], undefined, { fromSource: true }) },
      jco: { label: 'jco serve (transpiles each time)', start: () => jcoServe(wasm, { map: shims.maps }) },
    };
    const times = { compiled: [] as number[], source: [] as number[], jco: [] as number[] };
    const memory = { compiled: [] as number[], source: [] as number[], jco: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      for (const name of ['compiled', 'source', 'jco'] as const) {
        const start = performance.now();
        const server = await subjects[name].start();
        times[name].push(await firstAnswer(server.url, start));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        memory[name].push(residentMb('child' in server ? server.child.pid : server.pid));
        await server.stop();
      }
      print(`run ${run + 1}: ${(['compiled', 'source', 'jco'] as const).map((name) => `${name} ${ms(times[name].at(-1)!)} (${num(memory[name].at(-1)!)} MB idle)`).join(', ')}`);
    }
    const compiled = median(times.compiled);
    const source = median(times.source);
    const jco = median(times.jco);
    print();
    print(
      table(
        ['', 'to the first answer (median of 5)', 'idle memory (median)'],
        [
          ...(['compiled', 'source', 'jco'] as const).map((name) => [subjects[name].label, ms(median(times[name])), `${num(median(memory[name]))} MB`]),
          ['compiled / tsx at launch', ratio(source / compiled), ''],
          ['compiled / jco serve', ratio(jco / compiled), ''],
        ],
      ),
    );
    print(`Target: under ${TARGET_MS} ms with the cache warm: ${verdict(compiled < TARGET_MS)} (${ms(compiled)}).`);
    print(`Target: at least 2x faster than tsx at launch: ${verdict(source / compiled >= 2)} (${ratio(source / compiled)}).`);
    return {
      targets: [
        { benchmark: 'startup', subject: 'studio compiled, cached QR example', target: `< ${TARGET_MS} ms to the first answer`, measured: ms(compiled), met: compiled < TARGET_MS },
        { benchmark: 'startup', subject: 'compiled against tsx at launch', target: '>= 2x', measured: ratio(source / compiled), met: source / compiled >= 2 },
      ],
      data: { times, memory },
    };
  },
};
