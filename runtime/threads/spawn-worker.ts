// Starts a studio worker thread whose entry is a TypeScript module.
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

export function spawnWorker(entry: URL, options: Omit<WorkerOptions, 'workerData'> & { data?: unknown } = {}): Worker {
  const { data, ...rest } = options;
  return new Worker(BOOTSTRAP, { ...rest, workerData: { entry: entry.href, data } });
}
