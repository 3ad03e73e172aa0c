// The component's own time: transpile it the way the studio does (same transpiler, same
// memory caps, same host), then call its wasi:http handler in a tight loop on this thread,
// with no gateway, no worker messaging and no sockets in between. What the component does
// per request is all that is left, so `instances x 1000 / ms per call` is the most requests
// per second the studio could ever serve it at.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readComponentFile } from '../../runtime/components/component-file.ts';
import { transpile } from '../../runtime/components/transpiler.ts';
import { describe } from '../../runtime/errors.ts';
import type { HostState } from '../../runtime/host/host-state.ts';
import { IncomingRequest, ResponseOutparam, type ResponseSink } from '../../runtime/host/http.ts';
import { hostImports } from '../../runtime/host/index.ts';
import { EMPTY_SOURCE, setWakeSignal, WakeSignal } from '../../runtime/host/io.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { studioCoreModule } from '../../runtime/workloads/prepared-component.ts';
import { ResourceTables } from '../../runtime/workloads/resource-tables.ts';
import { RESOURCE_TABLES_IMPORT } from '../../runtime/components/glue-tuning.ts';

export interface DirectRequest {
  method: string;
  path: string;
  headers: [string, string][];
}

export interface DirectResult {
  /**
   * CPU time of one handle() call, in ms: this process's CPU time over the measured loop
   * (the loop thread plus V8's GC helpers) divided by the calls. Unlike wall time it does not
   * grow when other processes take the CPU away, and on an idle machine the two agree.
   */
  msPerCall: number;
  /** Mean wall time of one call, in ms. */
  wallMsPerCall: number;
  /** CPU time of the calling thread alone per call, in ms (Linux; NaN elsewhere). */
  threadMsPerCall: number;
  /** Median and 99th percentile of single calls, in ms. */
  p50: number;
  p99: number;
  calls: number;
  status: number;
  bodyBytes: number;
}

interface IncomingHandler {
  handle(request: IncomingRequest, outparam: ResponseOutparam): void;
}

let wakeInstalled = false;

export interface DirectTiming {
  warmupMs?: number;
  measureMs?: number;
}

/**
 * Instantiates the component once (as a studio worker does with the default 'reuse'
 * strategy) and calls it for `warmupMs`, then measures for `measureMs`.
 */
export async function measureDirectCalls(wasmPath: string, cacheDir: string, request: DirectRequest, timing: DirectTiming = {}): Promise<DirectResult> {
  const run = await prepareDirectCalls(wasmPath, cacheDir, request);
  return run(timing);
}

/** Instantiates the component; the returned function runs the timed loop on this thread. */
export async function prepareDirectCalls(wasmPath: string, cacheDir: string, request: DirectRequest): Promise<(timing?: DirectTiming) => DirectResult> {
  const { handler } = await instantiateDirect(wasmPath, cacheDir);

  let status = 0;
  let bodyBytes = 0;
  let ended = false;
  // The sink a worker uses, minus the postMessage: keep what the component produced.
  const replies: unknown[] = [];
  const sink: ResponseSink = {
    head: (s, headers) => {
      status = s;
      replies.push({ type: 'head', status: s, headers });
    },
    chunk: (chunk) => {
      bodyBytes += chunk.byteLength;
      replies.push({ type: 'chunk', chunk });
    },
    end: () => {
      ended = true;
      replies.push({ type: 'end' });
    },
    failed: (code) => {
      throw new Error(`the component answered with the error code ${code.tag}`);
    },
  };
  const callOnce = () => {
    status = 0;
    bodyBytes = 0;
    ended = false;
    replies.length = 0;
    const outparam = new ResponseOutparam(sink);
    const incoming = new IncomingRequest({
      method: request.method,
      pathWithQuery: request.path,
      scheme: 'http',
      authority: '127.0.0.1',
      headers: request.headers,
      body: EMPTY_SOURCE,
    });
    handler.handle(incoming, outparam);
    for (const hook of requestEndHooks) hook();
    if (!outparam.wasSet || !ended) throw new Error('the component did not finish a response in a direct call');
  };

  return ({ warmupMs = 1000, measureMs = 3000 } = {}) => {
    const warmEnd = performance.now() + warmupMs;
    while (performance.now() < warmEnd) callOnce();

    const samples: number[] = [];
    const threadBefore = threadCpuMs();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const end = started + measureMs;
    let now = started;
    while (now < end) {
      const t0 = now;
      callOnce();
      now = performance.now();
      samples.push(now - t0);
    }
    const total = now - started;
    const cpu = process.cpuUsage(cpuBefore);
    const threadMs = threadCpuMs() - threadBefore;
    samples.sort((a, b) => a - b);
    return {
      msPerCall: (cpu.user + cpu.system) / 1000 / samples.length,
      wallMsPerCall: total / samples.length,
      threadMsPerCall: threadMs / samples.length,
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      calls: samples.length,
      status,
      bodyBytes,
    };
  };
}

