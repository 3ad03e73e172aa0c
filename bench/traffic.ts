// What the traffic inspector costs, and how its view copes with a full list.
//
// Capture: the real CLI serving the hello WAT component and the QR example (GET /, its 4.7 KiB
// page), loaded by autocannon with capture on and with capture off (the project's
// .wash/studio/traffic/settings.json), alternating on and off three times in one run so a
// machine that gets busier does not favour one side; the medians are compared, and so is the
// CPU the studio used per request (less sensitive to other processes on a shared machine). Capture on means the
// whole path: records, bodies, the ring and its spill file.
//
// The view: 100,000 requests captured by a studio whose ring holds that many, then in
// headless Chromium: page load to the newest rows on screen, the first page again after
// clearing a filter, and typing a path filter to its matches (the filter runs in the studio;
// the view debounces typing by 80 ms, which is included). Target: each under 200 ms.
//
//   npm run bench -- traffic          (or npx tsx bench/traffic.ts)
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/e2e/chromium.ts';
import { ensureRendererBuilt } from '../test/e2e/renderer-build.ts';
import { watFixture } from '../test/fixtures/fixtures.ts';
import { buildQrExample } from '../test/fixtures/js/build.ts';
import { StudioApiClient } from '../test/helpers/studio-api-client.ts';
import { startStudio } from '../test/helpers/studio-process.ts';
import type { Benchmark, BenchOptions, TargetCheck } from './lib/bench.ts';
import { ms, num, pct, ratio, table } from './lib/format.ts';
import { load, type LoadResult } from './lib/load.ts';
import { studio } from './lib/processes.ts';
import { median, timeUntil } from './ui.ts';

const COST_TARGET = 0.1;
const VIEW_TARGET_MS = 200;
const COUNT = 100_000;
const ROUNDS = 5;
const WORKERS = 2;

interface Subject {
  key: string;
  name: string;
  wasm(): Promise<string>;
}

const SUBJECTS: Subject[] = [
  { key: 'hello', name: 'hello (WAT), GET /', wasm: () => watFixture('hello') },
  { key: 'qr', name: 'QR example, GET / (4.7 KiB page)', wasm: () => buildQrExample() },
];

export interface CaptureCost {
  subject: string;
  on: LoadResult[];
  off: LoadResult[];
  /** 1 - median rps on / median rps off. */
  cost: number;
}

export interface ViewTimes {
  pageLoadMs: number[];
  firstPageMs: number[];
  filterMs: number[];
  apiFirstPageMs: number[];
  apiFilterMs: number[];
}

