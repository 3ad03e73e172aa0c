// The thread a tree copy or removal runs on (see file-tree.ts): does it, answers, ends.
import { rmSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { copyTreeSync, type CopyOptions } from './file-tree-copy.ts';

type Task = { from: string; to: string; options: CopyOptions } | { remove: string };

const task = (workerData as { data: Task }).data;
try {
  if ('remove' in task) {
    rmSync(task.remove, { recursive: true, force: true });
    parentPort!.postMessage({ removed: true });
  } else {
    parentPort!.postMessage({ stats: copyTreeSync(task.from, task.to, task.options) });
  }
} catch (error) {
  const failure = error as NodeJS.ErrnoException;
  parentPort!.postMessage({ error: { message: failure.message, ...(failure.code ? { code: failure.code } : {}) } });
}
