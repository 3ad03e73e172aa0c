// Start-up: from launching the studio's CLI on the QR example, with its build and transpile
// cached, to its first HTTP answer; and the studio's memory when idle after that. The peer in
// the same run is `jco serve` on the same built component (its own transpile is redone each
// time: jco serve has no cache). Runs alternate between the two, five each.
//
// Target (the desktop issue): under 1.5 s to the first answer with the cache warm, and 2x
// faster once the runtime is compiled ahead of time; the runtime still runs through tsx at
// launch, so the second half has nothing to compare yet (printed as such).
//
//   npm run bench -- startup
import { readFileSync } from 'node:fs';
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
    const project = join(repoRoot, 'assets', 'examples', 'qrcode');
    const wasm = await buildQrExample();
    const shims = await jcoShimsFor(wasm, testCacheDir);
    // Warms the studio's caches (build, transpile, compiled modules) for the project.
    await (await startStudio(project)).stop();
    const studioMs: number[] = [];
    const studioMb: number[] = [];
    const jcoMs: number[] = [];
    const jcoMb: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let start = performance.now();
      const studio = await startStudio(project);
      studioMs.push(await firstAnswer(studio.url, start));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      studioMb.push(residentMb(studio.child.pid));
      await studio.stop();

      start = performance.now();
      const jco = await jcoServe(wasm, { map: shims.maps });
      jcoMs.push(await firstAnswer(jco.url, start));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      jcoMb.push(residentMb(jco.pid));
      await jco.stop();
      print(`run ${run + 1}: studio ${ms(studioMs.at(-1)!)} (${num(studioMb.at(-1)!)} MB idle), jco serve ${ms(jcoMs.at(-1)!)} (${num(jcoMb.at(-1)!)} MB idle)`);
    }
    const studio = median(studioMs);
    const jco = median(jcoMs);
    print();
    print(
      table(
        ['', 'to the first answer (median of 5)', 'idle memory (median)'],
        [
          ['studio (tsx at launch, caches warm)', ms(studio), `${num(median(studioMb))} MB`],
          ['jco serve (transpiles each time)', ms(jco), `${num(median(jcoMb))} MB`],
          ['studio / jco serve', ratio(jco / studio), ''],
        ],
      ),
    );
    print(`Target: under ${TARGET_MS} ms with the cache warm: ${verdict(studio < TARGET_MS)} (${ms(studio)}).`);
    print('Target: 2x faster than tsx at launch once compiled ahead of time: not measurable yet (no compiled build).');
    return {
      targets: [{ benchmark: 'startup', subject: 'studio, cached QR example', target: `< ${TARGET_MS} ms to the first answer`, measured: ms(studio), met: studio < TARGET_MS }],
      data: { studioMs, studioMb, jcoMs, jcoMb },
    };
  },
};
