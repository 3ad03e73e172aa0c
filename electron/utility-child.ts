// The componentize child as an Electron utility process: the packaged app's Electron binary
// cannot run as plain Node (the RunAsNode fuse is off), so runtime/builders/node-child.ts's
// `fork` is replaced here. A utility process is a Node process Electron starts itself; the
// child answers on its parentPort and is stopped here once it has (see componentize-child.mjs).
import { utilityProcess } from 'electron';
import type { ChildOutcome, NodeChildLauncher } from '../runtime/builders/node-child.ts';

export const utilityChild: NodeChildLauncher = (entry, job, { cwd, env, onOutput }) => {
  const child = utilityProcess.fork(entry, [], { cwd, env, stdio: 'pipe', serviceName: 'Component Studio build' });
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  let reply: unknown;
  const done = new Promise<ChildOutcome>((resolve) => {
    child.on('message', (message: unknown) => {
      reply = message;
      child.kill();
    });
    child.on('exit', (code) => resolve({ reply, code: reply === undefined ? code : 0, signal: null }));
  });
  child.once('spawn', () => child.postMessage(job));
  return { done, stop: () => void child.kill() };
};
