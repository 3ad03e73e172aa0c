// The studio's main thread (Electron's main process in the app, the CLI's only event loop)
// stays responsive while components write the stores hard: a burst of key-value writes from
// several requests at once and a 32 MB object streamed into the blob store, while the UI
// lists keys and objects. The delay of the event loop is measured with
// perf_hooks.monitorEventLoopDelay in this process, which runs the desktop studio's runtime
// (startDesktopStudio) as the app does. A synchronous wait on the main thread (a store lock,
// a flush, a child process) would show here as a long delay.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { startDesktopStudio } from '../../runtime/studio/desktop-studio.ts';
import { makeProject } from '../helpers/store-probe.ts';
import { testCacheDir } from '../helpers/studio-process.ts';

/**
 * The desktop issue's target is a p99 under 50 ms, which this load meets alone (about 23-32 ms).
 * The suite runs two test files at once on machines with two cores, where the other file's
 * processes delay this thread too (with the machine loaded further, p99 reached 76-132 ms),
 * so the bound asserted here is five times the target; the measured figure is printed either
 * way, and the longest single delay below is what catches store work done on this thread.
 */
const TARGET_P99_MS = 50;
const MAX_P99_MS = 5 * TARGET_P99_MS;
/**
 * A p99 over 10 ms samples hides a single long freeze (one sample), so the longest delay is
 * bounded too: far above what a busy machine's scheduling adds, far below the seconds a
 * synchronous store call on this thread would take (writing thousands of files inline did).
 */
const MAX_DELAY_MS = 1000;
const UPLOAD_BYTES = 32 * 2 ** 20;
/** How often the event loop is sampled. */
const RESOLUTION_MS = 10;
const KEYS_PER_FILL = 1000;

/**
 * The clients, on a thread of their own so their work is not counted against the studio's
 * event loop: four key-value fills at once and one streamed upload. Posts each answer.
 */
const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { gateway, uploadBytes } = workerData;
const url = (path, query) => { const u = new URL(path, gateway); for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v)); return u; };
const answer = (res) => res.text().then((text) => [res.status, text]);
const chunk = new Uint8Array(256 * 1024).fill(7);
let sent = 0;
const body = new ReadableStream({ pull(c) { if (sent >= uploadBytes) return c.close(); const n = Math.min(chunk.length, uploadBytes - sent); c.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n)); sent += n; } });
const writes = [0, 1, 2, 3].map((i) => fetch(url('/kv/fill', { bucket: 'load-' + i, count: workerData.keys, prefix: 'k' }), { method: 'POST' }).then(answer));
const upload = fetch(url('/blob/upload', { container: 'big', name: 'large.bin' }), { method: 'PUT', body, duplex: 'half' }).then(answer);
Promise.all([...writes, upload]).then((answers) => parentPort.postMessage(answers), (error) => parentPort.postMessage(String(error)));
`;

describe('the main thread under a store write load', () => {
  it(`keeps its event loop delay p99 under ${MAX_P99_MS} ms, and never stops for a second`, { timeout: 300_000 }, async (t) => {
    const cacheBefore = process.env.COMPONENT_STUDIO_CACHE;
    process.env.COMPONENT_STUDIO_CACHE = testCacheDir;
    const dir = await mkdtemp(join(tmpdir(), 'studio-main-delay-'));
    const project = await makeProject(dir, 'version: 1\n');
    const desktop = await startDesktopStudio({ target: project, port: 0, output: { write: () => {} } });
    try {
      let gateway: string | undefined;
      for (const deadline = Date.now() + 240_000; !gateway && Date.now() < deadline; ) {
        const view = await desktop.service.invoke('project.get', {});
        gateway = view.builds.some((b) => b.outcome === 'ok') ? view.gatewayUrl : undefined;
        if (!gateway) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(gateway, 'the store-probe project never served');
      const url = (path: string, query: Record<string, string | number>) => {
        const target = new URL(path, gateway);
        for (const [k, v] of Object.entries(query)) target.searchParams.set(k, String(v));
        return target;
      };
      assert.equal((await fetch(url('/blob/create-container', { container: 'big' }), { method: 'POST' })).status, 200);

      const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      delay.enable();
      let browsing = true;
      // The UI's lists, asked on this thread while the load runs (about as often as the UI
      // refreshes a list that keeps changing).
      const browse = (async () => {
        let lists = 0;
        while (browsing) {
          await desktop.service.invoke('kv.list', { bucket: 'load-0', limit: 100 }).catch(() => undefined);
          await desktop.service.invoke('blob.list', { container: 'big', limit: 100 }).catch(() => undefined);
          lists++;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return lists;
      })();
      const clients = new Worker(CLIENTS, { eval: true, workerData: { gateway, uploadBytes: UPLOAD_BYTES, keys: KEYS_PER_FILL } });
      const answers = await new Promise<[number, string][] | string>((resolve, reject) => {
        clients.once('message', resolve);
        clients.once('error', reject);
      });
      await clients.terminate();
      assert.ok(Array.isArray(answers), `the clients failed: ${String(answers)}`);
      browsing = false;
      const lists = await browse;
      delay.disable();

      for (const [status, text] of answers) assert.equal(status, 200, text);
      assert.match(answers[4]![1], new RegExp(`"length":${UPLOAD_BYTES}`));
      assert.ok(lists >= 5, `the UI listed only ${lists} times`);
      // The histogram records the time between the timer's ticks: what is over its interval is the delay.
      const p99 = delay.percentile(99) / 1e6 - RESOLUTION_MS;
      const max = delay.max / 1e6 - RESOLUTION_MS;
      t.diagnostic(`(target p99 < ${TARGET_P99_MS} ms) event loop delay p50 ${(delay.percentile(50) / 1e6 - RESOLUTION_MS).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; the UI listed ${lists} times`);
      const load = `while components wrote ${4 * KEYS_PER_FILL} keys and ${UPLOAD_BYTES / 2 ** 20} MB`;
      assert.ok(p99 < MAX_P99_MS, `event loop delay p99 ${p99.toFixed(1)} ms (max ${max.toFixed(1)} ms) ${load}`);
      assert.ok(max < MAX_DELAY_MS, `the event loop stopped for ${max.toFixed(0)} ms ${load}`);
    } finally {
      await desktop.close();
      await rm(dir, { recursive: true, force: true });
      if (cacheBefore === undefined) delete process.env.COMPONENT_STUDIO_CACHE;
      else process.env.COMPONENT_STUDIO_CACHE = cacheBefore;
    }
  });
});
