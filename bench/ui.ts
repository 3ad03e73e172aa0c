// The UI with big data: 100k keys in a bucket, 100k objects in a container and 100k log
// lines, served by the real studio and measured in headless Chromium (the same browser the
// end-to-end tests drive). For each list: the time from the click that opens it to its first
// rows on screen, and the time from typing a filter to the filtered rows (the filter runs on
// the Node side; the UI debounces typing by 150-200 ms, which is included). The design's
// target: first page in under 200 ms.
//
//   npx tsx bench/ui.ts            (or import { run } from './ui.ts'; npm run bench -- ui)
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/chromium.ts';
import { ensureRendererBuilt } from '../test/e2e/renderer-build.ts';
import { messageBuildCommand, messageProject } from '../test/helpers/message-project.ts';
import { StudioApiClient } from '../test/helpers/studio-api-client.ts';
import { startStudio } from '../test/helpers/studio-process.ts';
import type { Benchmark, TargetCheck } from './lib/bench.ts';
import { ms, num, table } from './lib/format.ts';

const COUNT = 100_000;
const FIRST_PAGE_TARGET_MS = 200;
const ROUNDS = 5;

export interface UiBenchResult {
  subject: string;
  firstPageMs: number[];
  filterMs: number[];
  /** The same first-page command timed alone over the API, to tell the UI's share from the server's. */
  apiMs: number[];
}

/** Writes files in parallel batches (one file per key or object, the wash layout). */
async function writeMany(dir: string, count: number, name: (i: number) => string, body: (i: number) => string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const batch = 500;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => writeFile(join(dir, name(i + j)), body(i + j))));
  }
}

