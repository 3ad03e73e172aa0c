// CPU time accounting from /proc (Linux), so that a figure taken on a busy machine can be
// told apart from a slow server: the CPU a server spent per request barely depends on what
// else runs, while its requests/s does. Elsewhere every function returns NaN.
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on every Linux Node supports

/** Fields of /proc/<pid>/stat after the command name: state is [0], so utime is [11], stime [12]. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) used so far by the processes in `pids`. */
export function processCpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (!f) return NaN;
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICK;
}

/** The pids of every live process in process group `pgid`. */
export function groupPids(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  return entries.filter((pid) => Number(statFields(pid)?.[2]) === pgid).map(Number);
}

/** Busy and total CPU time of the whole machine, in ticks, from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** A stopwatch for CPU: call the returned function to get what was used since. */
export function cpuSince(read: () => number): () => number {
  const start = read();
  return () => read() - start;
}

/** CPU ticks used so far by each thread of process `pid` (thread id -> ticks). */
export function threadTicks(pid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return ticks;
  }
  for (const tid of tids) {
    const f = statFields(`${pid}/task/${tid}`);
    if (f) ticks.set(Number(tid), Number(f[11]) + Number(f[12]));
  }
  return ticks;
}

export interface ThreadSplit {
  /** ms of CPU per request on the process's main thread (the gateway, in the studio). */
  main: number;
  /** ms per request on the `n` busiest other threads (the workload workers), summed. */
  busiest: number;
  /** ms per request on every other thread (GC helpers, libuv pool, compiler). */
  rest: number;
}

/** Splits the CPU a process used between two snapshots, per request. */
export function splitThreads(pid: number, before: Map<number, number>, after: Map<number, number>, n: number, requests: number): ThreadSplit {
  const deltas = [...after].map(([tid, t]) => [tid, t - (before.get(tid) ?? 0)] as const);
  const main = deltas.find(([tid]) => tid === pid)?.[1] ?? 0;
  const others = deltas.filter(([tid]) => tid !== pid).map(([, d]) => d).sort((a, b) => b - a);
  const busiest = others.slice(0, n).reduce((a, b) => a + b, 0);
  const rest = others.slice(n).reduce((a, b) => a + b, 0);
  const perRequest = (t: number) => ((t / TICK) * 1000) / requests;
  return { main: perRequest(main), busiest: perRequest(busiest), rest: perRequest(rest) };
}
