// Outbound HTTP (wasi:http/outgoing-handler) against plain undici, in the same run, on the
// same local server (a process of its own): small requests per second (GET, 2-byte body, 16
// in flight) and MB/s both ways (a 256 MiB response read, a 256 MiB request body written).
// Targets (issue 12): at least 0.5x plain undici on small requests, at least 0.8x on MB/s.
// The two clients take turns for three rounds; figures are medians.
//
// The studio's side is a thread that calls the host functions the way a component's glue
// does (bench/lib/outbound-thread.ts), with the main thread's outbound service behind it, so
// the figures are the outbound path's own cost (two threads and the service's hop), not a
// component's. Plain undici runs on the main thread, as a Node program would.
//
//   npx tsx bench/outbound.ts            (or npm run bench -- outbound)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { LogBus } from '../runtime/logs/log-bus.ts';
import { OutboundHttp, outboundConfigFrom } from '../runtime/network/outbound-service.ts';
import { spawnWorker } from '../runtime/threads/spawn-worker.ts';
import { ThreadChannel } from '../runtime/workloads/host-services.ts';
import { WAKE_WORDS } from '../runtime/workloads/worker-protocol.ts';
import type { Benchmark, TargetCheck } from './lib/bench.ts';
import { num, ratio, table } from './lib/format.ts';
import type { OutboundTask, OutboundThreadData } from './lib/outbound-thread.ts';

const THREAD = new URL('./lib/outbound-thread.ts', import.meta.url);
const SERVER = new URL('./lib/outbound-server.mjs', import.meta.url);
const CONCURRENCY = 16;
const BULK_BYTES = 256 * 2 ** 20;
const UPLOAD_CHUNK = Buffer.alloc(64 * 1024, 7);

interface Figures {
  requestsPerSec: number;
  downloadMBps: number;
  uploadMBps: number;
}

/** The studio's path: a component-like thread, the outbound service on this thread. */
class StudioClient {
  private readonly worker: Worker;
  private readonly channel: ThreadChannel;
  private readonly http: OutboundHttp;

  constructor() {
    const config = outboundConfigFrom({}, process.cwd());
    if (!config.ok) throw new Error(config.error.message);
    // The records of a run's calls are not what is measured; a small ring keeps memory flat.
    this.http = new OutboundHttp(config.value, new LogBus(1000));
    const wake = new SharedArrayBuffer(WAKE_WORDS * 4);
    const host = new MessageChannel();
    this.channel = new ThreadChannel(host.port1, new Int32Array(wake), { http: this.http }, 'bench', (level, text) => level !== 'info' && process.stderr.write(`${level}: ${text}\n`), 'requests');
    this.worker = spawnWorker(THREAD, { data: { wake, hostPort: host.port2 } satisfies OutboundThreadData, transferList: [host.port2] });
  }

  async run(task: OutboundTask): Promise<number> {
    const done = once(this.worker, 'message') as Promise<[{ seconds: number }]>;
    this.worker.postMessage(task);
    return (await done)[0].seconds;
  }

  async close(): Promise<void> {
    this.channel.close();
    await this.worker.terminate();
    await this.http.close();
  }
}

/** Plain undici on this thread, with the same concurrency and the same reads. */
class PlainClient {
  private readonly agent = new Agent({ keepAliveTimeout: 4000 });

  async small(url: string, count: number): Promise<number> {
    const started = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < count) {
        next++;
        const res = await request(url, { dispatcher: this.agent });
        await res.body.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    return (performance.now() - started) / 1000;
  }

  async download(url: string): Promise<number> {
    const started = performance.now();
    const res = await request(url, { dispatcher: this.agent });
    for await (const chunk of res.body) void chunk;
    return (performance.now() - started) / 1000;
  }

