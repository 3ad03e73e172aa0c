// The componentize child as an Electron utility process: the packaged app's Electron binary
// cannot run as plain Node (the RunAsNode fuse is off), so runtime/builders/node-child.ts's
// `fork` is replaced here. A utility process is a Node process Electron starts itself; the
// child answers on its parentPort and is stopped here once it has (see componentize-child.mjs).
import { utilityProcess } from 'electron';
import type { ChildOutcome, NodeChildLauncher } from '../runtime/builders/node-child.ts';
import { killTreeOf } from '../runtime/builders/process-tree.ts';

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
  // Stopped with what it started: componentize-js runs wizer as a process of its own, which a
  // build cancelled or past its time must not leave running (a utility process leads no group).
  return {
    done,
    stop: () => {
      if (child.pid !== undefined) killTreeOf(child.pid);
      child.kill();
    },
  };
};
