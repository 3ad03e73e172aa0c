// HTTP serving speed, against the component's own time and against `jco serve`.
//
// For each component, in one run:
//   direct     the component's wasi:http handler called in a loop in this process, with the
//              studio's transpiler and host (bench/lib/direct.ts): ms per call, and from it
//              the direct capacity = instances x 1000 / ms per call
//   studio     the real CLI (`component-studio dev <file.wasm>`), loaded by autocannon at
//              --connections (throughput) and at 1 connection (latency)
//   fresh      the studio with --instances fresh (a new instance for every request)
//   jco serve  the peer, on the same .wasm, with the same load
// and once, as a reference, a plain Node http server answering the hello body: the most a
// Node gateway can answer on this machine under the same load generator.
import { availableParallelism } from 'node:os';
import { watFixture } from '../test/fixtures/fixtures.ts';
import { buildQrExample } from '../test/fixtures/js/build.ts';
import { defaultRuntimeSettings } from '../runtime/workloads/workload.ts';
import type { Benchmark, BenchOptions, TargetCheck } from './lib/bench.ts';
import { measureDirectCalls, type DirectResult } from './lib/direct.ts';
import { ms, num, pct, ratio, table } from './lib/format.ts';
import { load, type LoadResult } from './lib/load.ts';
import { jcoServe, plainNode, studio, testCacheDir, type Server } from './lib/processes.ts';

interface Subject {
  key: string;
  name: string;
  wasm(): Promise<string>;
  path: string;
  /** What a correct answer looks like, checked once before loading a server. */
  check(status: number, body: string): boolean;
  /** The DESIGN target of at least 5x jco serve applies to the small hello component. */
  jcoTarget?: number;
}

const SUBJECTS: Subject[] = [
  {
    key: 'hello',
    name: 'hello (hand-written WAT component)',
    wasm: () => watFixture('hello'),
    path: '/',
    check: (status, body) => status === 200 && body === 'hello from wat\n',
    jcoTarget: 5,
  },
  {
    key: 'qr',
    name: 'QR example, GET / (componentize-js)',
    wasm: () => buildQrExample(),
    path: '/',
    check: (status, body) => status === 200 && body.includes('<html'),
  },
];

const EFFICIENCY_TARGET = 0.8;
const LATENCY_TARGET_MS = 1;

type Run = { ok: true; result: LoadResult } | { ok: false; error: string };

interface SubjectData {
  wasm: string;
  instances: number;
  direct: DirectResult;
  directCapacity: number;
  studio: { c20: Run; c1: Run };
  fresh: { c20: Run };
  jco: { c20: Run; c1: Run };
}

const jcoLoggingShim = new URL('./lib/jco-logging-shim.js', import.meta.url).href;