  async upload(url: string, bytes: number): Promise<number> {
    const started = performance.now();
    async function* body() {
      for (let sent = 0; sent < bytes; sent += UPLOAD_CHUNK.length) yield UPLOAD_CHUNK;
    }
    // undici takes async iterables as bodies, though its types list only streams.
    const res = await request(url, { method: 'POST', body: body() as unknown as Readable, dispatcher: this.agent });
    await res.body.text();
    return (performance.now() - started) / 1000;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface OutboundBenchResult {
  studio: Figures;
  plain: Figures;
  requestRatio: number;
  downloadRatio: number;
  uploadRatio: number;
  requests: number;
  rounds: number;
}

export async function run(options: { requests?: number; rounds?: number; print?: (line: string) => void } = {}): Promise<OutboundBenchResult> {
  const requests = options.requests ?? 20_000;
  const rounds = options.rounds ?? 3;
  const server = spawn(process.execPath, [new URL(SERVER).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const studio = new StudioClient();
  const plain = new PlainClient();
  try {
    const [line] = (await once(server.stdout!, 'data')) as [Buffer];
    const base = `http://127.0.0.1:${String(line).trim()}`;
    const small = `${base}/small`;
    const download = `${base}/download?bytes=${BULK_BYTES}`;
    const upload = `${base}/upload`;
    // Warm both paths (JIT, connections) before anything is measured.
    await studio.run({ task: 'small', url: small, count: 2000, concurrency: CONCURRENCY });
    await plain.small(small, 2000);
    const runs = { studio: [] as Figures[], plain: [] as Figures[] };
    for (let round = 0; round < rounds; round++) {
      runs.plain.push({
        requestsPerSec: requests / (await plain.small(small, requests)),
        downloadMBps: BULK_BYTES / 2 ** 20 / (await plain.download(download)),
        uploadMBps: BULK_BYTES / 2 ** 20 / (await plain.upload(upload, BULK_BYTES)),
      });
      runs.studio.push({
        requestsPerSec: requests / (await studio.run({ task: 'small', url: small, count: requests, concurrency: CONCURRENCY })),
        downloadMBps: BULK_BYTES / 2 ** 20 / (await studio.run({ task: 'download', url: download })),
        uploadMBps: BULK_BYTES / 2 ** 20 / (await studio.run({ task: 'upload', url: upload, bytes: BULK_BYTES })),
      });
    }
    const medians = (figures: Figures[]): Figures => ({
      requestsPerSec: median(figures.map((f) => f.requestsPerSec)),
      downloadMBps: median(figures.map((f) => f.downloadMBps)),
      uploadMBps: median(figures.map((f) => f.uploadMBps)),
    });
    const result = {
      studio: medians(runs.studio),
      plain: medians(runs.plain),
      requests,
      rounds,
    };
    options.print?.(
      table(
        ['client (median of rounds)', `requests/s (GET, ${CONCURRENCY} in flight)`, 'MB/s read (256 MiB)', 'MB/s sent (256 MiB)'],
        [
          ['plain undici', result.plain],
          ['component -> studio outbound', result.studio],
        ].map(([label, f]) => [label as string, num((f as Figures).requestsPerSec), num((f as Figures).downloadMBps, 1), num((f as Figures).uploadMBps, 1)]),
      ),
    );
    return {
      ...result,
      requestRatio: result.studio.requestsPerSec / result.plain.requestsPerSec,
      downloadRatio: result.studio.downloadMBps / result.plain.downloadMBps,
      uploadRatio: result.studio.uploadMBps / result.plain.uploadMBps,
    };
  } finally {
    await studio.close();
    await plain.close();
    server.kill();
  }
}

export const benchmark: Benchmark = {
  description: 'outbound requests/s and MB/s from a component vs plain undici (targets: at least 0.5x on small requests, 0.8x on MB/s)',
  async run(_options, print) {
    const result = await run({ print });
    const targets: TargetCheck[] = [
      { benchmark: 'outbound', subject: 'small requests/s, component / plain undici', target: '>= 0.5x', measured: ratio(result.requestRatio), met: result.requestRatio >= 0.5 },
      { benchmark: 'outbound', subject: 'MB/s read, component / plain undici', target: '>= 0.8x', measured: ratio(result.downloadRatio), met: result.downloadRatio >= 0.8 },
      { benchmark: 'outbound', subject: 'MB/s sent, component / plain undici', target: '>= 0.8x', measured: ratio(result.uploadRatio), met: result.uploadRatio >= 0.8 },
    ];
    print();
    print(`component / plain undici: ${ratio(result.requestRatio)} small requests, ${ratio(result.downloadRatio)} MB/s read, ${ratio(result.uploadRatio)} MB/s sent`);
    return { targets, data: result };
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const outcome = await benchmark.run({ seconds: 10, warmupSeconds: 2, latencySeconds: 5, connections: 20 }, (line = '') => console.log(line));
  console.log(JSON.stringify(outcome.targets));
  process.exit(0);
}
