// HTTP serving speed, against the component's own time and against `jco serve`.
//
// First, as a reference, a plain Node http server answering the hello body: the most any
// Node gateway can answer on this machine under the same load generator. Then for each
// component, in one run:
//   direct     its wasi:http handler called in a loop in this process, with the studio's own
//              transpiler and host (bench/lib/direct.ts), with no server running: ms per
//              call, and from it the direct capacity = instances x 1000 / ms per call
//   studio     the real CLI (`component-studio dev <file.wasm> --instances reuse`), loaded by
//              autocannon at --connections (throughput) and at 1 (latency)
//   fresh      the studio with --instances fresh (wash's semantics: no state survives a
//              request; the instance is put back to how it started after each one)
//   jco serve  the peer, on the same .wasm, with the same load
// The components: the hello WAT fixture, the QR example, and each prebuilt .wasm given with
// --component (a Rust or TinyGo build, say), asked for GET /.
// Every load run also records the CPU the server used per request and how busy the machine
// was with other processes, so a run on a busy machine can be recognised as such.
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { watFixture } from '../test/fixtures/fixtures.ts';
import { buildQrExample } from '../test/fixtures/js/build.ts';
import { defaultRuntimeSettings } from '../runtime/workloads/workload.ts';
import type { Benchmark, BenchOptions, TargetCheck } from './lib/bench.ts';
import { machineTicks } from './lib/cpu.ts';
import { measureDirectCalls, measureParallelDirectCalls, type DirectResult, type ParallelDirectResult } from './lib/direct.ts';
import { ms, num, pct, ratio, table } from './lib/format.ts';
import { jcoShimsFor } from './lib/jco-shims.ts';
import { load, type LoadResult } from './lib/load.ts';
import { jcoServe, plainNode, studio, testCacheDir, type Server } from './lib/processes.ts';

interface Subject {
  key: string;
  name: string;
  wasm(): Promise<string>;
  path: string;
  /** What a correct answer looks like, checked once before a server is loaded. */
  check(status: number, body: string): boolean;
  /** The target (docs/benchmarks.md): at least 5x jco serve on a small hello component. */
  jcoTarget?: number;
}

const HELLO_BODY = 'hello from wat\n';

const BUILT_IN: Subject[] = [
  {
    key: 'hello',
    name: 'hello (hand-written WAT component)',
    wasm: () => watFixture('hello'),
    path: '/',
    check: (status, body) => status === 200 && body === HELLO_BODY,
    jcoTarget: 5,
  },
  {
    key: 'qr',
    name: 'QR example, GET / (componentize-js)',
    wasm: () => buildQrExample(),
    path: '/',
    check: (status, body) => status === 200 && body.includes('<html'),
    jcoTarget: 5,
  },
];

/** A prebuilt component given with --component: compiled by any toolchain, asked for GET /. */
function prebuilt(file: string): Subject {
  return {
    key: basename(file, '.wasm'),
    name: `${basename(file)}, GET / (prebuilt)`,
    wasm: async () => file,
    path: '/',
    // Any answer the component itself gave: a 5xx may be the studio's own, so it does not count.
    check: (status) => status < 500,
    jcoTarget: 6,
  };
}

const EFFICIENCY_TARGET = 0.8;
const LATENCY_TARGET_MS = 1;
/** Fresh instances (wash's semantics) at half the rate of reused ones at least (the performance issue). */
const FRESH_TARGET = 0.5;
/** Studio CPU per request at most this many times the call's plus plain Node http's (the performance issue). */
const CPU_TARGET = 1.5;
/** Above this share of the machine used by other processes during a run, say so. */
const NOISY = 0.1;

type Run = { ok: true; result: LoadResult } | { ok: false; error: string };
interface Runs {
  c20?: Run;
  c1?: Run;
}

export interface HttpSubjectData {
  instances: number;
  direct: DirectResult;
  directCapacity: number;
  parallel: ParallelDirectResult;
  studio: Runs;
  fresh: Runs;
  jco: Runs;
  jcoStubbed: string[];
}