export interface ParallelDirectResult {
  threads: number;
  /** Calls per second of all threads together. */
  callsPerSecond: number;
  perThread: DirectResult[];
}

/**
 * The same loop on `threads` worker threads at once, each with its own instance, as the
 * studio's workers run: what `instances x 1000 / ms` assumes is that they do not slow each
 * other down, which shared cores, caches and memory bandwidth can make untrue.
 */
export async function measureParallelDirectCalls(
  wasmPath: string,
  cacheDir: string,
  request: DirectRequest,
  threads: number,
  timing: DirectTiming = {},
): Promise<ParallelDirectResult> {
  const { spawnWorker } = await import('../../runtime/threads/spawn-worker.ts');
  const workers = Array.from({ length: threads }, () =>
    // Through tsx, not bundled: the transpiler finds jco's package on disk.
    spawnWorker(new URL('./direct-worker.ts', import.meta.url), { bundle: false, data: { wasmPath, cacheDir, request, timing } }),
  );
  try {
    const next = (w: (typeof workers)[number]) =>
      new Promise<{ ready?: true; result?: DirectResult; error?: string }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    const ready = await Promise.all(workers.map(next));
    const failed = ready.find((m) => m.error);
    if (failed) throw new Error(failed.error);
    const results = workers.map(next);
    for (const w of workers) w.postMessage('go');
    const perThread = (await Promise.all(results)).map((m) => {
      if (!m.result) throw new Error(m.error ?? 'a direct-call thread sent no result');
      return m.result;
    });
    const measureSeconds = (timing.measureMs ?? 3000) / 1000;
    return { threads, callsPerSecond: perThread.reduce((sum, r) => sum + r.calls, 0) / measureSeconds, perThread };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** CPU time of the calling thread so far, in ms, from /proc/thread-self (Linux). */
function threadCpuMs(): number {
  try {
    const text = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return NaN;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Work the host registers for the end of each request (e.g. flushing a partial log line). */
const requestEndHooks: (() => void)[] = [];

export interface DirectInstance {
  handler: IncomingHandler;
  /** Its core instances, in the order the glue made them (what InstanceSnapshot saves). */
  coreInstances: WebAssembly.Instance[];
  /** The glue's resource tables, as a worker sees them. */
  tables: ResourceTables;
}

/** The component transpiled and instantiated on this thread, as a worker does it. */
export async function instantiateDirect(wasmPath: string, cacheDir: string): Promise<DirectInstance> {
  requestEndHooks.length = 0;
  const file = await readComponentFile(wasmPath);
  if (!file.ok) throw new Error(describe(file.error));
  const transpiled = await transpile(file.value, cacheDir);
  if (!transpiled.ok) throw new Error(describe(transpiled.error));
  const { memoryLimitBytes } = defaultRuntimeSettings(cacheDir);
  const modules: Record<string, WebAssembly.Module> = {};
  for (const name of transpiled.value.coreModules) {
    const bytes = (await readFile(join(transpiled.value.dir, name))) as Uint8Array<ArrayBuffer>;
    modules[name] = await WebAssembly.compile(studioCoreModule(bytes, memoryLimitBytes).module);
  }
  if (!wakeInstalled) {
    // Nothing ever bumps it: a direct call has no body to wait for.
    setWakeSignal(new WakeSignal(new Int32Array(new SharedArrayBuffer(4))));
    wakeInstalled = true;
  }
  // As a worker does, minus the stores: the routes measured here do not touch them.
  const state: HostState = {
    componentName: file.value.name,
    config: new Map(),
    environment: [],
    log: () => {},
    atRequestEnd: (callback) => requestEndHooks.push(callback),
  };
  const glue = (await import(transpiled.value.glueUrl)) as {
    instantiate(
      getCoreModule: (path: string) => WebAssembly.Module,
      imports: Record<string, unknown>,
      instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
    ): Promise<Record<string, unknown>>;
  };
  const tables = new ResourceTables();
  const coreInstances: WebAssembly.Instance[] = [];
  const exports = await glue.instantiate(
    (path) => {
      const module = modules[path];
      if (!module) throw new Error(`transpiled output lacks the core module ${path}`);
      return module;
    },
    { ...hostImports(state), [RESOURCE_TABLES_IMPORT]: tables.hook },
    async (module, imports) => {
      const created = await WebAssembly.instantiate(module, imports);
      coreInstances.push(created);
      return created;
    },
  );
  for (const [name, value] of Object.entries(exports)) {
    if (name === 'incomingHandler' || name.startsWith('wasi:http/incoming-handler')) return { handler: value as IncomingHandler, coreInstances, tables };
  }
  throw new Error(`${wasmPath} exports no wasi:http/incoming-handler`);
}
