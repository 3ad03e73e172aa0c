// How much a process's resident memory grows while something runs (Linux), for tests that
// hold the studio to a bound while it moves big bodies.
import { readFileSync } from 'node:fs';

/** The resident memory of a process, in bytes. */
export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** The peak growth of `pid`'s resident memory over its size at the start, sampled every 50 ms while `work` runs. */
export async function growthDuring(pid: number, work: () => Promise<void>): Promise<number> {
  const base = rssOf(pid);
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return peak - base;
}