export const benchmark: Benchmark = {
  description: 'requests/s and latency through the studio vs the direct call and vs jco serve',
  async run(options, print) {
    const instances = defaultRuntimeSettings(testCacheDir).workers;
    const cores = availableParallelism();
    const targets: TargetCheck[] = [];
    const data: Record<string, unknown> = {};
    let noisiest = 0;
    const noteNoise = (runs: Runs) => {
      for (const run of [runs.c20, runs.c1]) if (run?.ok) noisiest = Math.max(noisiest, otherLoad(run.result));
    };

    print(`machine busy before start (1 s): ${pct(await machineBusyFor(1000))}; studio workers: ${instances}`);
    print();
    print(`-- reference: plain Node http server answering ${JSON.stringify(HELLO_BODY)} (no component, no workers)`);
    const plain = await serveAndLoad('plain Node http', () => plainNode(HELLO_BODY), BUILT_IN[0]!, options, print, true, true);
    noteNoise(plain);
    data.reference = plain;

    for (const subject of [...BUILT_IN, ...(options.components ?? []).map(prebuilt)]) {
      print();
      print(`-- ${subject.name}`);
      const wasm = await subject.wasm();
      // First, with no server running: the component's own time.
      const request = { method: 'GET', path: subject.path, headers: [['host', '127.0.0.1']] as [string, string][] };
      const direct = await measureDirectCalls(wasm, testCacheDir, request);
      const directCapacity = (instances * 1000) / direct.msPerCall;
      print(`direct call: ${ms(direct.msPerCall)} of CPU per call (wall: mean ${ms(direct.wallMsPerCall)}, p50 ${ms(direct.p50)}, p99 ${ms(direct.p99)}; ${num(direct.calls)} calls, ${direct.bodyBytes} body bytes)`);
      print(`direct capacity: ${instances} instances x 1000 / ${direct.msPerCall.toFixed(3)} ms = ${num(directCapacity)} req/s`);
      // The same loop on `instances` threads at once: whether the machine can deliver that.
      const parallel = await measureParallelDirectCalls(wasm, testCacheDir, request, instances, { warmupMs: 500, measureMs: 2000 });
      print(`measured: ${instances} threads calling at once: ${num(parallel.callsPerSecond)} calls/s (${pct(parallel.callsPerSecond / directCapacity)} of the direct capacity)`);

      const studioRuns = await serveAndLoad('studio (reuse)', () => studio(wasm, instances, ['--instances', 'reuse']), subject, options, print, true);
      const freshRuns = await serveAndLoad('studio (fresh)', () => studio(wasm, instances, ['--instances', 'fresh']), subject, options, print, false, true);
      const shims = await jcoShimsFor(wasm, testCacheDir);
      if (shims.stubbed.length > 0) print(`jco serve has no ${shims.stubbed.join(', ')}: mapped to stubs (logging to stderr); ${subject.path} does not call them`);
      const jcoRuns = await serveAndLoad('jco serve', () => jcoServe(wasm, { map: shims.maps }), subject, options, print, true);
      await shims.remove();
      for (const runs of [studioRuns, freshRuns, jcoRuns]) noteNoise(runs);

      const rows: string[][] = [];
      const row = (label: string, run: Run | undefined, connections: number) => {
        if (!run) return;
        if (!run.ok) rows.push([label, String(connections), `failed: ${run.error.split('\n')[0]!.slice(0, 60)}`, '', '', '', '', '']);
        else {
          const r = run.result;
          rows.push([label, String(connections), num(r.rps), ms(r.p50), ms(r.p99), String(r.errors + r.non2xx), ms(r.serverCpuMsPerRequest), pct(otherLoad(r))]);
        }
      };
      row('studio (reuse)', studioRuns.c20, options.connections);
      row('studio (reuse)', studioRuns.c1, 1);
      row('studio (fresh)', freshRuns.c20, options.connections);
      row('jco serve', jcoRuns.c20, options.connections);
      row('jco serve', jcoRuns.c1, 1);
      print();
      print(table(['server', 'conns', 'req/s', 'p50', 'p99', 'errors+non-2xx', 'CPU/req', 'other load'], rows));

      const studioRps = rpsOf(studioRuns.c20);
      const jcoRps = rpsOf(jcoRuns.c20);
      const freshRps = rpsOf(freshRuns.c20);
      const efficiency = studioRps / directCapacity;
      const c1 = studioRuns.c1?.ok ? studioRuns.c1.result : undefined;
      const overP99 = c1 ? c1.p99 - direct.msPerCall : NaN;
      const plainC1 = plain.c1?.ok ? plain.c1.result : undefined;
      print();
      print(`studio / jco serve:   ${ratio(studioRps / jcoRps)} (${num(studioRps)} vs ${num(jcoRps)} req/s)${subject.jcoTarget ? `, target >= ${subject.jcoTarget}x` : ''}`);
      print(
        `gateway efficiency:   ${efficiency.toFixed(2)} = ${num(studioRps)} / ${num(directCapacity)} req/s direct capacity, target >= ${EFFICIENCY_TARGET} ` +
          `(${(studioRps / parallel.callsPerSecond).toFixed(2)} of the measured ${instances}-thread rate)`,
      );
      print(
        `concurrency 1:        studio p99 ${ms(c1?.p99 ?? NaN)} = direct call ${ms(direct.msPerCall)} + ${ms(overP99)}, target <= +${LATENCY_TARGET_MS} ms ` +
          `(p50: ${ms(c1?.p50 ?? NaN)} = direct p50 ${ms(direct.p50)} + ${ms((c1?.p50 ?? NaN) - direct.p50)}; plain Node http p50 ${ms(plainC1?.p50 ?? NaN)})`,
      );
      if (studioRuns.c20?.ok && Number.isFinite(studioRuns.c20.result.serverCpuMsPerRequest)) {
        const { serverCpuMsPerRequest: cpu, threads } = studioRuns.c20.result;
        print(`studio CPU/request:   ${ms(cpu)} = direct call ${ms(direct.msPerCall)} + ${ms(cpu - direct.msPerCall)} for gateway, messaging and GC (${num((cores * 1000) / cpu)} req/s if it had all ${cores} cores)`);
        if (threads) print(`  by thread:          gateway (main) ${ms(threads.main)}, workers ${ms(threads.busiest)} (the call is ${ms(direct.msPerCall)} of it), other threads ${ms(threads.rest)}`);
        if (jcoRuns.c20?.ok) {
          const jcoCpu = jcoRuns.c20.result.serverCpuMsPerRequest;
          print(`  jco serve:          ${ms(jcoCpu)} CPU/request: ${ratio(jcoCpu / cpu)} the studio's (one process, one thread runs the component)`);
        }
      }
      // What serving could cost at best: the component's own call plus a plain Node server's work.
      const plainCpu = plain.c20?.ok ? plain.c20.result.serverCpuMsPerRequest : NaN;
      const studioCpu = studioRuns.c20?.ok ? studioRuns.c20.result.serverCpuMsPerRequest : NaN;
      const cpuOverParts = studioCpu / (direct.msPerCall + plainCpu);
      print(
        `CPU vs its parts:     ${ratio(cpuOverParts)} = studio ${ms(studioCpu)} / (direct call ${ms(direct.msPerCall)} + plain Node http ${ms(plainCpu)}), target <= ${CPU_TARGET}x`,
      );
      print(`fresh / reuse:        ${freshRuns.c20?.ok ? `${(freshRps / studioRps).toFixed(2)}x (${num(freshRps)} vs ${num(studioRps)} req/s)` : 'fresh failed'}, target >= ${FRESH_TARGET}x`);

      const check = (what: string, target: string, measured: string, met: boolean) =>
        targets.push({ benchmark: 'http', subject: `${subject.key}: ${what}`, target, measured, met });
      if (subject.jcoTarget) check('studio / jco serve', `>= ${subject.jcoTarget}x`, ratio(studioRps / jcoRps), studioRps / jcoRps >= subject.jcoTarget);
      check('CPU/request vs its parts', `<= ${CPU_TARGET}x`, ratio(cpuOverParts), cpuOverParts <= CPU_TARGET);
      check('gateway efficiency', `>= ${EFFICIENCY_TARGET}`, efficiency.toFixed(2), efficiency >= EFFICIENCY_TARGET);
      check('c1 p99 - direct call', `<= ${LATENCY_TARGET_MS} ms`, ms(overP99), overP99 <= LATENCY_TARGET_MS);
      check('fresh / reuse req/s', `>= ${FRESH_TARGET}x`, freshRuns.c20?.ok ? `${(freshRps / studioRps).toFixed(2)}x` : 'fresh failed', freshRuns.c20?.ok === true && freshRps / studioRps >= FRESH_TARGET);

      data[subject.key] = { instances, direct, directCapacity, parallel, studio: studioRuns, fresh: freshRuns, jco: jcoRuns, jcoStubbed: shims.stubbed } satisfies HttpSubjectData;
    }

    if (noisiest > NOISY) {
      print();
      print(`note: other processes used up to ${pct(noisiest)} of the machine during these runs; req/s figures are low by about that much (CPU/req is not).`);
    }
    return { targets, data };
  },
};

