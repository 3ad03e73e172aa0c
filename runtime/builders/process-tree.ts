// Running a command line through the platform's shell, and stopping everything it started.
// A build command is one line of text, as in wash's config: `sh -c` runs it on Linux and
// macOS, and `cmd.exe /d /s /c "…"` on Windows, as npm runs scripts there. Stopping a build
// must stop its children too (a compiler the shell started): a process group on Unix (the
// child is started detached, so it leads one), `taskkill /T` on Windows, which has no groups.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ShellCommand {
  file: string;
  args: string[];
  /** What spawn needs beside them: a group of its own on Unix, the line passed as written on Windows. */
  options: Pick<SpawnOptions, 'detached' | 'windowsVerbatimArguments' | 'windowsHide'>;
}

/** How to run `command` through the shell of `platform`. */
export function shellCommand(command: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): ShellCommand {
  if (platform === 'win32') {
    // /d: no AutoRun commands from the registry; /s with the outer quotes: the line as it is.
    return { file: env.ComSpec || 'cmd.exe', args: ['/d', '/s', '/c', `"${command}"`], options: { windowsVerbatimArguments: true, windowsHide: true } };
  }
  return { file: 'sh', args: ['-c', command], options: { detached: true } };
}

/** What stops a process and everything it started on `platform`: a signal to its group, or taskkill. */
export function treeKill(pid: number, signal: NodeJS.Signals, platform: NodeJS.Platform = process.platform): { file: string; args: string[] } | { group: number; signal: NodeJS.Signals } {
  if (platform === 'win32') return { file: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] };
  return { group: -pid, signal };
}

/**
 * Stops a child started with `shellCommand` (or detached on Unix) and its descendants.
 * Synchronous, so it also works in a process 'exit' handler.
 */
export function stopProcessTree(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null;
  const how = treeKill(child.pid, signal);
  try {
    // A group outlives its leader: the shell may be gone while what it started runs on.
    if ('group' in how) process.kill(how.group, how.signal);
    else if (!exited && spawnSync(how.file, how.args, { stdio: 'ignore', windowsHide: true, timeout: 10_000 }).status !== 0) child.kill(signal);
  } catch {
    // No group (it was not started detached) or it is already gone: the child alone, then.
    if (!exited) child.kill(signal);
  }
}

/**
 * Kills a process that leads no group of its own, and everything below it: on Unix the tree
 * is read from `ps` (on every Linux and macOS), on Windows taskkill /T walks it. For children
 * the studio cannot start detached, such as an Electron utility process, whose own children
 * (componentize-js's wizer) would otherwise run on.
 */
export function killTreeOf(pid: number, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true, timeout: 10_000 });
    return;
  }
  const listing = spawnSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8', timeout: 10_000 });
  const children = new Map<number, number[]>();
  for (const line of (listing.stdout ?? '').split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child && parent) children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  // Listed before any is killed: a killed parent's children move to another parent.
  const tree: number[] = [];
  const gather = (at: number) => {
    tree.push(at);
    for (const child of children.get(at) ?? []) if (!tree.includes(child)) gather(child);
  };
  gather(pid);
  for (const member of tree) {
    try {
      process.kill(member, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** How long a stopped tree has to exit on SIGTERM before it is killed. */
const KILL_AFTER_MS = 2000;
/** Trees started and not yet closed: killed with the studio, however it exits (a group outlives it). */
const running = new Set<ChildProcess>();

/**
 * Stops the tree as stopProcessTree does, then kills it if it is still there after a grace
 * period: a build script can ignore SIGTERM (`trap "" TERM`), and so does what it starts.
 */
export function endProcessTree(child: ChildProcess): void {
  stopProcessTree(child);
  const kill = setTimeout(() => stopProcessTree(child, 'SIGKILL'), KILL_AFTER_MS);
  kill.unref();
  child.once('close', () => clearTimeout(kill));
}

/** Whether anything of the process group a child leads still runs (Unix; Windows has no groups, and says no). */
export function groupAlive(child: ChildProcess, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32' || child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills the child's tree when the studio exits while it still runs, even on a second Ctrl+C. */
export function killTreeOnExit(child: ChildProcess): void {
  if (running.size === 0) process.once('exit', killRunning);
  running.add(child);
  child.once('close', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killRunning);
  });
}

function killRunning(): void {
  for (const child of running) stopProcessTree(child, 'SIGKILL');
}

/** What a program run to its end said, or why it did not end. */
export interface RunOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** It could not start (ENOENT: not installed). */
  error?: Error;
  /** It ran past its time and was stopped, with what it started. */
  timedOut?: boolean;
}

/** Output kept per stream: a helper printing megabytes must not fill memory. */
const MAX_OUTPUT_CHARS = 1 << 20;

/**
 * Runs a program (kubectl, a credential helper) with `input` on its standard input, to its end
 * or for `timeoutMs` at most. Past that it is stopped with everything it started (in a process
 * group of its own: a wrapper script's children would otherwise keep its output open, and the
 * wait with them) and the outcome says so at once.
 */
export function runToEnd(file: string, args: string[], options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs: number }): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      endProcessTree(child);
      settle({ code: null, stdout, stderr, timedOut: true });
    }, options.timeoutMs);
    killTreeOnExit(child);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.length < MAX_OUTPUT_CHARS && (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.length < MAX_OUTPUT_CHARS && (stderr += d));
    child.on('error', (error) => settle({ code: null, stdout, stderr, error }));
    child.on('close', (code) => settle({ code, stdout, stderr }));
    child.stdin!.on('error', () => {}); // it may exit before reading everything; its exit code says why
    child.stdin!.end(options.input ?? '');
  });
}
