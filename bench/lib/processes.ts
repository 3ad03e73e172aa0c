// Servers the benchmarks start and stop: the studio itself (through the test helper that runs
// the real CLI), `jco serve` as the peer, and a plain Node http server as the ceiling of what
// any Node gateway can answer on this machine under the same load generator.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { groupPids, processCpuSeconds } from './cpu.ts';
import { startStudio, testCacheDir, type StudioProcess } from '../../test/helpers/studio-process.ts';

export { testCacheDir };

export interface Server {
  url: string;
  /** Process id of the server process (the one that runs the component), for profiling. */
  pid: number | undefined;
  output(): string;
  /** CPU seconds the server (every process it started) has used so far; NaN off Linux. */
  cpuSeconds(): number;
  /** For a one-process server with worker threads (the studio): its pid and worker count. */
  threads?: { pid: number; workers: number };
  stop(): Promise<void>;
}

/** The real CLI on `target`; `workers` is the worker count it runs with (for thread accounting). */
export async function studio(target: string, workers: number, args: string[] = []): Promise<Server> {
  const proc: StudioProcess = await startStudio(target, args);
  return {
    url: proc.url.replace('localhost', '127.0.0.1'),
    pid: proc.child.pid,
    output: proc.output,
    // Workers are threads: the process's own counters include them.
    cpuSeconds: () => processCpuSeconds([proc.child.pid!]),
    threads: { pid: proc.child.pid!, workers },
    async stop() {
      await proc.stop();
    },
  };
}

/** A free TCP port on 127.0.0.1 (jco serve takes no port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The package exports no package.json or bin path; its main entry sits beside the CLI.
const jcoBin = join(dirname(createRequire(import.meta.url).resolve('@bytecodealliance/jco')), 'jco.js');

/**
 * `jco serve <file> --port N --host 127.0.0.1`: jco transpiles the component with the
 * preview2-shim host and starts a Node child process that serves it. Both run in their own
 * process group so that stop() ends the whole group. `map`: --jco-map entries
 * (`specifier=url`) for imports preview2-shim does not implement.
 */
export async function jcoServe(wasmPath: string, { map = [] as string[], startTimeoutMs = 120_000 } = {}): Promise<Server> {
  const port = await freePort();
  const jcoDir = await mkdtemp(join(tmpdir(), 'bench-jco-'));
  const child = spawn(process.execPath, [jcoBin, 'serve', wasmPath, '--port', String(port), '--host', '127.0.0.1', '--jco-dir', jcoDir, ...map.flatMap((m) => ['--jco-map', m])], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const proc = await waitForOutput(child, /Server listening @/, startTimeoutMs, 'jco serve');
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    output: proc.output,
    cpuSeconds: () => groupCpuSeconds(child.pid!),
    async stop() {
      await stopGroup(child);
      await rm(jcoDir, { recursive: true, force: true });
    },
  };
}

/** A plain Node http server answering `body` to everything, in its own process. */
export async function plainNode(body: string, contentType = 'text/plain'): Promise<Server> {
  const port = await freePort();
  const source = `require('node:http').createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': ${JSON.stringify(contentType)} }); res.end(${JSON.stringify(body)}); }).listen(${port}, '127.0.0.1', () => console.log('listening'));`;
  const child = spawn(process.execPath, ['-e', source], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = await waitForOutput(child, /listening/, 10_000, 'plain Node http server');
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    output: proc.output,
    cpuSeconds: () => groupCpuSeconds(child.pid!),
    stop: () => stopGroup(child),
  };
}

/** CPU of a process group: jco serve runs the component in a grandchild process. */
function groupCpuSeconds(pgid: number): number {
  const pids = groupPids(pgid);
  return pids.length ? processCpuSeconds(pids) : NaN;
}

async function waitForOutput(child: ChildProcess, ready: RegExp, timeoutMs: number, what: string): Promise<{ output(): string }> {
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
      const check = () => ready.test(output) && done();
      const onExit = (code: number | null) => done(new Error(`${what} exited (code ${code}) before it was ready:\n${output}`));
      const done = (err?: Error) => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', onExit);
    });
  } catch (err) {
    await stopGroup(child);
    throw err;
  }
  return { output: () => output };
}

/** SIGTERM to the child's process group, SIGKILL after 5 s if anything is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // The group is gone already.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // The leader can exit before the server it spawned; make sure the group is gone.
  signal('SIGKILL');
}
