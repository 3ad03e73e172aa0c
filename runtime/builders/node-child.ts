// Runs a Node program in a child process for one job: the componentize step (5-25 s, ~800 MB)
// never runs in the studio's own process. The child gets the job as its one message and
// answers with one reply.
//
// Plain Node forks a child Node (`fork`), in its own process group so that a stop also
// reaches wizer, which componentize runs synchronously. In the desktop app the studio runs in
// Electron's main process, where `fork` would start the Electron binary as Node: the packaged
// app turns that off (the RunAsNode fuse), so the shell supplies a launcher on Electron's
// utility processes instead (electron/utility-child.ts), through `useNodeChildLauncher`.
import { fork } from 'node:child_process';
import { stopProcessTree } from './process-tree.ts';
import { outsideArchive } from '../outside-archive.ts';

export interface ChildOutcome {
  /** The child's one reply, when it sent one. */
  reply: unknown;
  code: number | null;
  signal: string | null;
}

export interface NodeChild {
  /** Settles when the child has gone, whatever the reason. */
  readonly done: Promise<ChildOutcome>;
  /** Stops the child and whatever it started, at once. */
  stop(): void;
}

export interface NodeChildOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * V8 flags for the child, given to Node's `fork`, where they are known to take effect.
   * Electron's utility processes start V8 themselves, and how flags given that late fare there
   * is untested, so the desktop shell's launcher leaves them out.
   */
  v8Flags?: string[];
  /** Everything the child prints, in chunks. */
  onOutput(chunk: Buffer): void;
}

export type NodeChildLauncher = (entry: string, job: unknown, options: NodeChildOptions) => NodeChild;

const forkChild: NodeChildLauncher = (entry, job, { cwd, env, v8Flags = [], onOutput }) => {
  const child = fork(entry, [], {
    cwd,
    env,
    execArgv: v8Flags, // not the parent's loader flags: the child is plain JS
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: process.platform !== 'win32',
    serialization: 'json',
  });
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const done = new Promise<ChildOutcome>((resolve) => {
    let reply: unknown;
    child.on('message', (message) => (reply = message));
    child.on('error', (error) => onOutput(Buffer.from(`\n${error.message}\n`)));
    child.on('close', (code, signal) => resolve({ reply, code, signal }));
  });
  child.send(job as object);
  return { done, stop: () => stopProcessTree(child, 'SIGKILL') };
};

let launcher: NodeChildLauncher = forkChild;

/** Sets how children start in this process (the desktop shell does, once, before any build). */
export function useNodeChildLauncher(next: NodeChildLauncher): void {
  launcher = next;
}

export function launchNodeChild(entry: string, job: unknown, options: NodeChildOptions): NodeChild {
  return launcher(outsideArchive(entry), job, options);
}