/** In the page: runs `act`, resolves with the ms until `selector` matches an element whose text matches `text`. */
export async function timeUntil(page: Page, act: { click?: string; type?: { selector: string; value: string }; select?: { selector: string; value: string } }, selector: string, text: string): Promise<number> {
  // A string, not a function: tsx's transform would add helpers the page does not have.
  return page.evaluate(
    `new Promise((resolve, reject) => {
      const { act, selector, text } = ${JSON.stringify({ act, selector, text })};
      const pattern = new RegExp(text);
      const t0 = performance.now();
      const observer = new MutationObserver(() => {
        if (!Array.from(document.querySelectorAll(selector)).some((el) => pattern.test(el.textContent ?? ''))) return;
        observer.disconnect();
        resolve(performance.now() - t0);
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      setTimeout(() => { observer.disconnect(); reject(new Error('no ' + selector + ' matching ' + text + ' within 30 s')); }, 30000);
      if (act.click) document.querySelector(act.click).click();
      if (act.type) {
        const input = document.querySelector(act.type.selector);
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, act.type.value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
      if (act.select) {
        const select = document.querySelector(act.select.selector);
        Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(select, act.select.value);
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    })`,
  );
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(print: (text?: string) => void = console.log): Promise<UiBenchResult[]> {
  ensureRendererBuilt();
  // A project whose build prints 100k log lines (build output goes to the log bus), with
  // 100k keys and 100k objects already in its data folders.
  const project = await messageProject('hello\n');
  const script = `for(let i=0;i<${COUNT};i++)console.log('bench line '+i+(i%100===0?' needle':''))`;
  await project.writeConfig(`build:\n  command: ${JSON.stringify(`node -e "${script}" && ${messageBuildCommand()}`)}\n`);
  print(`writing ${num(COUNT)} keys and ${num(COUNT)} objects…`);
  const data = join(project.root, '.wash', 'data');
  const pad = (i: number) => String(i).padStart(6, '0');
  await writeMany(join(data, 'keyvalue', 'bench'), COUNT, (i) => `key-${pad(i)}`, (i) => `value ${i}`);
  await writeMany(join(data, 'blobstore', 'bench'), COUNT, (i) => `object-${pad(i)}.txt`, (i) => `object ${i}\n`);

  const studio = await startStudio(project.root, [], 300_000, { ui: true });
  const chromium = await launchChromium();
  const results: UiBenchResult[] = [];
  const loadMs: number[] = [];
  let api: StudioApiClient | undefined;
  const page = await chromium.context.newPage();
  try {
    await page.goto(studio.studioUrl);
    await page.locator('.reload-indicator[data-state="serving"]').waitFor({ timeout: 120_000 });

    const logs: UiBenchResult = { subject: `logs (${num(COUNT)} lines)`, firstPageMs: [], filterMs: [], apiMs: [] };
    const kv: UiBenchResult = { subject: `key-value (${num(COUNT)} keys)`, firstPageMs: [], filterMs: [], apiMs: [] };
    const blobs: UiBenchResult = { subject: `blobs (${num(COUNT)} objects)`, firstPageMs: [], filterMs: [], apiMs: [] };
    api = await StudioApiClient.connect(studio.studioUrl);
    const timed = async (call: () => Promise<unknown>) => {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const client = api;
      logs.apiMs.push(await timed(() => client.call('logs.query', { limit: 2000 })));
      kv.apiMs.push(await timed(() => client.call('kv.list', { bucket: 'bench', limit: 500 })));
      blobs.apiMs.push(await timed(() => client.call('blob.list', { container: 'bench', delimiter: '/', limit: 500 })));
      // Logs: a fresh page each round. Page load = navigation start to the newest lines on
      // screen; first page = from picking "all levels" again to the unfiltered lines.
      await page.goto(studio.studioUrl.replace(/\?token=.*$/, `?round=${round}#logs`));
      await page.locator('[data-view="logs"] .log-row').first().waitFor();
      loadMs.push(await page.evaluate(() => performance.now()));
      await page.getByLabel('Minimum level').selectOption('error');
      await page.getByTestId('log-count').filter({ hasText: /^0 of 0 matching$/ }).waitFor();
      logs.firstPageMs.push(await timeUntil(page, { select: { selector: '[aria-label="Minimum level"]', value: 'trace' } }, '[data-testid="log-count"]', '^2,000 of'));
      logs.filterMs.push(await timeUntil(page, { type: { selector: '[aria-label="Search logs"]', value: 'needle' } }, '[data-testid="log-count"]', '^[\\d,]+ of (999|1,000) matching$'));

      await page.keyboard.press('Control+4');
      kv.firstPageMs.push(await timeUntil(page, { click: '[data-view="kv"] .bucket-item' }, '[data-view="kv"] .list-row', '^key-000000$'));
      kv.filterMs.push(await timeUntil(page, { type: { selector: '[aria-label="Key prefix"]', value: 'key-0999' } }, '[data-view="kv"] .pane-status', '^100 keys starting with'));

      await page.keyboard.press('Control+5');
      blobs.firstPageMs.push(await timeUntil(page, { click: '[data-view="blobs"] .bucket-item' }, '[data-view="blobs"] .grid-row', 'object-000000\\.txt'));
      blobs.filterMs.push(await timeUntil(page, { type: { selector: '[aria-label="Filter objects"]', value: 'object-0999' } }, '[data-view="blobs"] [data-testid="object-count"]', '^0 folders, 100 objects$'));
    }
    results.push(logs, kv, blobs);
  } catch (err) {
    await page.screenshot({ path: join(process.cwd(), 'test-results', 'bench-ui-failure.png') }).catch(() => {});
    throw err;
  } finally {
    api?.close();
    await chromium.close();
    await studio.stop();
    await project.remove();
  }
  print(
    table(
      ['list', 'first page (median)', 'first page (max)', 'of which the API call', 'filter (median, incl. debounce)'],
      results.map((r) => [r.subject, ms(median(r.firstPageMs)), ms(Math.max(...r.firstPageMs)), ms(median(r.apiMs)), ms(median(r.filterMs))]),
    ),
  );
  print(`page load to the newest log lines on screen (navigation start, median): ${ms(median(loadMs))}`);
  print('(typing debounce: 200 ms for the log search, 150 ms for key and object filters)');
  return results;
}

export const benchmark: Benchmark = {
  description: `UI lists with ${num(COUNT)} keys, objects and log lines: first page and filter, in headless Chromium`,
  async run(_options, print) {
    const results = await run(print);
    const targets: TargetCheck[] = results.map((r) => ({
      benchmark: 'ui',
      subject: r.subject,
      target: `first page < ${FIRST_PAGE_TARGET_MS} ms`,
      measured: ms(median(r.firstPageMs)),
      met: median(r.firstPageMs) < FIRST_PAGE_TARGET_MS,
    }));
    return { targets, data: results };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