function rpsOf(run: Run | undefined): number {
  return run?.ok ? run.result.rps : NaN;
}

function otherLoad(r: LoadResult): number {
  return Math.max(0, r.machineBusy - r.serverCpuShare - r.loaderCpuShare);
}

async function machineBusyFor(msToWait: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, msToWait));
  const after = machineTicks();
  return (after.busy - before.busy) / (after.total - before.total);
}

/** Starts a server, checks one answer, loads it at --connections (and at 1 when `latency`), stops it. */
async function serveAndLoad(
  label: string,
  start: () => Promise<Server>,
  subject: Subject,
  options: BenchOptions,
  print: (text?: string) => void,
  latency: boolean,
  short = false,
): Promise<Runs> {
  let server: Server;
  const startedAt = performance.now();
  try {
    server = await start();
  } catch (err) {
    const error = (err as Error).message;
    print(`${label}: could not start: ${error}`);
    return { c20: { ok: false, error }, c1: latency ? { ok: false, error } : undefined };
  }
  print(`${label}: serving after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  const runs: Runs = {};
  try {
    const probe = await fetch(new URL(subject.path, server.url));
    const body = await probe.text();
    if (!subject.check(probe.status, body)) throw new Error(`unexpected answer ${probe.status}: ${body.slice(0, 200)}`);
    // Short runs (the reference, and fresh instances whose rate is a small fraction of reuse)
    // take the latency run's length.
    const seconds = short ? options.latencySeconds : options.seconds;
    runs.c20 = await measure(label, server, subject.path, options.connections, seconds, options.warmupSeconds, print);
    if (latency) runs.c1 = await measure(label, server, subject.path, 1, options.latencySeconds, Math.min(1, options.warmupSeconds), print);
  } catch (err) {
    const error = (err as Error).message;
    print(`${label}: failed: ${error}\n${server.output().slice(-2000)}`);
    runs.c20 ??= { ok: false, error };
    if (latency) runs.c1 ??= { ok: false, error };
  } finally {
    await server.stop();
  }
  return runs;
}

async function measure(
  label: string,
  server: Server,
  path: string,
  connections: number,
  seconds: number,
  warmupSeconds: number,
  print: (text?: string) => void,
): Promise<Run> {
  const result = await load(server.url, { connections, seconds, warmupSeconds, path, serverCpu: () => server.cpuSeconds(), serverThreads: server.threads });
  const threads = result.threads ? ` (main thread ${ms(result.threads.main)}, workers ${ms(result.threads.busiest)}, other threads ${ms(result.threads.rest)})` : '';
  print(
    `  ${label}, ${connections} conn: ${num(result.rps)} req/s, p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, errors ${result.errors}, non-2xx ${result.non2xx}; ` +
      `server CPU ${ms(result.serverCpuMsPerRequest)}/req${threads}; machine ${pct(result.machineBusy)} busy ` +
      `(server ${pct(result.serverCpuShare)}, load generator ${pct(result.loaderCpuShare)}, other processes ${pct(otherLoad(result))})`,
  );
  return { ok: true, result };
}