export const benchmark: Benchmark = {
  description: 'requests/s and latency through the studio vs the direct call and vs jco serve',
  async run(options, print) {
    const instances = defaultRuntimeSettings(testCacheDir).workers;
    const cores = availableParallelism();
    const targets: TargetCheck[] = [];
    const data: Record<string, SubjectData | { plainNode: Run }> = {};

    for (const subject of SUBJECTS) {
      print();
      print(`-- ${subject.name}`);
      const wasm = await subject.wasm();
      // First, with no server running: the component's own time.
      const direct = await measureDirectCalls(wasm, testCacheDir, { method: 'GET', path: subject.path, headers: [['host', '127.0.0.1']] });
      const directCapacity = (instances * 1000) / direct.msPerCall;
      print(`direct call: ${ms(direct.msPerCall)} mean (p50 ${ms(direct.p50)}, p99 ${ms(direct.p99)}, ${num(direct.calls)} calls, ${direct.bodyBytes} body bytes)`);
      print(`direct capacity: ${instances} instances x 1000 / ${direct.msPerCall.toFixed(3)} ms = ${num(directCapacity)} req/s`);

      const studioRuns = await serveAndLoad('studio (reuse)', () => studio(wasm), subject, options, print, true);
      const freshRuns = await serveAndLoad('studio (fresh)', () => studio(wasm, ['--instances', 'fresh']), subject, options, print, false);
      const jcoRuns = await serveAndLoad('jco serve', () => jcoServe(wasm, { map: [`wasi:logging/logging=${jcoLoggingShim}`] }), subject, options, print, true);

      const rows: string[][] = [];
      const row = (label: string, run: Run | undefined, connections: number) => {
        if (!run) return;
        if (!run.ok) rows.push([label, String(connections), `failed: ${run.error.split('\n')[0]!.slice(0, 60)}`, '', '', '', '', '', '']);
        else {
          const r = run.result;
          const other = r.machineBusy - r.serverCpuShare - r.loaderCpuShare;
          rows.push([label, String(connections), num(r.rps), ms(r.p50), ms(r.p99), String(r.errors), String(r.non2xx), ms(r.serverCpuMsPerRequest), pct(other)]);
        }
      };
      row('studio (reuse)', studioRuns.c20, options.connections);
      row('studio (reuse)', studioRuns.c1, 1);
      row('studio (fresh)', freshRuns.c20, options.connections);
      row('jco serve', jcoRuns.c20, options.connections);
      row('jco serve', jcoRuns.c1, 1);
      print();
      print(table(['server', 'conns', 'req/s', 'p50', 'p99', 'errors', 'non-2xx', 'CPU/req', 'other load'], rows));

      const studioRps = studioRuns.c20?.ok ? studioRuns.c20.result.rps : NaN;
      const jcoRps = jcoRuns.c20?.ok ? jcoRuns.c20.result.rps : NaN;
      const freshRps = freshRuns.c20?.ok ? freshRuns.c20.result.rps : NaN;
      const efficiency = studioRps / directCapacity;
      const c1 = studioRuns.c1?.ok ? studioRuns.c1.result : undefined;
      const overP99 = c1 ? c1.p99 - direct.msPerCall : NaN;
      print();
      print(`studio / jco serve:   ${ratio(studioRps / jcoRps)}${subject.jcoTarget ? ` (target >= ${subject.jcoTarget}x)` : ''}`);
      print(`gateway efficiency:   ${(efficiency).toFixed(2)} = ${num(studioRps)} / ${num(directCapacity)} req/s (target >= ${EFFICIENCY_TARGET})`);
      print(`concurrency 1:        studio p99 ${ms(c1?.p99 ?? NaN)} vs direct call ${ms(direct.msPerCall)} (p99 ${ms(direct.p99)}): +${ms(overP99)} (target <= ${LATENCY_TARGET_MS} ms); p50 +${ms((c1?.p50 ?? NaN) - direct.p50)}`);
      if (studioRuns.c20?.ok && Number.isFinite(studioRuns.c20.result.serverCpuMsPerRequest)) {
        const cpu = studioRuns.c20.result.serverCpuMsPerRequest;
        print(`studio CPU/request:   ${ms(cpu)} = direct call ${ms(direct.msPerCall)} + ${ms(cpu - direct.msPerCall)} gateway, messaging and GC; ${num((cores * 1000) / cpu)} req/s if it had all ${cores} cores`);
      }
      print(`reuse / fresh:        ${ratio(studioRps / freshRps)} (${num(studioRps)} vs ${freshRuns.c20?.ok ? `${num(freshRps)} req/s` : 'fresh failed'})`);

      const check = (what: string, target: string, measured: string, met: boolean) =>
        targets.push({ benchmark: 'http', subject: `${subject.key}: ${what}`, target, measured, met });
      if (subject.jcoTarget) check('studio / jco serve', `>= ${subject.jcoTarget}x`, ratio(studioRps / jcoRps), studioRps / jcoRps >= subject.jcoTarget);
      check('gateway efficiency', `>= ${EFFICIENCY_TARGET}`, efficiency.toFixed(2), efficiency >= EFFICIENCY_TARGET);
      check('c1 p99 - direct call', `<= ${LATENCY_TARGET_MS} ms`, ms(overP99), overP99 <= LATENCY_TARGET_MS);
      check('reuse vs fresh', '>= 1x', freshRuns.c20?.ok ? ratio(studioRps / freshRps) : 'fresh failed', !(studioRps < freshRps));

      data[subject.key] = {
        wasm: subject.key,
        instances,
        direct,
        directCapacity,
        studio: studioRuns as SubjectData['studio'],
        fresh: freshRuns as SubjectData['fresh'],
        jco: jcoRuns as SubjectData['jco'],
      };
    }

    print();
    print('-- reference: plain Node http server answering "hello from wat\\n" (no component)');
    const plain = await serveAndLoad('plain Node http', () => plainNode('hello from wat\n'), { ...SUBJECTS[0]!, name: 'plain' }, options, print, false);
    if (plain.c20?.ok) print(`plain Node http: ${num(plain.c20.result.rps)} req/s at ${options.connections} connections, p99 ${ms(plain.c20.result.p99)}`);
    data.reference = { plainNode: plain.c20 ?? { ok: false, error: 'not run' } };

    return { targets, data };
  },
};

/** Starts a server, checks one answer, loads it at --connections (and at 1 when `latency`), stops it. */
async function serveAndLoad(
  label: string,
  start: () => Promise<Server>,
  subject: Subject,
  options: BenchOptions,
  print: (text?: string) => void,
  latency: boolean,
): Promise<{ c20?: Run; c1?: Run }> {
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
  const runs: { c20?: Run; c1?: Run } = {};
  try {
    const url = new URL(subject.path, server.url).href;
    const probe = await fetch(url);
    const body = await probe.text();
    if (!subject.check(probe.status, body)) throw new Error(`unexpected answer ${probe.status}: ${body.slice(0, 200)}`);
    runs.c20 = await measure(label, server, subject.path, options.connections, options.seconds, options.warmupSeconds, print);
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
  const result = await load(server.url, { connections, seconds, warmupSeconds, path, serverCpu: () => server.cpuSeconds() });
  const other = result.machineBusy - result.serverCpuShare - result.loaderCpuShare;
  print(
    `  ${label}, ${connections} conn: ${num(result.rps)} req/s, p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, errors ${result.errors}, non-2xx ${result.non2xx}; ` +
      `server CPU ${ms(result.serverCpuMsPerRequest)}/req; machine ${pct(result.machineBusy)} busy (server ${pct(result.serverCpuShare)}, load generator ${pct(result.loaderCpuShare)}, other processes ${pct(other)})`,
  );
  return { ok: true, result };
}