async function captureCost(subject: Subject, options: BenchOptions, print: (text?: string) => void): Promise<CaptureCost> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-traffic-'));
  const wasm = join(dir, `${subject.key}.wasm`);
  await copyFile(await subject.wasm(), wasm);
  const settings = join(dir, '.wash', 'studio', 'traffic');
  await mkdir(settings, { recursive: true });
  const result: CaptureCost = { subject: subject.name, on: [], off: [], cost: NaN };
  try {
    for (const capture of [true, false, true, false, true, false]) {
      await writeFile(join(settings, 'settings.json'), JSON.stringify({ capture }));
      const server = await studio(wasm, WORKERS, ['--workers', String(WORKERS)]);
      try {
        const run = await load(server.url, { connections: options.connections, warmupSeconds: options.warmupSeconds, seconds: options.seconds, serverCpu: server.cpuSeconds });
        (capture ? result.on : result.off).push(run);
        print(`  ${subject.key} capture ${capture ? 'on ' : 'off'}: ${num(run.rps)} req/s, ${run.serverCpuMsPerRequest.toFixed(3)} ms CPU per request${run.errors + run.non2xx > 0 ? `, ${run.errors + run.non2xx} failed` : ''}`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  result.cost = 1 - median(result.on.map((r) => r.rps)) / median(result.off.map((r) => r.rps));
  return result;
}

/** Sends `count` GETs to /item/<i>, `parallel` at a time, on kept-alive connections. */
async function sendMany(baseUrl: string, count: number, parallel = 32): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(new URL(`/item/${next++}`, baseUrl), { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await one();
    }),
  );
  agent.destroy();
}

async function viewTimes(print: (text?: string) => void): Promise<ViewTimes> {
  ensureRendererBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'bench-traffic-view-'));
  const wasm = join(dir, 'hello.wasm');
  await copyFile(await watFixture('hello'), wasm);
  await mkdir(join(dir, '.wash', 'studio', 'traffic'), { recursive: true });
  await writeFile(join(dir, '.wash', 'studio', 'traffic', 'settings.json'), JSON.stringify({ capacity: COUNT }));
  const server = await startStudio(wasm, ['--workers', String(WORKERS)], 120_000, { ui: true });
  const chromium = await launchChromium();
  const api = await StudioApiClient.connect(server.studioUrl);
  const times: ViewTimes = { pageLoadMs: [], firstPageMs: [], filterMs: [], apiFirstPageMs: [], apiFilterMs: [] };
  try {
    print(`  capturing ${num(COUNT)} requests…`);
    await sendMany(server.url, COUNT);
    for (;;) {
      const { total } = await api.call('traffic.query', { limit: 1 });
      if (total >= COUNT) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const page = await chromium.context.newPage();
    const timed = async (call: () => Promise<unknown>) => {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    };
    // The token becomes the page's cookie once; later loads go without it.
    await page.goto(server.studioUrl);
    const total = `^${num(COUNT)} of ${num(COUNT)} requests`;
    for (let round = 0; round < ROUNDS; round++) {
      times.apiFirstPageMs.push(await timed(() => api.call('traffic.query', { limit: 200 })));
      times.apiFilterMs.push(await timed(() => api.call('traffic.query', { filter: { text: `item/9${round}` }, limit: 200 })));
      await page.goto(server.studioUrl.replace(/\?token=.*$/, `?round=${round}#traffic`));
      await page.locator('[data-view="traffic"] .traffic-row[data-id]').first().waitFor({ timeout: 60_000 });
      times.pageLoadMs.push(await page.evaluate(() => performance.now()));
      // 11 matches: /item/9999 and /item/99990 to /item/99999.
      times.filterMs.push(await timeUntil(page, { type: { selector: '[aria-label="Filter by path"]', value: 'item/9999' } }, '[data-view="traffic"] .pane-status', `^11 of ${num(COUNT)} requests`));
      times.firstPageMs.push(await timeUntil(page, { type: { selector: '[aria-label="Filter by path"]', value: '' } }, '[data-view="traffic"] .pane-status', total));
    }
  } finally {
    api.close();
    await chromium.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return times;
}

export async function run(options: BenchOptions, print: (text?: string) => void = console.log): Promise<{ costs: CaptureCost[]; view: ViewTimes }> {
  const costs: CaptureCost[] = [];
  for (const subject of SUBJECTS) costs.push(await captureCost(subject, options, print));
  print(
    table(
      ['component', 'capture off (median)', 'capture on (median)', 'on / off', 'CPU per request off → on'],
      costs.map((c) => [
        c.subject,
        `${num(median(c.off.map((r) => r.rps)))} req/s`,
        `${num(median(c.on.map((r) => r.rps)))} req/s`,
        ratio(1 - c.cost),
        `${median(c.off.map((r) => r.serverCpuMsPerRequest)).toFixed(3)} → ${median(c.on.map((r) => r.serverCpuMsPerRequest)).toFixed(3)} ms`,
      ]),
    ),
  );
  const view = await viewTimes(print);
  print(
    table(
      [`Traffic view, ${num(COUNT)} requests`, 'median', 'max', 'of which the API call (median)'],
      [
        ['page load to the newest rows (navigation start)', ms(median(view.pageLoadMs)), ms(Math.max(...view.pageLoadMs)), ms(median(view.apiFirstPageMs))],
        ['first page again (filter cleared)', ms(median(view.firstPageMs)), ms(Math.max(...view.firstPageMs)), ms(median(view.apiFirstPageMs))],
        ['filter by path (incl. 80 ms debounce)', ms(median(view.filterMs)), ms(Math.max(...view.filterMs)), ms(median(view.apiFilterMs))],
      ],
    ),
  );
  print(`capture cost: ${costs.map((c) => `${c.subject} ${pct(Math.max(0, c.cost))}`).join(', ')}`);
  return { costs, view };
}

export const benchmark: Benchmark = {
  description: `traffic capture on vs off (req/s, hello and the QR example) and the Traffic view with ${num(COUNT)} captured requests in headless Chromium`,
  async run(options, print) {
    const result = await run(options, print);
    const targets: TargetCheck[] = [
      ...result.costs.map((c) => ({ benchmark: 'traffic', subject: `capture cost, ${c.subject}`, target: `< ${pct(COST_TARGET)} of req/s`, measured: pct(Math.max(0, c.cost)), met: c.cost < COST_TARGET })),
      { benchmark: 'traffic', subject: `Traffic view first page, ${num(COUNT)} requests`, target: `< ${VIEW_TARGET_MS} ms`, measured: ms(median(result.view.firstPageMs)), met: median(result.view.firstPageMs) < VIEW_TARGET_MS },
      { benchmark: 'traffic', subject: `Traffic view filter, ${num(COUNT)} requests`, target: `< ${VIEW_TARGET_MS} ms`, measured: ms(median(result.view.filterMs)), met: median(result.view.filterMs) < VIEW_TARGET_MS },
    ];
    return { targets, data: result };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ seconds: 10, warmupSeconds: 2, latencySeconds: 5, connections: 20 });
