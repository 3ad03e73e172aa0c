// Tells whether the process that left a file behind (a temp file, a store's owner file) still
// runs. A pid alone is not enough: a killed process stays a zombie until its parent reaps it,
// and `kill(pid, 0)` succeeds on a zombie; and pids are reused, most quickly in containers.
// On Linux a process is identified by its pid plus its start time (from /proc), and a zombie
// counts as gone. Elsewhere the pid is all there is.
import { readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from './store-error.ts';

export interface ProcessIdentity {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), or undefined where unknown. */
  started: number | undefined;
}

interface ProcStat {
  state: string;
  started: number;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and ')'. */
function procStat(pid: number): ProcStat | undefined | 'unavailable' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    return isErrno(error, 'ENOENT', 'ESRCH') ? undefined : 'unavailable';
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 of proc(5) (state); the start time is field 22.
  const started = Number(fields[19]);
  if (!fields[0] || !Number.isSafeInteger(started)) return 'unavailable';
  return { state: fields[0], started };
}

let self: ProcessIdentity | undefined;

/** This process, as it is written into owner files. */
export function currentProcess(): ProcessIdentity {
  if (!self) {
    const stat = process.platform === 'linux' ? procStat(process.pid) : undefined;
    self = { pid: process.pid, started: typeof stat === 'object' ? stat.started : undefined };
  }
  return self;
}

/**
 * True while the process runs: not when it exited, is a zombie, or its pid now belongs to a
 * process that started at another time. Another user's process counts as running.
 */
export function processRunning(pid: number, started?: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return started === undefined || started === currentProcess().started;
  if (process.platform === 'linux') {
    const stat = procStat(pid);
    if (stat === undefined) return false;
    if (stat !== 'unavailable') return stat.state !== 'Z' && stat.state !== 'X' && (started === undefined || stat.started === started);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

/**
 * Removes the entries of `dir` that a process left and did not clean up because it was killed:
 * those named `prefix` and then what `rest` matches, whose first group is the pid, when that
 * process no longer runs. An entry of a running process (or of a pid reused since) stays;
 * one that cannot be removed stays too.
 */
export async function removeLeftoversOfGoneProcesses(dir: string, prefix: string, rest: RegExp): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = name.startsWith(prefix) ? rest.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !processRunning(Number(pid))) await rm(join(dir, name), { recursive: true, force: true }).catch(() => {});
  }
}
