// Load generation with autocannon, on 127.0.0.1 only and always bounded in time. Latencies
// are taken from autocannon's per-response callback (fractional ms) rather than from its
// histogram, which rounds to whole milliseconds: at concurrency 1 the difference that
// matters is well below a millisecond.
import autocannon from 'autocannon';
import { percentile } from './direct.ts';
import { machineTicks, processCpuSeconds, splitThreads, threadTicks, type ThreadSplit } from './cpu.ts';

export interface LoadOptions {
  connections: number;
  /** Seconds of load whose results are thrown away (JIT, caches, pools settle). */
  warmupSeconds: number;
  /** Seconds measured. */
  seconds: number;
  path?: string;
  /** CPU seconds used so far by the server under test, to report CPU per request. */
  serverCpu?: () => number;
  /** A single-process server whose threads to account for: its pid and how many worker threads it runs. */
  serverThreads?: { pid: number; workers: number };
}

export interface LoadResult {
  connections: number;
  seconds: number;
  /** 2xx responses per second over the measured window. */
  rps: number;
  ok: number;
  /** Connection errors (timeouts included) and resets, as autocannon counts them. */
  errors: number;
  non2xx: number;
  /** Latency of 2xx responses, ms. */
  p50: number;
  p99: number;
  mean: number;
  max: number;
  /** CPU time the server used per 2xx response, in ms (all its threads and processes). */
  serverCpuMsPerRequest: number;
  /** Share of the server's CPU use in the machine's capacity, 0-1 (1 = every core busy with it). */
  serverCpuShare: number;
  /** Share of the load generator (this process) in the machine's capacity. */
  loaderCpuShare: number;
  /** Share of the machine busy with anything, 0-1. */
  machineBusy: number;
  /** With serverThreads: CPU per request by thread. */
  threads?: ThreadSplit;
}

const MAX_SECONDS = 60;

export async function load(baseUrl: string, options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.path ?? '/', baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmarks only load 127.0.0.1, not ${url.hostname}`);
  if (!(options.seconds > 0 && options.seconds <= MAX_SECONDS)) throw new Error(`a load run lasts 0-${MAX_SECONDS} s, not ${options.seconds}`);
  if (options.warmupSeconds > 0) await once(url.href, options.connections, options.warmupSeconds, null);
  const latencies: number[] = [];
  const serverCpu = options.serverCpu ?? (() => NaN);
  const ticks0 = machineTicks();
  const server0 = serverCpu();
  const loader0 = processCpuSeconds([process.pid]);
  const threads0 = options.serverThreads && threadTicks(options.serverThreads.pid);
  const started = performance.now();
  const result = await once(url.href, options.connections, options.seconds, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const serverSeconds = serverCpu() - server0;
  const loaderSeconds = processCpuSeconds([process.pid]) - loader0;
  const ticks1 = machineTicks();
  const threads = options.serverThreads && threads0 && threads0.size > 0
    ? splitThreads(options.serverThreads.pid, threads0, threadTicks(options.serverThreads.pid), options.serverThreads.workers, latencies.length)
    : undefined;
  const cores = (ticks1.total - ticks0.total) / 100 / elapsed;
  latencies.sort((a, b) => a - b);
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    connections: options.connections,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    ok: latencies.length,
    errors: result.errors + result.resets, // autocannon counts timeouts among errors
    non2xx: result.non2xx,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.length ? sum / latencies.length : NaN,
    max: latencies.length ? latencies[latencies.length - 1]! : NaN,
    serverCpuMsPerRequest: (serverSeconds * 1000) / latencies.length,
    serverCpuShare: serverSeconds / elapsed / cores,
    loaderCpuShare: loaderSeconds / elapsed / cores,
    machineBusy: (ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total),
    threads,
  };
}

async function once(url: string, connections: number, seconds: number, latencies: number[] | null) {
  const instance = autocannon({ url, connections, duration: seconds, timeout: 10 });
  if (latencies) {
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  }
  return await instance;
}
