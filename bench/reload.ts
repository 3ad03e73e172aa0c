// Live reload: the time from a file save to the first response from the new version, split
// into build time and studio overhead, with steady load running across every reload and each
// failed request counted. wash stops the old version before it starts the new one, so its
// requests fail in between; the studio's target is zero failures and at most 300 ms of its
// own on top of the build (see docs/benchmarks.md).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageProject } from '../test/helpers/message-project.ts';
import { StudioApiClient } from '../test/helpers/studio-api-client.ts';
import { repoRoot, startStudio, type StudioProcess } from '../test/helpers/studio-process.ts';
import type { Benchmark, TargetCheck } from './lib/bench.ts';
import { percentile } from './lib/direct.ts';
import { ms, table } from './lib/format.ts';

const OVERHEAD_TARGET_MS = 300;

interface Subject {
  name: string;
  reloads: number;
  /** Makes the project; `edit(i)` saves change i; `marker(i)` is text only version i answers. */
  setUp(): Promise<{ root: string; edit(i: number): Promise<void>; marker(i: number): string; cleanUp(): Promise<void> }>;
}

const SUBJECTS: Subject[] = [
  {
    name: 'hello (build.command, WAT)',
    reloads: 20,
    async setUp() {
      const project = await messageProject('reload 0\n');
      return { root: project.root, edit: (i) => project.save(`reload ${i}\n`), marker: (i) => `reload ${i}\n`, cleanUp: () => project.remove() };
    },
  },
  {
    name: 'QR example (componentize-js)',
    reloads: 20,
    async setUp() {
      const root = join(await mkdtemp(join(tmpdir(), 'bench-reload-')), 'qrcode');
      for (const part of ['src', 'wit', '.wash']) await cp(join(repoRoot, 'assets', 'examples', 'qrcode', part), join(root, part), { recursive: true });
      const uiPath = join(root, 'src', 'ui.ts');
      const original = await readFile(uiPath, 'utf8');
      return {
        root,
        edit: (i) => writeFile(uiPath, original.replace('<h1>QR code generator</h1>', `<h1>QR code generator (reload ${i})</h1>`)),
        marker: (i) => `(reload ${i})</h1>`,
        cleanUp: () => rm(join(root, '..'), { recursive: true, force: true }),
      };
    },
  },
];

/** The p-th percentile of unsorted values. */
const percentileOf = (values: number[], at: number) => percentile([...values].sort((a, b) => a - b), at);

/** Two clients requesting in a loop; counts what failed. */
function steadyLoad(url: string) {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const client = async () => {
    while (running) {
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status === 200) ok++;
        else failures.push(String(res.status));
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const clients = [client(), client()];
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      return { ok, failures };
    },
  };
}

/** The build time of build `number`, once the studio has it. */
async function buildMs(api: StudioApiClient, number: number): Promise<number> {
  for (const until = performance.now() + 10_000; performance.now() < until; await sleep(20)) {
    const build = (await api.call('project.get', {})).builds.find((b) => b.number === number);
    if (build?.buildMs !== undefined && build.outcome === 'ok') return build.buildMs;
  }
  throw new Error(`build ${number} did not report its time within 10 s`);
}

async function measure(subject: Subject, print: (text?: string) => void) {
  const project = await subject.setUp();
  let studio: StudioProcess | undefined;
  let api: StudioApiClient | undefined;
  try {
    studio = await startStudio(project.root, [], undefined, { ui: true });
    // The build's own time, to the millisecond (the terminal rounds it past a second).
    api = await StudioApiClient.connect(studio.studioUrl);
    const load = steadyLoad(studio.url);
    const totals: number[] = [];
    const builds: number[] = [];
    for (let i = 1; i <= subject.reloads; i++) {
      const saved = performance.now();
      await project.edit(i);
      const marker = project.marker(i);
      for (;;) {
        const body = await fetch(studio.url).then((r) => r.text(), () => '');
        if (body.includes(marker)) break;
        await sleep(5);
      }
      totals.push(performance.now() - saved);
      builds.push(await buildMs(api, i + 1));
      print(`  ${subject.name}: reload ${i}/${subject.reloads} in ${ms(totals[i - 1]!)} (build ${ms(builds[i - 1]!)})`);
    }
    const { ok, failures } = await load.stop();
    const overheads = totals.map((t, i) => t - builds[i]!);
    return { totals, builds, overheads, ok, failures };
  } finally {
    api?.close();
    await studio?.stop();
    await project.cleanUp();
  }
}

export const benchmark: Benchmark = {
  description: 'save → first response from the new version, over 20 reloads under steady load',
  async run(_options, print) {
    const rows: string[][] = [];
    const targets: TargetCheck[] = [];
    const data: Record<string, unknown> = {};
    for (const subject of SUBJECTS) {
      const r = await measure(subject, print);
      data[subject.name] = r;
      rows.push([
        subject.name,
        ms(percentileOf(r.totals, 50)),
        ms(Math.max(...r.totals)),
        ms(percentileOf(r.builds, 50)),
        ms(percentileOf(r.overheads, 50)),
        ms(Math.max(...r.overheads)),
        `${r.failures.length} of ${r.ok + r.failures.length}`,
      ]);
      targets.push({
        benchmark: 'reload',
        subject: subject.name,
        target: `overhead p50 ≤ ${OVERHEAD_TARGET_MS} ms`,
        measured: ms(percentileOf(r.overheads, 50)),
        met: percentileOf(r.overheads, 50) <= OVERHEAD_TARGET_MS,
      });
      targets.push({ benchmark: 'reload', subject: subject.name, target: '0 failed requests', measured: String(r.failures.length), met: r.failures.length === 0 });
    }
    print(table(['subject', 'save→new p50', 'max', 'build p50', 'overhead p50', 'overhead max', 'failed requests'], rows));
    return { targets, data };
  },
};
