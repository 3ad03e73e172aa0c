// The studio's main thread (Electron's main process in the app, the CLI's only event loop)
// stays responsive while components write the stores hard: a burst of key-value writes from
// several requests at once and a 100 MB object streamed into the blob store, while the UI
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
import { startDesktopStudio } from '../../runtime/studio/desktop-studio.ts';
import { makeProject } from '../helpers/store-probe.ts';
import { testCacheDir } from '../helpers/studio-process.ts';

/** Target from the desktop app's issue: no pause a person would notice in the window. */
const MAX_P99_MS = 50;
const UPLOAD_BYTES = 100 * 2 ** 20;

/** A request body of `total` bytes, produced as it is sent. */
function streamedBody(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(256 * 1024).fill(7);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const next = Math.min(chunk.length, total - sent);
      controller.enqueue(next === chunk.length ? chunk : chunk.subarray(0, next));
      sent += next;
    },
  });
}

describe('the main thread under a store write load', () => {
  it(`keeps its event loop delay p99 under ${MAX_P99_MS} ms`, { timeout: 300_000 }, async () => {
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

      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      let browsing = true;
      // The UI's lists, asked on this thread while the load runs.
      const browse = (async () => {
        let lists = 0;
        while (browsing) {
          await desktop.service.invoke('kv.list', { bucket: 'load-0', limit: 100 }).catch(() => undefined);
          await desktop.service.invoke('blob.list', { container: 'big', limit: 100 }).catch(() => undefined);
          lists++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return lists;
      })();
      const writes = Array.from({ length: 4 }, (_, i) => fetch(url('/kv/fill', { bucket: `load-${i}`, count: 3000, prefix: 'k' }), { method: 'POST' }).then(async (res) => [res.status, await res.text()] as const));
      const upload = fetch(url('/blob/upload', { container: 'big', name: 'large.bin' }), { method: 'PUT', body: streamedBody(UPLOAD_BYTES), duplex: 'half' } as RequestInit).then(async (res) => [res.status, await res.text()] as const);
      const answers = await Promise.all([...writes, upload]);
      browsing = false;
      const lists = await browse;
      delay.disable();

      for (const [status, text] of answers) assert.equal(status, 200, text);
      assert.match(answers[4]![1], new RegExp(`"length":${UPLOAD_BYTES}`));
      assert.ok(lists > 5, `the UI listed only ${lists} times`);
      const p99 = delay.percentile(99) / 1e6;
      const max = delay.max / 1e6;
      assert.ok(p99 < MAX_P99_MS, `event loop delay p99 ${p99.toFixed(1)} ms (max ${max.toFixed(1)} ms) while components wrote 12,000 keys and 100 MB`);
    } finally {
      await desktop.close();
      await rm(dir, { recursive: true, force: true });
      if (cacheBefore === undefined) delete process.env.COMPONENT_STUDIO_CACHE;
      else process.env.COMPONENT_STUDIO_CACHE = cacheBefore;
    }
  });
});
